/**
 * Failover strategies as a target names them: one registry on the lab side (the
 * processes) and one on the runbook side, with the same names; an unknown strategy
 * refused with the list of valid ones, by the lab and by experiment validation.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planExperiment } from '../../src/engine/plan';
import { validateExperiment } from '../../src/experiment/validate';
import { strategyRunbook } from '../../src/failover/strategies';
import { defaultStrategy, labStrategy, strategyNames } from '../../src/lab/strategies';
import { LabConfigError } from '../../src/lab/topology';
import { issuesOf } from '../support/validation';

test('the default strategy is today’s lab: DNS failover records in front of streaming standbys', () => {
  assert.is(defaultStrategy, 'active-passive-dns');
  const strategy = labStrategy();
  assert.is(strategy.name, 'active-passive-dns');
  assert.is(strategy.database, 'streaming');
  assert.is(strategy.entry, 'dns-failover');
});

test('every strategy has a runbook side, and each of its runbook steps is one the lab strategy carries out', () => {
  for (const name of strategyNames) {
    const runbook = strategyRunbook(name);
    const lab = labStrategy(name);
    assert.is(lab.name, name);
    for (const step of [...runbook.beforeMove, ...runbook.afterMove])
      assert.ok((lab.steps as readonly string[]).includes(step), `${name}: runbook step ${step} is not a lab step`);
  }
});

test('the lab refuses an unknown strategy with the list of valid ones', () => {
  try {
    labStrategy('multi-master');
    assert.unreachable('accepted');
  } catch (error) {
    assert.instance(error, LabConfigError);
    assert.match((error as Error).message, `unknown strategy "multi-master"; valid strategies: ${strategyNames[0]}`);
  }
});

test('an experiment names the strategy in its lab target; default active-passive-dns', () => {
  const experiment = validateExperiment(
    { name: 'x', target: { kind: 'lab' }, traffic: { kind: 'http', endpoint: 'app' } },
    'x.ts',
  );
  assert.is((experiment.target as { strategy: string }).strategy, 'active-passive-dns');
  const issues = issuesOf({
    name: 'x',
    target: { kind: 'lab', strategy: 'multi-master' },
    traffic: { kind: 'http', endpoint: 'app' },
  });
  assert.equal(issues, [
    `target.strategy: expected one of ${strategyNames.map((name) => `"${name}"`).join(', ')}, got "multi-master"`,
  ]);
});

test('where every region writes, the lab builds every region a primary and the runbook moves no writer', () => {
  for (const name of strategyNames)
    assert.is(
      strategyRunbook(name).writers === 'every-region',
      labStrategy(name).database === 'logical',
      `${name}: its runbook and its lab agree on who writes`,
    );
  const drill = (strategy: string) =>
    planExperiment(
      validateExperiment(
        {
          name: 'x',
          target: { kind: 'lab', strategy },
          traffic: { kind: 'http', endpoint: 'app' },
          faults: [{ kind: 'regionOutage', name: 'out', region: 'us-east-1', after: '1s', duration: '5s' }],
          failover: { from: 'us-east-1', to: 'eu-west-1' },
          duration: '10s',
        },
        'x.ts',
      ),
    ).map((step) => step.action);
  const both = drill('data-active-active');
  assert.ok(
    both.some((action) => action.includes('fence + promote: none — every region of the data-active-active lab')),
  );
  assert.ok(both.some((action) => action.startsWith('failback: none — no writer moved')));
  assert.not.ok(both.some((action) => action.includes('FailoverGlobalCluster')));
  const one = drill('active-passive-dns');
  assert.ok(one.some((action) => action.includes('fence + promote: RDS FailoverGlobalCluster')));
});

test.run();
