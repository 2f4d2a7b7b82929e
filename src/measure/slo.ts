/**
 * SLO error-budget burn during a drill (definitions in DESIGN.md, "What the numbers mean").
 *
 * Budgeting is by occurrences: every request is an event, good or bad. A drill lasts
 * seconds to minutes while an SLO window lasts days, so everything outside the drill is
 * an assumption, stated in every report: outside the drill, traffic arrives at the
 * drill's own rate and is all good. Under it:
 *
 *   burn rate over a span   = bad ÷ events in the span ÷ (1 − objective)
 *   budget consumed         = bad ÷ ((1 − objective) × rate × SLO window)
 *
 * and an alert pair (long/short window, factor) fires at the first moment both windows,
 * ending then, burn faster than the factor (the SRE workbook's multi-window,
 * multi-burn-rate alerts). After the drill the short window only drains, so a pair that
 * has not fired by the end of the observation never fires.
 */

export interface SloBucket {
  /** Events (requests) that were due in this bucket, and the bad ones among them. */
  total: number;
  bad: number;
}

export interface AlertPair {
  longMs: number;
  shortMs: number;
  factor: number;
}

/** The SRE workbook's page and ticket pairs for a 30-day window. */
export const defaultAlertPairs: readonly AlertPair[] = [
  { longMs: 3_600_000, shortMs: 300_000, factor: 14.4 },
  { longMs: 21_600_000, shortMs: 1_800_000, factor: 6 },
  { longMs: 86_400_000, shortMs: 7_200_000, factor: 3 },
  { longMs: 259_200_000, shortMs: 21_600_000, factor: 1 },
];

export interface SloInput {
  /** As a fraction: 0.999 for 99.9%. */
  objective: number;
  windowMs: number;
  /** Consecutive buckets of `bucketMs` from the start of the observation. */
  buckets: readonly SloBucket[];
  bucketMs: number;
  /** Offset of t_fault from the start of the observation, when a fault was injected. */
  faultOffsetMs: number | null;
  alerts: readonly AlertPair[];
  /** The trailing window of the burn-rate timeline and of the peak burn rate. */
  burnWindowMs: number;
}

export interface AlertOutcome extends AlertPair {
  fired: boolean;
  /** Offset from the start of the observation of the first moment both windows burned faster than the factor. */
  firedAtMs: number | null;
  /** The same moment after t_fault (from the start of the observation when there was no fault). */
  firedAfterMs: number | null;
}

export interface SloResult {
  events: number;
  badEvents: number;
  /** Events per second over the observation: the rate assumed outside it. */
  ratePerSecond: number;
  errorRatio: number | null;
  /** Over the whole observation. */
  burnRate: number | null;
  /** The highest burn over any trailing `burnWindowMs` ending inside the observation. */
  peakBurnRate: number | null;
  budgetConsumedPct: number | null;
  /** The bad events the whole SLO window allows at the drill's rate: what a drill's bad events are a share of. */
  budgetEvents: number | null;
  /**
   * Burn over the trailing `burnWindowMs` at the end of each bucket: `burnRates[i]` at offset `(i + 1) × bucketMs`. A
   * column, not an object per bucket: a day of seconds is 86,400 of them.
   */
  burnRates: Float64Array;
  alerts: AlertOutcome[];
}

/** Events per second over the buckets: the rate assumed outside them. */
export function drillRatePerSecond(buckets: readonly SloBucket[], bucketMs: number): number {
  const observedMs = buckets.length * bucketMs;
  const events = buckets.reduce((sum, bucket) => sum + bucket.total, 0);
  return observedMs > 0 ? (events * 1000) / observedMs : 0;
}

/**
 * The error ratio over a trailing span ending at the end of bucket `end - 1`, under the drill's assumption: the part of
 * the span before the first bucket, and after the last, is good traffic at the drill's rate. Prefix sums make every
 * span O(1).
 */
export function trailingErrorRatio(
  buckets: readonly SloBucket[],
  bucketMs: number,
): (end: number, spanMs: number) => number {
  const ratePerSecond = drillRatePerSecond(buckets, bucketMs);
  const totalBefore = new Float64Array(buckets.length + 1);
  const badBefore = new Float64Array(buckets.length + 1);
  buckets.forEach((bucket, index) => {
    totalBefore[index + 1] = totalBefore[index] + bucket.total;
    badBefore[index + 1] = badBefore[index] + bucket.bad;
  });
  const last = buckets.length;
  return (end, spanMs) => {
    const spanBuckets = Math.max(1, Math.round(spanMs / bucketMs));
    const start = end - spanBuckets;
    const from = Math.min(last, Math.max(0, start));
    const to = Math.min(last, Math.max(0, end));
    const observedTotal = totalBefore[to] - totalBefore[from];
    const bad = badBefore[to] - badBefore[from];
    const assumedTotal = ((spanBuckets - (to - from)) * bucketMs * ratePerSecond) / 1000;
    const total = observedTotal + assumedTotal;
    return total > 0 ? bad / total : 0;
  };
}

export function computeSlo(input: SloInput): SloResult {
  const { objective, windowMs, buckets, bucketMs } = input;
  if (!(objective > 0 && objective < 1))
    throw new RangeError(`objective must be between 0 and 1 exclusive, got ${objective}`);
  const allowed = 1 - objective;
  let events = 0;
  let badEvents = 0;
  for (const bucket of buckets) {
    events += bucket.total;
    badEvents += bucket.bad;
  }
  const ratePerSecond = drillRatePerSecond(buckets, bucketMs);
  const errorRatio = events > 0 ? badEvents / events : null;
  const budgetEvents = allowed * ratePerSecond * (windowMs / 1000);
  const errorRatioEndingAt = trailingErrorRatio(buckets, bucketMs);
  /** Burn over the `spanMs` ending at the end of bucket `end - 1`. */
  const burnEndingAt = (end: number, spanMs: number): number => errorRatioEndingAt(end, spanMs) / allowed;

  const burnRates = new Float64Array(buckets.length);
  let peakBurnRate: number | null = null;
  for (let end = 1; end <= buckets.length; end++) {
    const burnRate = burnEndingAt(end, input.burnWindowMs);
    burnRates[end - 1] = burnRate;
    if (peakBurnRate === null || burnRate > peakBurnRate) peakBurnRate = burnRate;
  }

  const alerts = input.alerts.map((pair): AlertOutcome => {
    for (let end = 1; end <= buckets.length; end++) {
      if (burnEndingAt(end, pair.shortMs) > pair.factor && burnEndingAt(end, pair.longMs) > pair.factor) {
        const firedAtMs = end * bucketMs;
        return { ...pair, fired: true, firedAtMs, firedAfterMs: firedAtMs - (input.faultOffsetMs ?? 0) };
      }
    }
    return { ...pair, fired: false, firedAtMs: null, firedAfterMs: null };
  });

  return {
    events,
    badEvents,
    ratePerSecond,
    errorRatio,
    burnRate: errorRatio === null ? null : errorRatio / allowed,
    peakBurnRate: events > 0 ? peakBurnRate : null,
    budgetConsumedPct: events > 0 ? (badEvents / budgetEvents) * 100 : null,
    budgetEvents: events > 0 ? budgetEvents : null,
    burnRates,
    alerts,
  };
}
