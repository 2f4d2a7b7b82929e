import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ExperimentValidationError } from '../../src/experiment/errors';
import { applyObjectiveOverrides } from '../../src/experiment/overrides';
import { validateExperiment } from '../../src/experiment/validate';
import { parseGateFlags } from '../../src/cli/commands/gate';

const base = {
  name: 'gate',
  target: { kind: 'endpoints', endpoints: { api: 'http://127.0.0.1:1' } },
  traffic: { kind: 'http', endpoint: 'api' },
  hypothesis: { rto: '30s' },
};

test("rto and rpo replace the file's objectives; the input is left as it was", () => {
  const experiment = validateExperiment(
    { ...base, hypothesis: { rto: '30s', rpo: '5s' }, probes: [{ kind: 'ledger', endpoint: 'api' }] },
    'x.ts',
  );
  const overridden = applyObjectiveOverrides(experiment, { rtoMs: 1, rpoMs: 1_000 });
  assert.is(overridden.hypothesis.rto, 1);
  assert.is(overridden.hypothesis.rpo, 1_000);
  assert.is(experiment.hypothesis.rto, 30_000, 'pure');
  assert.is(experiment.hypothesis.rpo, 5_000, 'pure');
});

test('no overrides: the objectives stay', () => {
  const experiment = validateExperiment(base, 'x.ts');
  assert.equal(applyObjectiveOverrides(experiment, {}).hypothesis, experiment.hypothesis);
});

test(
  "--max-budget replaces every SLO's budget threshold and keeps the others; defaults from " + 'hypothesis.slo count',
  () => {
    const experiment = validateExperiment(
      {
        ...base,
        hypothesis: ['rto<30s', 'budget<5%', 'alerts<1'],
        slos: [
          { name: 'a', sli: 'availability', objective: 99.9, expect: ['budget<2%', 'burn<14.4'] },
          { name: 'b', sli: 'availability', objective: 99 },
        ],
      },
      'x.ts',
    );
    const overridden = applyObjectiveOverrides(experiment, { budgetPct: 10 });
    assert.equal(
      overridden.slos.map((slo) => slo.expect!.map((threshold) => threshold.text)),
      [
        ['burn<14.4', 'budget<=10%'],
        ['alerts<1', 'budget<=10%'],
      ],
    );
    assert.equal(overridden.slos[0].expect![1], { metric: 'budget', op: '<=', value: 10, text: 'budget<=10%' });
    assert.is(experiment.slos[1].expect, undefined, 'pure');
  },
);

test('an override the experiment cannot measure is an input error naming file and field', () => {
  const experiment = validateExperiment(base, 'x.ts');
  try {
    applyObjectiveOverrides(experiment, { budgetPct: 10, rpoMs: 1_000 });
    assert.unreachable('should throw');
  } catch (error) {
    assert.instance(error, ExperimentValidationError);
    const issues = (error as ExperimentValidationError).issues;
    assert.equal(
      issues.map((issue) => [issue.file, issue.path]),
      [
        ['x.ts', 'probes'],
        ['x.ts', 'slos'],
      ],
    );
    assert.match(issues[1].message, /--max-budget needs an SLO/);
  }
});

test('gate flags: durations and percentages, or a usage error saying what is valid', () => {
  assert.equal(parseGateFlags({ maxRto: '60s', maxRpo: '500ms', maxBudget: '10%' }), {
    rtoMs: 60_000,
    rpoMs: 500,
    budgetPct: 10,
  });
  assert.equal(parseGateFlags({ maxBudget: '2.5' }), { budgetPct: 2.5 });
  assert.equal(parseGateFlags({}), {});
  assert.throws(() => parseGateFlags({ maxRto: 'soon' }), /--max-rto: expected a duration like '60s'.*got "soon"/);
  assert.throws(
    () => parseGateFlags({ maxBudget: '0%' }),
    /--max-budget: expected a percentage of the error budget above 0/,
  );
  assert.throws(() => parseGateFlags({ maxBudget: '-5%' }), /--max-budget/);
});

test.run();
