/**
 * Nearest-rank percentiles over a list of values (the same definition HDR histograms
 * use: the smallest value with at least p% of values at or below it).
 */
export function percentile(sortedValues: ArrayLike<number>, p: number): number | null {
  if (sortedValues.length === 0) return null;
  if (p <= 0) return sortedValues[0];
  if (p >= 100) return sortedValues[sortedValues.length - 1];
  const rank = Math.ceil((p / 100) * sortedValues.length);
  return sortedValues[Math.max(0, rank - 1)];
}

export interface LatencySummary {
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** Exact: the values are copied once into a typed array and sorted (8 bytes each, not a list of numbers). */
export function summarizeLatency(values: ArrayLike<number>): LatencySummary {
  const list = Float64Array.from(values).sort();
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  return {
    p50: round(percentile(list, 50)),
    p90: round(percentile(list, 90)),
    p99: round(percentile(list, 99)),
    max: round(percentile(list, 100)),
  };
}
