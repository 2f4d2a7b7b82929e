/**
 * Client-observed RTO (DESIGN.md, "What the numbers mean").
 *
 * RTO = t_recovered − t_fault, where t_recovered is the first success after which the
 * traffic success ratio stays ≥ `successRatio` over the recovery window for the rest of
 * the observation. Pure: samples in, numbers out.
 *
 * Windows are anchored at sample times: the window at anchor u holds the samples with
 * u ≤ t < u + W. A window is *violating* when its success ratio is below the threshold.
 * Only windows that fit inside the observation are judged, because a window cut short
 * by the end of the run has too few samples to mean anything — except when the
 * candidate recovery itself lies in that last stretch (see below).
 *
 * A window anchored at u contains only samples at or after u, so whether recovery "holds"
 * after a candidate s depends only on the windows anchored at or after s. Hence:
 *   t_recovered = the first successful sample after the last violating anchor.
 * If no window anchored at or after t_fault violates, clients never saw more failure than
 * the threshold tolerates and RTO is 0.
 */

export interface OutcomeSample {
  /** When the request was due to be sent (open model: its scheduled time), ms. */
  t: number;
  ok: boolean;
}

export interface RecoveryCriteria {
  /** Minimum success ratio a window must keep, 0..1. */
  successRatio: number;
  /** Window length in ms. */
  windowMs: number;
}

export type RtoResult =
  | {
      recovered: true;
      /** t_recovered − t_fault, ms; 0 when clients never saw a failure beyond tolerance. */
      rtoMs: number;
      tRecovered: number;
      /** Time of the first failure at or after t_fault, if any. */
      firstFailureAt: number | null;
      /** Failed samples at or after t_fault. */
      failedSamples: number;
      /**
       * How long recovery was observed before the run ended, ms. Less than the window
       * means the verdict rests on a short tail and is reported with less confidence.
       */
      observedAfterRecoveryMs: number;
    }
  | {
      recovered: false;
      rtoMs: null;
      tRecovered: null;
      firstFailureAt: number | null;
      failedSamples: number;
      /** Not recovered by the end: RTO is at least this long. */
      atLeastMs: number;
    }
  | { recovered: null; reason: 'no samples after the fault' };

/**
 * @param samples outcomes sorted by `t` (unsorted input is sorted on a copy)
 * @param tFault  when the first fault became active
 * @param endT    end of the observation; defaults to the last sample's time
 */
export function computeRto(
  samples: readonly OutcomeSample[],
  tFault: number,
  criteria: RecoveryCriteria,
  endT?: number,
): RtoResult {
  const sorted = isSorted(samples) ? samples : [...samples].sort((a, b) => a.t - b.t);
  const start = lowerBound(sorted, tFault);
  if (start >= sorted.length) return { recovered: null, reason: 'no samples after the fault' };

  const end = endT ?? sorted[sorted.length - 1].t;
  const window = criteria.windowMs;
  let failedSamples = 0;
  let firstFailureAt: number | null = null;
  for (let i = start; i < sorted.length; i++) {
    if (!sorted[i].ok) {
      failedSamples++;
      if (firstFailureAt === null) firstFailureAt = sorted[i].t;
    }
  }

  // Two pointers: for each anchor i, samples in [t_i, t_i + W) are sorted[i..j).
  let lastViolatingAnchor = -1;
  let okInWindow = 0;
  let j = start;
  for (let i = start; i < sorted.length; i++) {
    const anchor = sorted[i].t;
    if (anchor + window > end) break; // this and later windows do not fit in the observation
    if (j < i) {
      j = i;
      okInWindow = 0;
    }
    while (j < sorted.length && sorted[j].t < anchor + window) {
      if (sorted[j].ok) okInWindow++;
      j++;
    }
    const count = j - i;
    if (count > 0 && okInWindow / count < criteria.successRatio) lastViolatingAnchor = i;
    if (sorted[i].ok) okInWindow--;
  }

  if (lastViolatingAnchor === -1) {
    // The tail that no full window covers is judged as one window of its own.
    const tailStart = firstAnchorBeyond(sorted, start, end - window);
    if (!tailHolds(sorted, tailStart, criteria.successRatio)) {
      return recoveryInTail(sorted, Math.max(start, tailStart), tFault, end, criteria, failedSamples, firstFailureAt);
    }
    return {
      recovered: true,
      rtoMs: 0,
      tRecovered: tFault,
      firstFailureAt,
      failedSamples,
      observedAfterRecoveryMs: end - tFault,
    };
  }

  return recoveryInTail(sorted, lastViolatingAnchor + 1, tFault, end, criteria, failedSamples, firstFailureAt);
}

/** Looks for recovery from index `from` on: the first success whose remaining tail holds. */
function recoveryInTail(
  sorted: readonly OutcomeSample[],
  from: number,
  tFault: number,
  end: number,
  criteria: RecoveryCriteria,
  failedSamples: number,
  firstFailureAt: number | null,
): RtoResult {
  for (let i = from; i < sorted.length; i++) {
    if (!sorted[i].ok) continue;
    // Anchors after the last violation all hold when their windows fit; a candidate in
    // the unjudged tail must hold over what is left of the observation instead.
    const fitsFullWindow = sorted[i].t + criteria.windowMs <= end;
    if (fitsFullWindow || tailHolds(sorted, i, criteria.successRatio)) {
      return {
        recovered: true,
        rtoMs: sorted[i].t - tFault,
        tRecovered: sorted[i].t,
        firstFailureAt,
        failedSamples,
        observedAfterRecoveryMs: end - sorted[i].t,
      };
    }
  }
  return { recovered: false, rtoMs: null, tRecovered: null, firstFailureAt, failedSamples, atLeastMs: end - tFault };
}

/** Whether every suffix starting at a success from `from` keeps the ratio; used for the unjudged tail. */
function tailHolds(sorted: readonly OutcomeSample[], from: number, successRatio: number): boolean {
  let ok = 0;
  let count = 0;
  for (let i = sorted.length - 1; i >= from; i--) {
    count++;
    if (sorted[i].ok) ok++;
  }
  return count === 0 || ok / count >= successRatio;
}

function firstAnchorBeyond(sorted: readonly OutcomeSample[], from: number, t: number): number {
  let i = from;
  while (i < sorted.length && sorted[i].t <= t) i++;
  return i;
}

function lowerBound(sorted: readonly OutcomeSample[], t: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid].t < t) low = mid + 1;
    else high = mid;
  }
  return low;
}

function isSorted(samples: readonly OutcomeSample[]): boolean {
  for (let i = 1; i < samples.length; i++) if (samples[i].t < samples[i - 1].t) return false;
  return true;
}
