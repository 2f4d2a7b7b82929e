/**
 * A GameDay scenario as validation reads it: defaults, names, the day's one target given to
 * experiments without their own, every problem with its field path (inside an inline
 * experiment too), objectives the day cannot measure; and the agenda `plan` derives.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ExperimentValidationError } from '../../src/experiment/errors';
import { planScenario } from '../../src/scenario/plan';
import { validateScenario } from '../../src/scenario/validate';

const experiment = (extra: object = {}) => ({
  name: 'drill',
  traffic: { kind: 'http', endpoint: 'app' },
  faults: [{ kind: 'healthCheckFailure', region: 'us-east-1', after: '1s', duration: '2s' }],
  duration: '5s',
  ...extra,
});

const day = (extra: object = {}) => ({
  name: 'day',
  target: { kind: 'lab', healthCheck: { interval: '500ms', failureThreshold: 2 } },
  steps: [{ kind: 'experiment', experiment: experiment() }],
  ...extra,
});

/** Every problem, as `path: message`; [] when valid. */
function problems(input: unknown): string[] {
  try {
    validateScenario(input, 'day.ts');
  } catch (error) {
    if (error instanceof ExperimentValidationError) {
      assert.is(error.subject, 'scenario');
      return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    }
    throw error;
  }
  return [];
}

test('defaults: the lab, "passed" as the one objective, names from what each step is, a checkpoint ends on no', () => {
  const scenario = validateScenario(
    {
      name: 'day',
      steps: [
        { kind: 'note', message: 'Kick-off\nsecond line' },
        { kind: 'experiment', experiment: experiment() },
        { kind: 'checkpoint', question: 'Go on?', timeout: '1m' },
        { kind: 'checkpoint', question: 'Really?' },
        { kind: 'wait', duration: '5s' },
      ],
    },
    'day.ts',
  );
  assert.is(scenario.target.kind, 'lab');
  assert.equal(scenario.objectives, [{ metric: 'passed', text: 'passed' }]);
  assert.equal(scenario.participants, []);
  assert.equal(
    scenario.steps.map((step) => step.name),
    ['Kick-off', 'drill', 'Go on?', 'Really?', 'wait 5s'],
  );
  const [, drill, timed, open, wait] = scenario.steps;
  assert.ok(drill.kind === 'experiment' && drill.continueOnFailure === false);
  assert.ok(timed.kind === 'checkpoint' && timed.timeout === 60_000 && timed.default === 'no');
  assert.ok(open.kind === 'checkpoint' && open.timeout === null);
  assert.ok(wait.kind === 'wait' && wait.duration === 5_000 && wait.reason === '');
});

test("an experiment without a target runs on the day's, and is checked against it", () => {
  const scenario = validateScenario(day(), 'day.ts');
  const step = scenario.steps[0];
  assert.ok(step.kind === 'experiment');
  if (step.kind !== 'experiment') return;
  assert.equal(step.experiment.target, scenario.target);
  assert.is(step.experiment.file, 'day.ts (steps[0].experiment)');
  // The day's regions decide what a fault may name.
  assert.equal(
    problems(
      day({
        target: { kind: 'lab', regions: ['us-east-1', 'us-west-2'] },
        steps: [
          {
            kind: 'experiment',
            experiment: experiment({ faults: [{ kind: 'healthCheckFailure', region: 'eu-west-1', after: '1s' }] }),
          },
        ],
      }),
    ),
    ['steps[0].experiment.faults[0].region: unknown region "eu-west-1"; target.regions has: us-east-1, us-west-2'],
  );
});

test("an experiment's own target must be the day's, field for field once defaults apply", () => {
  const same = { kind: 'lab', healthCheck: { interval: '500ms', failureThreshold: 2 }, ttl: { app: '5s' } };
  assert.equal(problems(day({ steps: [{ kind: 'experiment', experiment: experiment({ target: same }) }] })), []);
  const [problem] = problems(
    day({ steps: [{ kind: 'experiment', experiment: experiment({ target: { kind: 'lab' } }) }] }),
  );
  assert.ok(
    problem.startsWith(
      "steps[0].experiment: the experiment's own target differs from the scenario's at " +
        'target.healthCheck.failureThreshold (3 here, 2 in the scenario)',
    ),
    problem,
  );
  const [other] = problems(
    day({
      steps: [
        {
          kind: 'experiment',
          experiment: experiment({
            target: { kind: 'endpoints', endpoints: { app: 'http://127.0.0.1:9' } },
            faults: [],
          }),
        },
      ],
    }),
  );
  assert.match(other ?? '', /at target\.kind \("endpoints" here, "lab" in the scenario\)/);
});

test('every problem at once, each at its field path; a bad day target is said once, not per step', () => {
  assert.equal(
    problems({
      name: '',
      participants: [
        { name: 'Ana', role: 'boss' },
        { name: 'Ben', role: 'operator', slack: '@ben' },
      ],
      objectives: ['rto<1m', 'rto<2m', 'burn<2', 'nonsense'],
      steps: [
        { kind: 'pause' },
        { kind: 'checkpoint', question: '', default: 'yes' },
        { kind: 'wait', duration: 'forever' },
        { kind: 'experiment', experiment: 42 },
        { kind: 'experiment', experiment: experiment({ traffic: { kind: 'http', endpoint: 'nope' } }) },
      ],
      stepz: [],
    }).sort(),
    [
      ': unknown field "stepz"; valid fields: name, description, target, participants, objectives, steps, tags, ' +
        'notify, service, staleAfter, schedule',
      'name: must not be empty',
      "objectives[2]: burn is judged per experiment (an SLO's expect), not over a day; a day's objectives are " +
        "'passed' (every experiment of the day passed), 'budget<5%' (each SLO's error budget burned, summed over " +
        "the day's experiments), 'rto<60s' (the worst RTO of the day) or 'rpo<=1s' (the worst RPO of the day)",
      "objectives[3]: expected 'passed' (every experiment of the day passed), 'budget<5%' (each SLO's error budget " +
        "burned, summed over the day's experiments), 'rto<60s' (the worst RTO of the day) or 'rpo<=1s' (the worst " +
        'RPO of the day), got "nonsense"',
      'participants[0].role: expected one of "facilitator", "operator", "observer", "approver", got "boss"',
      "participants[1].slack: expected a Slack member id like 'U024BE7LH'",
      'steps[0].kind: unknown kind "pause"; valid kinds: experiment, checkpoint, wait, note, check',
      "steps[1].question: expected the go/no-go question, e.g. 'Go on to the region outage?'",
      "steps[2].duration: expected a duration like '500ms', '30s', '2m', '1h' or '1m30s', got \"forever\"",
      "steps[3].experiment: expected an experiment file path (relative to the scenario, e.g. './latency.ts') or " +
        'an inline defineExperiment({...})',
      'steps[4].experiment.traffic.endpoint: unknown endpoint "nope"; the lab target has: app, app-us-east-1, ' +
        'app-eu-west-1',
      "steps[1].default: is the answer given when the timeout passes; give a timeout too (e.g. timeout: '5m')",
    ].sort(),
  );
  const badTarget = problems(
    day({
      target: { kind: 'lab', regions: ['us-east-1'] },
      steps: [
        { kind: 'experiment', experiment: experiment() },
        { kind: 'experiment', experiment: experiment() },
      ],
    }),
  );
  assert.equal(badTarget, ['target.regions: the lab needs 2 to 4 regions']);
});

test('checkpoint: a default needs a timeout; objectives: each metric once, and only what the day can measure', () => {
  assert.equal(problems(day({ steps: [{ kind: 'checkpoint', question: 'Go?', default: 'yes' }] })), [
    "steps[0].default: is the answer given when the timeout passes; give a timeout too (e.g. timeout: '5m')",
  ]);
  assert.equal(problems(day({ objectives: ['rto<1m', 'rto<=2m'] })), ['objectives[1]: rto is given twice']);
  assert.equal(problems(day({ objectives: ['passed', 'budget<5%', 'rpo<1s', 'rto<1m'] })), [
    'objectives[1]: budget<5% cannot be measured: no experiment of the day declares an SLO (slos: [...])',
    'objectives[2]: rpo<1s cannot be measured: no experiment of the day has a write ledger (probes.ledger)',
  ]);
  const scenario = validateScenario(day({ objectives: ['passed', 'rto<=1m'] }), 'day.ts');
  assert.equal(scenario.objectives[1], { metric: 'rto', op: '<=', value: 60_000, text: 'rto<=1m' });
});

test('a participant is named once; the day needs a step', () => {
  assert.equal(
    problems(
      day({
        participants: [
          { name: 'Ana', role: 'facilitator' },
          { name: 'Ana', role: 'approver' },
        ],
      }),
    ),
    ['participants[1].name: duplicate participant "Ana"'],
  );
  assert.equal(problems(day({ steps: [] })), ['steps: a GameDay needs at least one step']);
  assert.equal(problems(Promise.resolve(day())), [
    ': expected a scenario object (export default defineScenario({...})), got a promise; scenarios are loaded ' +
      'synchronously: export the object itself, not a promise of it',
  ]);
});

test("the agenda: each step at its expected offset, an experiment's timeline without the day's target opening", () => {
  const scenario = validateScenario(
    day({
      steps: [
        { kind: 'note', message: 'hello' },
        {
          kind: 'experiment',
          experiment: experiment({ steadyState: { duration: '1s' }, hypothesis: { recovery: { window: '3s' } } }),
        },
        { kind: 'checkpoint', question: 'Go?', timeout: '2m', default: 'yes' },
        { kind: 'wait', duration: '10s', reason: 'replication' },
        { kind: 'experiment', experiment: experiment(), continueOnFailure: true },
      ],
    }),
    'day.ts',
  );
  const plan = planScenario(scenario);
  // steady state 1s + observation 5s + the post-check's least (the 3s recovery window); then the defaults: 2+5+5.
  assert.equal(
    plan.steps.map((step) => [step.kind, step.atMs, step.expectedMs]),
    [
      ['note', 0, 0],
      ['experiment', 0, 9_000],
      ['checkpoint', 9_000, 0],
      ['wait', 9_000, 10_000],
      ['experiment', 19_000, 12_000],
    ],
  );
  assert.is(plan.expectedMs, 31_000);
  assert.is(plan.checkpoints, 1);
  assert.is(plan.steps[2].timeout, 'after 2m without an answer: yes (go on)');
  assert.is(plan.steps[4].continueOnFailure, true);
  const actions = plan.steps[1].timeline!.map((line) => line.action);
  assert.ok(actions.some((action) => action.startsWith('inject healthCheckFailure-1')));
  assert.not.ok(
    actions.some((action) => action.startsWith('lab: use the running lab')),
    'the target is opened by the day',
  );
});

test("the day's service and staleAfter go to each experiment step that says none of its own", () => {
  const scenario = validateScenario(
    day({
      service: 'orders',
      staleAfter: '14d',
      steps: [
        { kind: 'experiment', experiment: experiment() },
        { kind: 'experiment', experiment: experiment({ name: 'own', service: 'billing', staleAfter: '7d' }) },
      ],
    }),
    'day.ts',
  );
  assert.equal(
    scenario.steps.map((step) =>
      step.kind === 'experiment' ? [step.experiment.service, step.experiment.staleAfter] : [],
    ),
    [
      ['orders', 14 * 86_400_000],
      ['billing', 7 * 86_400_000],
    ],
  );
});

test.run();
