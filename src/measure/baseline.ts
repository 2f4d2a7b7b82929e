/**
 * A regression against a baseline run, in numbers. Pure. Lower is better for every metric
 * compared (RTO, RPO, budget burned, p99 latency).
 */

export interface ToleranceInput {
  /** A share of the baseline, in percent; null: none. */
  pct: number | null;
  /** An amount in the metric's unit; null: none. */
  amount: number | null;
}

/**
 * The most a run may measure and still be "no worse than the baseline": the baseline, plus
 * the larger of its share and its amount, plus the measurement's own resolution (one
 * request interval for an RTO, one ledger write interval for an RPO, one request's worth of
 * budget), which two runs of one configuration can differ by with nothing changed.
 */
export function allowedAbove(baseline: number, tolerance: ToleranceInput, resolution: number): number {
  const share = tolerance.pct === null ? 0 : (baseline * tolerance.pct) / 100;
  return baseline + Math.max(share, tolerance.amount ?? 0) + resolution;
}

/** The change from the baseline in percent of it; null from a baseline of 0. */
export function changePct(baseline: number, measured: number): number | null {
  return baseline === 0 ? null : ((measured - baseline) / baseline) * 100;
}
