import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computeRto, type RecoveryCriteria } from '../../src/measure/rto';
import { between, samplesEvery } from '../support/samples';

const every50ms = (failing: (t: number) => boolean, to = 40_000) => samplesEvery(50, 0, to, failing);
const standard: RecoveryCriteria = { successRatio: 0.95, windowMs: 5_000 };

interface Row {
  name: string;
  failing: (t: number) => boolean;
  tFault: number;
  criteria?: RecoveryCriteria;
  expect: { recovered: boolean | null; rtoMs?: number | null; atLeastMs?: number; failedSamples?: number };
}

const table: Row[] = [
  {
    name: 'no failure at all: RTO is zero',
    failing: () => false,
    tFault: 10_000,
    expect: { recovered: true, rtoMs: 0, failedSamples: 0 },
  },
  {
    name: 'a clean 10 s outage',
    failing: between(10_000, 20_000),
    tFault: 10_000,
    expect: { recovered: true, rtoMs: 10_000, failedSamples: 200 },
  },
  {
    name: 'never recovered: at least until the end',
    failing: between(10_000, 40_000),
    tFault: 10_000,
    expect: { recovered: false, rtoMs: null, atLeastMs: 29_950 },
  },
  {
    name: 'flapping extends RTO to the last relapse',
    failing: (t) => between(10_000, 20_000)(t) || between(21_000, 23_000)(t),
    tFault: 10_000,
    expect: { recovered: true, rtoMs: 13_000 },
  },
  {
    name: 'one failed request within tolerance: zero',
    failing: (t) => t === 15_000,
    tFault: 10_000,
    expect: { recovered: true, rtoMs: 0, failedSamples: 1 },
  },
  {
    name: '4 failures in a window of 100 are tolerated at 95%',
    failing: between(15_000, 15_200),
    tFault: 10_000,
    expect: { recovered: true, rtoMs: 0, failedSamples: 4 },
  },
  {
    name: '6 failures in a window of 100 are not',
    failing: between(15_000, 15_300),
    tFault: 10_000,
    expect: { recovered: true, rtoMs: 5_300, failedSamples: 6 },
  },
  {
    name: 'outage that began before the fault counts from t_fault',
    failing: between(9_000, 12_000),
    tFault: 10_000,
    expect: { recovered: true, rtoMs: 2_000 },
  },
  {
    name: 'recovery in the last stretch shorter than a window',
    failing: between(10_000, 38_000),
    tFault: 10_000,
    expect: { recovered: true, rtoMs: 28_000 },
  },
  {
    name: 'a fault after the last sample: nothing to measure',
    failing: () => false,
    tFault: 50_000,
    expect: { recovered: null },
  },
  {
    name: 'window end is exclusive: the sample at u+W belongs to the next window',
    failing: between(10_000, 15_000),
    tFault: 10_000,
    criteria: { successRatio: 1, windowMs: 1_000 },
    expect: { recovered: true, rtoMs: 5_000 },
  },
  {
    name: 'a window exactly full of failures at the boundary',
    failing: between(10_000, 11_000),
    tFault: 10_000,
    criteria: { successRatio: 0.5, windowMs: 1_000 },
    expect: { recovered: true, rtoMs: 1_000 },
  },
  {
    name: 'threshold 0 tolerates anything',
    failing: between(10_000, 20_000),
    tFault: 10_000,
    criteria: { successRatio: 0, windowMs: 5_000 },
    expect: { recovered: true, rtoMs: 0 },
  },
];

for (const row of table) {
  test(row.name, () => {
    const result = computeRto(every50ms(row.failing), row.tFault, row.criteria ?? standard);
    assert.is(result.recovered, row.expect.recovered);
    if (result.recovered === null) return;
    if (row.expect.rtoMs !== undefined) assert.is(result.rtoMs, row.expect.rtoMs);
    if (row.expect.failedSamples !== undefined) assert.is(result.failedSamples, row.expect.failedSamples);
    if (row.expect.atLeastMs !== undefined && result.recovered === false)
      assert.is(result.atLeastMs, row.expect.atLeastMs);
  });
}

test('unsorted samples give the same answer as sorted ones', () => {
  const samples = every50ms(between(10_000, 20_000));
  const shuffled = [...samples].sort((a, b) => ((a.t * 7919) % 1000) - ((b.t * 7919) % 1000));
  assert.equal(computeRto(shuffled, 10_000, standard), computeRto(samples, 10_000, standard));
});

test('recovery observed for less than a window is flagged by observedAfterRecoveryMs', () => {
  const result = computeRto(every50ms(between(10_000, 38_000)), 10_000, standard);
  assert.ok(result.recovered === true && result.observedAfterRecoveryMs < standard.windowMs);
});

test('an observation shorter than one window after the fault is judged as a whole', () => {
  const samples = samplesEvery(50, 0, 12_000, between(10_000, 11_000));
  const result = computeRto(samples, 10_000, standard);
  assert.ok(result.recovered === true && result.rtoMs === 1_000 && result.observedAfterRecoveryMs === 950);
  const tolerant = computeRto(samples, 10_000, { successRatio: 0.5, windowMs: 5_000 });
  assert.ok(tolerant.recovered === true && tolerant.rtoMs === 0);
});

test('endT beyond the last sample lets the last windows be judged', () => {
  const samples = every50ms(between(10_000, 20_000), 30_000);
  const result = computeRto(samples, 10_000, standard, 30_000);
  assert.ok(result.recovered === true && result.rtoMs === 10_000);
});

test.run();
