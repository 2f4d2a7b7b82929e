import { valuesAtRanks } from './order-statistics';

/**
 * Nearest-rank percentiles over a list of values (the same definition HDR histograms
 * use: the smallest value with at least p% of values at or below it).
 */
export function percentile(sortedValues: ArrayLike<number>, p: number): number | null {
  if (sortedValues.length === 0) return null;
  return sortedValues[nearestRank(p, sortedValues.length)];
}

export interface LatencySummary {
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** The 0-based rank `percentile` reads for p among n sorted values (n > 0). */
function nearestRank(p: number, n: number): number {
  if (p <= 0) return 0;
  if (p >= 100) return n - 1;
  return Math.max(0, Math.ceil((p / 100) * n) - 1);
}

/** Exact, as `percentile` over the values sorted, without sorting a copy of them (order-statistics.ts). */
export function summarizeLatency(values: ArrayLike<number>): LatencySummary {
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  if (values.length === 0) return { p50: null, p90: null, p99: null, max: null };
  const [p50, p90, p99, max] = valuesAtRanks(
    values,
    [50, 90, 99, 100].map((p) => nearestRank(p, values.length)),
  );
  return { p50: round(p50), p90: round(p90), p99: round(p99), max: round(max) };
}
