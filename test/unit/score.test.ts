/**
 * The resilience score against a hand computation: three drills of one service, worked
 * out here from the formula in README.md, with every intermediate written down, and how
 * stale evidence lowers it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scoreServices, type ScoredRun } from '../../src/analysis/score';
import { freshness, objectiveValue } from '../../src/measure/score';

const day = 86_400_000;
const t0 = Date.parse('2026-11-01T10:00:00.000Z');
const at = (days: number) => new Date(t0 + days * day);

function drill(overrides: Partial<ScoredRun> & Pick<ScoredRun, 'runId' | 'experiment' | 'startedAt'>): ScoredRun {
  return {
    service: 'checkout',
    status: 'passed',
    staleAfterMs: null,
    rto: { ms: null, objectiveMs: null, recovered: null },
    rpo: null,
    budgets: [],
    ...overrides,
  };
}

/**
 * Day 0, region failover: RTO 8 s of 10 s → 1; budget 1% of 2% → 1.
 * Day 10, region failover again, worse: RTO 20 s of 10 s → 10/20 = 0.5; budget 3% of 2% → 2/3.
 * Day 20, database crash (staleAfter 7 days): RPO 2 s of 1 s → 0.5.
 */
const runs: ScoredRun[] = [
  drill({
    runId: 'r1',
    experiment: 'region failover',
    startedAt: at(0).toISOString(),
    rto: { ms: 8_000, objectiveMs: 10_000, recovered: true },
    budgets: [{ slo: 'orders', consumedPct: 1, objectivePct: 2 }],
  }),
  drill({
    runId: 'r2',
    experiment: 'region failover',
    startedAt: at(10).toISOString(),
    status: 'failed',
    rto: { ms: 20_000, objectiveMs: 10_000, recovered: true },
    budgets: [{ slo: 'orders', consumedPct: 3, objectivePct: 2 }],
  }),
  drill({
    runId: 'r3',
    experiment: 'database crash',
    startedAt: at(20).toISOString(),
    staleAfterMs: 7 * day,
    rpo: { ms: 2_000, objectiveMs: 1_000, met: false, splitBrain: false },
  }),
];

test('the score of three drills matches the hand computation', () => {
  // At day 40: region failover's evidence is r2's, 30 days old = its staleAfter (30d default): freshness 1.
  // database crash's is r3's, 20 days old, 13 past its staleAfter of 7: freshness 2^(-13/7) = 0.276022…
  const rpoFreshness = Math.pow(2, -13 / 7);
  const expected = (100 * (0.5 + 2 / 3 + 0.5 * rpoFreshness)) / 3; // 43.4893…
  const [service] = scoreServices(runs, at(40));
  assert.is(service.service, 'checkout');
  assert.ok(service.tagged);
  assert.equal(service.experiments, ['database crash', 'region failover']);
  assert.ok(Math.abs(service.score! - expected) < 1e-9, `${service.score} vs ${expected}`);
  assert.ok(Math.abs(service.score! - 43.4893) < 0.0001);
  assert.ok(Math.abs(service.byObjective.rto! - 50) < 1e-9);
  assert.ok(Math.abs(service.byObjective.budget! - 66.6667) < 0.001);
  assert.ok(Math.abs(service.byObjective.rpo! - 50 * rpoFreshness) < 1e-9);
  assert.equal(
    service.evidence.map((entry) => [entry.experiment, entry.name, entry.runId, entry.value, entry.stale]),
    [
      ['database crash', 'RPO', 'r3', 0.5, true],
      ['region failover', 'budget orders', 'r2', 2 / 3, false],
      ['region failover', 'RTO', 'r2', 0.5, false],
    ],
  );
});

test('stale evidence lowers the score as documented: half at twice staleAfter, a quarter at three times', () => {
  const score = (days: number) => scoreServices(runs, at(days))[0].score!;
  // At day 27 r3 is exactly 7 days old: still fresh, (0.5 + 2/3 + 0.5) / 3.
  assert.ok(Math.abs(score(27) - (100 * (0.5 + 2 / 3 + 0.5)) / 3) < 1e-9);
  // Day 34: r3 at twice its staleAfter counts half (0.25); r2 at 24 days is fresh.
  assert.ok(Math.abs(score(34) - (100 * (0.5 + 2 / 3 + 0.25)) / 3) < 1e-9);
  // Day 70: r2 is 60 days old, twice the default 30d: its RTO and budget count half; r3 at 50 days, 2^(-43/7).
  const late = (100 * (0.5 * 0.5 + (2 / 3) * 0.5 + 0.5 * Math.pow(2, -43 / 7))) / 3;
  assert.ok(Math.abs(score(70) - late) < 1e-9);
  assert.ok(score(27) > score(34) && score(34) > score(40) && score(40) > score(70), 'it only falls with age');
});

test('over time: at each drill, where evidence went stale, and now; a drill replaces its experiment’s evidence', () => {
  const [service] = scoreServices(runs, at(40));
  const marked = service.history.filter((point) => point.why !== 'curve');
  assert.equal(
    marked.map((point) => point.why),
    ['drill', 'drill', 'drill', 'stale', 'stale', 'now'],
  );
  assert.equal(
    marked.map((point) => [point.at, point.score === null ? null : Number(point.score.toFixed(3))]),
    [
      [at(0).toISOString(), 100], // r1 alone: (1 + 1) / 2
      [at(10).toISOString(), 58.333], // r2 replaces r1: (0.5 + 2/3) / 2
      [at(20).toISOString(), 55.556], // r3 joins: (0.5 + 2/3 + 0.5) / 3
      [at(27).toISOString(), 55.556], // r3 goes stale from here
      // r1's 30 days end, but r2 stands for its experiment; r3 is 3 days past its staleAfter.
      [at(30).toISOString(), Number(((100 * (0.5 + 2 / 3 + 0.5 * Math.pow(2, -3 / 7))) / 3).toFixed(3))],
      [at(40).toISOString(), 43.489],
    ],
  );
});

test('the curve between: the moment before each drill keeps the evidence before it; decay is sampled', () => {
  const [service] = scoreServices(runs, at(40));
  const before = (days: number) =>
    service.history.find((point) => point.at === new Date(at(days).getTime() - 1).toISOString());
  assert.is(before(10)!.score, 100, 'just before r2, r1 stands');
  assert.ok(Math.abs(before(20)!.score! - (100 * (0.5 + 2 / 3)) / 2) < 1e-9, 'just before r3');
  // Between day 27 (r3 stale) and day 30, and day 30 and now, the decay is drawn: strictly falling.
  const decaying = service.history.filter((point) => point.at > at(27).toISOString());
  assert.ok(decaying.length >= 14, `${decaying.length} points`);
  decaying.slice(1).forEach((point, index) => assert.ok(point.score! < decaying[index].score!));
});

test('what a drill contributes: never recovered or split brain 0; error and halted runs are no evidence', () => {
  const [service] = scoreServices(
    [
      drill({
        runId: 'a',
        experiment: 'outage',
        startedAt: at(0).toISOString(),
        rto: { ms: null, objectiveMs: 5_000, recovered: false },
        rpo: { ms: 300, objectiveMs: 1_000, met: false, splitBrain: true },
      }),
      drill({
        runId: 'b',
        experiment: 'outage',
        startedAt: at(1).toISOString(),
        status: 'error',
        rto: { ms: 1_000, objectiveMs: 5_000, recovered: true },
      }),
    ],
    at(2),
  );
  assert.is(service.score, 0);
  assert.equal(
    service.evidence.map((entry) => [entry.name, entry.runId, entry.measured, entry.value]),
    [
      ['RPO', 'a', null, 0],
      ['RTO', 'a', null, 0],
    ],
  );
  // No objective, nothing to score: untagged runs are scored under their experiment's name.
  const [untagged] = scoreServices(
    [drill({ runId: 'c', experiment: 'latency', service: null, startedAt: at(0).toISOString() })],
    at(1),
  );
  assert.equal([untagged.service, untagged.tagged, untagged.score], ['latency', false, null]);
});

test('objective value and freshness', () => {
  assert.is(objectiveValue(8, 10), 1);
  assert.is(objectiveValue(10, 10), 1);
  assert.is(objectiveValue(40, 10), 0.25);
  assert.is(objectiveValue(1, 0), 0);
  assert.is(objectiveValue(0, 0), 1);
  assert.is(freshness(5 * day, 30 * day), 1);
  assert.is(freshness(60 * day, 30 * day), 0.5);
  assert.is(freshness(90 * day, 30 * day), 0.25);
});

test.run();
