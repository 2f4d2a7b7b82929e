import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { plainWordsSummary } from '../../src/report/plain-words';
import { objectivesOf } from '../../src/analysis/judge';
import type { RunSummary } from '../../src/analysis/summary';
import type { SloSummary } from '../../src/analysis/slos';

const day = 86_400_000;

function summary(changes: Omit<Partial<RunSummary>, 'rto'> & { rto?: Partial<RunSummary['rto']> } = {}): RunSummary {
  const { rto, ...rest } = changes;
  return {
    schema: 'gameday/run/v2',
    runId: 'run-1',
    experiment: 'region failover',
    description: '',
    file: 'experiments/x.ts',
    service: null,
    staleAfterMs: null,
    target: { kind: 'lab' },
    status: 'passed',
    reason: 'ok',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:01:00.000Z',
    durationMs: 60_000,
    runDir: '/tmp/run-1',
    faults: [
      {
        name: 'us-east-1-offline',
        kind: 'regionOutage',
        injectedAt: 'x',
        revertedAt: 'y',
        injectedAtMs: 5_000,
        revertedAtMs: 30_000,
        activeMs: 25_000,
        rollback: '',
        error: null,
      },
    ],
    traffic: {
      probe: 'traffic',
      url: 'http://app',
      rate: 20,
      requests: 1000,
      errors: 100,
      successRatio: 0.9,
      latencyMs: { p50: 5, p90: 9, p99: 20, max: 30 },
      latencyByPeriod: {
        beforeFaults: { p50: 5, p90: 8, p99: 9, max: 10, requests: 100 },
        duringFaults: { p50: 6, p90: 9, p99: 25, max: 30, requests: 500 },
        afterFaults: { p50: 5, p90: 8, p99: 9, max: 10, requests: 400 },
      },
      regions: {},
    },
    rto: {
      ms: 41_000,
      objectiveMs: 60_000,
      met: true,
      recovered: true,
      atLeastMs: null,
      tFault: null,
      tRecovered: null,
      failedRequests: 100,
      criteria: { successRatio: 0.95, windowMs: 5_000 },
      note: null,
      phases: null,
      bounds: null,
      cause: null,
      tOnset: null,
      onsetMs: null,
      ...rto,
    },
    journeys: [],
    impact: [],
    failback: null,
    failover: { from: 'us-east-1', to: 'eu-west-1', ok: true, reason: null, steps: [], changes: [] },
    probes: [],
    rpo: null,
    staleReads: null,
    resources: null,
    slos: [],
    alerts: null,
    baseline: null,
    series: [],
    steadyState: {
      before: { ok: true, successRatio: 1, required: 0.99 },
      after: { ok: true, successRatio: 1, required: 0.99 },
    },
    stopConditions: [],
    errors: [],
    notes: [],
    timeline: [],
    ...rest,
  };
}

function rpo(changes: Partial<NonNullable<RunSummary['rpo']>>): RunSummary['rpo'] {
  return {
    ms: 300,
    objectiveMs: 1_000,
    met: true,
    ackedWrites: 400,
    lostWrites: 3,
    duplicateWrites: 0,
    splitBrain: false,
    lostSeqs: [1, 2, 3],
    writes: 420,
    unconfirmedWrites: 0,
    staleWriterAcks: 0,
    writers: [],
    probe: 'ledger',
    url: '',
    rate: 10,
    client: 'c',
    readBack: null,
    note: null,
    ...changes,
  };
}

function slo(changes: Partial<SloSummary>): SloSummary {
  return {
    name: 'orders',
    sli: 'availability',
    objective: 99.9,
    window: '30d',
    windowMs: 30 * day,
    thresholdMs: null,
    probe: 'traffic',
    events: 1000,
    badEvents: 100,
    errorRatio: 0.1,
    burnRate: 100,
    peakBurnRate: 100,
    burnWindowMs: 60_000,
    budgetConsumedPct: 16.2,
    budgetEvents: 617.28,
    burnTimeline: [],
    alerts: [],
    thresholds: [{ metric: 'budget', text: 'budget<20%', value: 20, measured: 16.2, met: true }],
    met: true,
    assumption: 'a',
    ...changes,
  };
}

test("the issue's sentence: region lost, errors, writes lost, monthly budget, verdict", () => {
  assert.is(
    plainWordsSummary(summary({ rpo: rpo({}), slos: [slo({})] })),
    'Losing us-east-1: customers saw 41s of errors (objective 1m), 300ms of writes were lost (3 of ' +
      '400 acknowledged writes; objective 1s), 16% of the monthly error budget burned. Every objective was met.',
  );
});

const cases: Array<[string, RunSummary, RegExp]> = [
  [
    'no ledger: data loss said to be unmeasured, not zero',
    summary(),
    /, data loss was not measured \(no write ledger\)\./,
  ],
  [
    'a ledger with nothing lost',
    summary({ rpo: rpo({ ms: 0, lostWrites: 0 }) }),
    /no acknowledged write was lost \(objective 1s\)/,
  ],
  [
    'a ledger that could not read back',
    summary({ rpo: rpo({ ms: null, met: null, note: 'the writer did not answer' }) }),
    /data loss could not be measured \(the writer did not answer\) \(objective 1s\)/,
  ],
  [
    'split brain',
    summary({ rpo: rpo({ splitBrain: true }) }),
    /acknowledged writes; objective 1s\) and two writers accepted writes \(split brain\)/,
  ],
  [
    'clients never recovered',
    summary({ rto: { ms: null, recovered: false, atLeastMs: 90_000, met: false } }),
    /customers had still not recovered when the drill ended, after at least 1m30s \(objective 1m\)/,
  ],
  ['RTO zero', summary({ rto: { ms: 0 } }), /customers saw no lasting errors/],
  [
    'RTO not measured',
    summary({ rto: { ms: null, recovered: null, met: null, note: 'no fault was injected' } }),
    /customer impact was not measured \(no fault was injected\)/,
  ],
  ['no failover: the fault names the loss', summary({ failover: null }), /^During us-east-1-offline: /],
  [
    'a weekly window, several SLOs named',
    summary({ slos: [slo({}), slo({ name: 'latency', windowMs: 7 * day, budgetConsumedPct: 0.004 })] }),
    /16% of the monthly error budget of orders burned, <0\.01% of the weekly error budget of latency burned\./,
  ],
  [
    'an unmeasured budget',
    summary({ slos: [slo({ budgetConsumedPct: null })] }),
    /the monthly error budget could not be measured \(no requests to measure\)/,
  ],
  ['an odd window in days', summary({ slos: [slo({ windowMs: 14 * day })] }), /of the 14d error budget burned/],
  [
    'failed: the missed objectives named',
    summary({ status: 'failed', rto: { met: false, objectiveMs: 30_000 } }),
    /\. Missed: RTO \(client-observed\)\.$/,
  ],
  [
    "the failback's cost follows the outage's",
    summary({
      failback: { status: 'succeeded', ms: 4_200, impactMs: 1_300, failedRequests: 11, budget: [] },
    }),
    /customers saw 41s of errors \(objective 1m\), failing back cost them 1\.3s more \(11 failed requests\), /,
  ],
  [
    'a failback clients did not feel',
    summary({ failback: { status: 'succeeded', ms: 4_200, impactMs: 0, failedRequests: 0, budget: [] } }),
    /, failing back cost them nothing, /,
  ],
  [
    'aborted: the reason',
    summary({ status: 'aborted', reason: 'stop condition errorRatio breached' }),
    /\. The drill was aborted: stop condition errorRatio breached\.$/,
  ],
  [
    'halted: the lever, and the reason',
    summary({ status: 'halted', reason: 'halted by alice at 2026-12-04T10:00:00.000Z (gameday halt): deploy' }),
    /\. The drill was halted with gameday's safety lever and rolled back: halted by alice at .*: deploy\.$/,
  ],
];
for (const [name, input, expected] of cases) {
  test(name, () => assert.match(plainWordsSummary(input), expected));
}

test('objectives: one per declared objective, unmeasured ones are neither met nor missed', () => {
  const objectives = objectivesOf(
    summary({
      rpo: rpo({ ms: null, met: null }),
      slos: [
        slo({
          thresholds: [
            { metric: 'budget', text: 'budget<20%', value: 20, measured: null, met: null },
            { metric: 'burn', text: 'burn<10', value: 10, measured: 100, met: false },
          ],
        }),
      ],
    }),
  );
  assert.equal(
    objectives.map((objective) => [objective.id, objective.met]),
    [
      ['rto', true],
      ['rpo', null],
      ['slo.orders.budget<20%', null],
      ['slo.orders.burn<10', false],
      ['steady-state', true],
    ],
  );
  assert.is(objectives[3].measured, 'peak burn rate 100x');
  assert.is(
    objectivesOf(summary({ rto: { objectiveMs: null }, steadyState: { before: null, after: null } })).length,
    0,
  );
});

test.run();
