/**
 * A GameDay's summary folded from a real day's journal (test/fixtures/journals/
 * gameday-no-go.ndjson, see its README), with no lab: every figure checked against what
 * the test reads from the journal's own events; the fold asked midway and event by event;
 * the day's objectives judged; report.md and junit.xml rendered from it.
 */
import path from 'node:path';
import { parse as parseJunit, type TestCase, type TestSuite } from 'junit2json';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  judgeDay,
  judgeObjectives,
  readJournal,
  renderScenarioJunit,
  renderScenarioMarkdown,
  ScenarioSummarizer,
  summarizeScenario,
  type EventOf,
  type JournalEvent,
  type ScenarioExperimentSummary,
} from '../support/analysis';

const events = readJournal(path.join(__dirname, '..', 'fixtures', 'journals', 'gameday-no-go.ndjson'));
const summary = summarizeScenario(events);

function all<T extends JournalEvent['type']>(type: T): EventOf<T>[] {
  return events.filter((event): event is EventOf<T> => event.type === type);
}
const started = all('scenario.started')[0];
const finished = all('scenario.finished')[0];

test('the fixture: one day, its events numbered 1..n, from scenario.started to scenario.finished', () => {
  assert.equal(
    events.map((event) => event.seq),
    events.map((_, index) => index + 1),
  );
  assert.is(events[0].type, 'scenario.started');
  assert.is(events.at(-1)!.type, 'scenario.finished');
});

test('the day: its status and reason as journaled, its length, participants, agenda length', () => {
  assert.is(summary.schema, 'gameday/gameday/v1');
  assert.is(summary.status, finished.status);
  assert.is(summary.status, 'aborted');
  assert.is(summary.reason, finished.reason);
  assert.is(summary.durationMs, Math.round(finished.t - started.t));
  assert.equal(summary.participants, started.spec.participants);
  assert.is(summary.expectedMs, started.spec.agenda.expectedMs);
  assert.is(summary.target.kind, 'lab');
  assert.is(summary.target.ephemeral, true, 'the target as opened, not as declared');
});

test('agenda against what happened: planned slots from the agenda, actual ones from the steps', () => {
  const begun = new Map(all('step.started').map((event) => [event.step, event]));
  const ended = new Map(all('step.finished').map((event) => [event.step, event]));
  const skipped = new Set(all('step.skipped').map((event) => event.step));
  assert.is(summary.steps.length, started.spec.agenda.steps.length);
  for (const [index, step] of summary.steps.entries()) {
    const planned = started.spec.agenda.steps[index];
    assert.equal(step.planned, { atMs: planned.atMs, ms: planned.expectedMs }, `step ${step.step}`);
    const begin = begun.get(step.step);
    const end = ended.get(step.step);
    if (skipped.has(step.step)) {
      assert.is(step.status, 'skipped');
      assert.is(step.actual, null);
      continue;
    }
    assert.is(step.status, end!.status);
    assert.equal(step.actual, {
      startedAt: new Date(begin!.t).toISOString(),
      atMs: Math.round(begin!.t - started.t),
      ms: Math.round(end!.t - begin!.t),
    });
  }
  assert.equal(
    summary.steps.map((step) => `${step.kind} ${step.status}`),
    [
      'note done',
      'experiment passed',
      'checkpoint done',
      'wait done',
      'experiment failed',
      'checkpoint done',
      'experiment skipped',
    ],
  );
});

test("experiments: each verdict and figures from its run's record, the skipped one with none", () => {
  const records = new Map(all('step.finished').flatMap((event) => (event.run ? [[event.step, event.run]] : [])));
  const [mild, heavy, never] = summary.experiments;
  for (const experiment of [mild, heavy]) {
    const run = records.get(experiment.step)!;
    assert.is(experiment.status, run.status);
    assert.equal(experiment.rto, run.rto);
    assert.equal(experiment.slos, run.slos);
    assert.is(experiment.runDir, run.runDir);
    assert.match(experiment.runDir!, new RegExp(`^0${experiment.step}-\\d{8}-\\d{6}-`));
  }
  assert.equal([mild.status, heavy.status, never.status], ['passed', 'failed', 'skipped']);
  assert.is(heavy.continueOnFailure, true);
  assert.ok(heavy.rto!.ms! > heavy.rto!.objectiveMs!, 'the heavy drill missed its RTO objective');
  assert.equal([never.runDir, never.rto, never.slos], [null, null, []]);
  assert.is(summary.worst.rtoMs, Math.max(mild.rto!.ms!, heavy.rto!.ms!));
  assert.is(summary.worst.rtoStep, heavy.step);
  assert.is(summary.worst.rpoMs, null, 'no ledger, no RPO');
});

test("the day's budget: each SLO's share burned by every experiment that measured it, added up", () => {
  const sums = new Map<string, { pct: number; count: number }>();
  for (const event of all('step.finished'))
    for (const slo of event.run?.slos ?? []) {
      const sum = sums.get(slo.name) ?? { pct: 0, count: 0 };
      sums.set(slo.name, { pct: sum.pct + slo.budgetConsumedPct!, count: sum.count + 1 });
    }
  assert.equal(
    summary.budget.map((total) => [total.slo, total.budgetConsumedPct, total.experiments, total.windowMs]),
    [...sums].map(([name, sum]) => [name, sum.pct, sum.count, 30 * 86_400_000]),
  );
  assert.ok(summary.budget[0].budgetConsumedPct > 0, 'the heavy drill burned budget');
});

test('decisions: who answered, by which way, how long it took — from the journal', () => {
  const asked = all('checkpoint.asked');
  const answered = all('checkpoint.answered');
  assert.equal(
    summary.checkpoints.map((checkpoint) => [checkpoint.step, checkpoint.answer, checkpoint.by, checkpoint.via]),
    [
      [3, 'yes', 'Chloe', 'approve'],
      [6, 'no', 'nobody', 'timeout'],
    ],
  );
  for (const [index, checkpoint] of summary.checkpoints.entries()) {
    assert.is(checkpoint.decisionMs, answered[index].decisionMs);
    assert.is(checkpoint.decisionMs, Math.round(answered[index].t - asked[index].t));
    assert.is(checkpoint.question, asked[index].question);
  }
  // The timeout answered after its 3 s, and not long after.
  const timedOut = summary.checkpoints[1];
  assert.ok(timedOut.decisionMs! >= 3_000 && timedOut.decisionMs! < 3_500, `${timedOut.decisionMs} ms`);
  assert.is(timedOut.timeoutMs, 3_000);
});

test("the day's objectives: one experiment failed and one was skipped, so 'passed' is missed", () => {
  assert.equal(
    summary.objectives.map((objective) => [objective.text, objective.met]),
    [
      ['passed', false],
      ['budget<5%', true],
      ['rto<60s', true],
    ],
  );
  assert.is(summary.objectives[0].measured, '1 of 3 experiments passed; heavy latency failed; 1 skipped');
  assert.equal(judgeDay(summary).status, 'failed');
});

test('the fold event by event, asked midway, ends where the whole journal does', () => {
  const summarizer = new ScenarioSummarizer();
  let midway: ReturnType<ScenarioSummarizer['result']> | null = null;
  for (const event of events) {
    summarizer.add(event);
    if (event.type === 'checkpoint.asked' && midway === null) midway = summarizer.result();
  }
  assert.is(midway!.status, 'running');
  assert.equal(
    midway!.steps.map((step) => step.status),
    ['done', 'passed', 'running', 'pending', 'pending', 'pending', 'pending'],
  );
  assert.is(midway!.checkpoints[0].answer, null);
  assert.equal(summarizer.result(), summary);
});

test('judging objectives: never recovered misses rto; an RPO not measured misses rpo; nothing measured is null', () => {
  const base: ScenarioExperimentSummary = {
    step: 1,
    name: 'x',
    file: 'x.ts',
    continueOnFailure: false,
    status: 'passed',
    reason: '',
    runId: 'r',
    runDir: '01-r',
    durationMs: 1,
    rto: { ms: 100, objectiveMs: null, met: null, recovered: true, atLeastMs: null },
    rpo: null,
    slos: [],
  };
  const lost = { ...base, name: 'lost', rto: { ...base.rto!, ms: null, recovered: false, atLeastMs: 9_000 } };
  const unmeasured = {
    ...base,
    name: 'ledger',
    rpo: { ms: null, objectiveMs: 1_000, met: false, lostWrites: 0, ackedWrites: 0 },
  };
  const objectives = [
    { metric: 'rto' as const, text: 'rto<60s', op: '<' as const, value: 60_000 },
    { metric: 'rpo' as const, text: 'rpo<=1s', op: '<=' as const, value: 1_000 },
    { metric: 'budget' as const, text: 'budget<5%', op: '<' as const, value: 5 },
  ];
  assert.equal(
    judgeObjectives(objectives, [base, lost, unmeasured], []).map((result) => [result.measured, result.met]),
    [
      ['lost: clients never recovered (≥ 9s)', false],
      ['ledger: RPO not measured', false],
      ['no SLO was measured', null],
    ],
  );
  assert.equal(
    judgeObjectives(objectives.slice(0, 1), [base], []).map((result) => [result.measured, result.met]),
    [['worst 100ms (x)', true]],
  );
});

test('report.md: the agenda, every experiment with a link to its own report, the decisions', () => {
  const markdown = renderScenarioMarkdown(summary);
  assert.ok(markdown.startsWith('# GameDay: journal fixture: a day ended by a no-go — ABORTED\n'), markdown);
  for (const experiment of summary.experiments.filter((entry) => entry.runDir))
    assert.ok(markdown.includes(`[report](${experiment.runDir}/report.md)`), experiment.name);
  assert.match(markdown, /\| 3 \| Go on to the heavy latency\? \| yes by Chloe \(gameday approve\) after 3\.02s \|/);
  assert.match(markdown, /\| 6 \| Go on to the last drill\? \| no by nobody \(timeout default\) after 3s \|/);
  assert.match(markdown, /\| 7 \| experiment \| never reached \| \+0:\d\d \| — \| \S+ \| — \| SKIPPED \|/);
  assert.match(markdown, /\| passed \| 1 of 3 experiments passed; heavy latency failed; 1 skipped \| \*\*no\*\* \|/);
});

test('junit.xml: a testcase per experiment (the skipped one skipped), per objective, and the stopped day', () => {
  const parsed = parseJunit(renderScenarioJunit(summary)) as Promise<{ testsuite?: TestSuite[] }>;
  return parsed.then((junit) => {
    const suite = junit.testsuite![0];
    const cases = suite.testcase as TestCase[];
    assert.equal(
      cases.map((entry) => entry.name),
      [
        'step 2: mild latency',
        'step 5: heavy latency',
        'step 7: never reached',
        'objective passed',
        'objective budget<5%',
        'objective rto<60s',
        'day',
      ],
    );
    assert.equal([suite.tests, suite.failures, suite.errors, suite.skipped], [7, 2, 1, 1]);
    assert.ok(cases[2].skipped, 'the experiment the day never reached is skipped');
    assert.match(String(cases[1].failure?.[0]?.message), /^FAILED: RTO \d+ ms > objective 500 ms/);
    assert.match(String(cases[6].error?.[0]?.message), /^day ABORTED: no-go at step 6/);
  });
});

test.run();
