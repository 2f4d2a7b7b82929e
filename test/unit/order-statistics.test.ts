/**
 * Percentiles without a sorted copy (measure/order-statistics.ts): every rank against the
 * sorted copy it replaces, on lists long enough to take the radix path, with the shapes that
 * path must get right (ties, values sharing all but their last bits, Infinity, NaN, a view
 * into a larger buffer), and the lists it leaves to a sorted copy (negative values, short).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { valuesAtRanks } from '../../src/measure/order-statistics';
import { summarizeLatency, percentile } from '../../src/measure/percentiles';
import { seeded } from '../../bench/synthetic-journal';

const long = 100_000;

/** Every rank the summaries ask for, and the ends and a few more. */
function ranksOf(n: number): number[] {
  const ranks = new Set([0, 1, n - 2, n - 1]);
  for (const p of [0.1, 10, 25, 50, 90, 99, 99.9]) ranks.add(Math.min(n - 1, Math.ceil((p / 100) * n) - 1));
  return [...ranks].filter((rank) => rank >= 0 && rank < n);
}

function assertAsSortedCopy(values: Float64Array, label: string): void {
  const before = Float64Array.from(values);
  const sorted = Float64Array.from(values).sort();
  const ranks = ranksOf(values.length);
  assert.equal(
    valuesAtRanks(values, ranks),
    ranks.map((rank) => sorted[rank]),
    label,
  );
  // Compared as bytes: NaN is not equal to itself.
  const bytes = (array: Float64Array) => Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  assert.ok(bytes(values).equals(bytes(before)), `${label}: the values are left as they were`);
}

test('valuesAtRanks: the value a sorted copy holds at each rank, on long lists of every shape', () => {
  const random = seeded(17);
  const shapes: Record<string, (i: number) => number> = {
    // Latencies as a drill sees them: mostly quick, a tail, a few timeouts.
    latencies: () => (random() < 0.97 ? Math.round(random() * 800) / 10 : 2_000 + Math.round(random() * 30_000)),
    // Few distinct values: the candidates at a rank are all equal, down to the last 16 bits.
    ties: () => [0, 12.5, 12.5, 40, 3_000][Math.floor(random() * 5)],
    // One value and its neighbours a few ulps away: told apart only by the last bits.
    neighbours: () => 1 + Math.floor(random() * 8) * Number.EPSILON,
    // Every value equal.
    constant: () => 42.1,
    // Zero, denormals, huge values, Infinity.
    extremes: () => [0, 5e-324, 1e-310, 1e300, Infinity, 3][Math.floor(random() * 6)],
    // NaN sorts last, as a sorted copy places it.
    nan: (i) => (i % 97 === 0 ? NaN : random() * 100),
    // Many values in one 16-bit prefix: collected after a second or third pass.
    narrow: () => 1_000 + random() * 1e-9,
  };
  for (const [shape, value] of Object.entries(shapes))
    assertAsSortedCopy(
      Float64Array.from({ length: long }, (_, i) => value(i)),
      shape,
    );
});

test('valuesAtRanks: a view into a larger buffer reads only its own values', () => {
  const random = seeded(23);
  const whole = Float64Array.from({ length: long * 2 }, (_, i) => (i < long / 2 ? -1 : random() * 1_000));
  assertAsSortedCopy(whole.subarray(long / 2, long / 2 + long), 'subarray');
});

test('valuesAtRanks: negative values, -0 and short lists are sorted as a copy, with the same answers', () => {
  const random = seeded(29);
  assertAsSortedCopy(
    Float64Array.from({ length: long }, () => random() * 200 - 100),
    'negative',
  );
  assertAsSortedCopy(
    Float64Array.from({ length: long }, (_, i) => (i === 5 ? -0 : random())),
    '-0',
  );
  assertAsSortedCopy(Float64Array.from([3, 1, 2]), 'short');
  assert.equal(valuesAtRanks([5, 4, 3, 2, 1], [0, 4]), [1, 5], 'an array of numbers');
  assert.equal(valuesAtRanks([], []), []);
  assert.throws(() => valuesAtRanks([1, 2], [2]), /rank 2 outside 0\.\.1/);
});

test('summarizeLatency: the nearest-rank percentiles of the values sorted, rounded to a tenth', () => {
  const random = seeded(31);
  for (const n of [1, 2, 7, 1_000, long]) {
    const values = Float64Array.from({ length: n }, () => random() * 5_000);
    const sorted = Float64Array.from(values).sort();
    const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
    assert.equal(
      summarizeLatency(values),
      {
        p50: round(percentile(sorted, 50)),
        p90: round(percentile(sorted, 90)),
        p99: round(percentile(sorted, 99)),
        max: round(percentile(sorted, 100)),
      },
      `n=${n}`,
    );
  }
  assert.equal(summarizeLatency([]), { p50: null, p90: null, p99: null, max: null });
});

test.run();
