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

import { SampleColumns } from './sample-columns';

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

/** Outcomes as the functions below take them: objects (tests, short journeys) or a probe's columns. */
export type Outcomes = readonly OutcomeSample[] | SampleColumns;

/**
 * @param samples outcomes sorted by `t` (unsorted input is sorted on a copy)
 * @param tFault  when the first fault became active
 * @param endT    end of the observation; defaults to the last sample's time
 */
export function computeRto(samples: Outcomes, tFault: number, criteria: RecoveryCriteria, endT?: number): RtoResult {
  const sorted = sortedByTime(samples);
  const start = sorted.lowerBound(tFault);
  const count = sorted.length;
  if (start >= count) return { recovered: null, reason: 'no samples after the fault' };

  const end = endT ?? sorted.t[count - 1];
  let failedSamples = 0;
  let firstFailureAt: number | null = null;
  for (let i = start; i < count; i++) {
    if (sorted.ok[i] === 0) {
      failedSamples++;
      if (firstFailureAt === null) firstFailureAt = sorted.t[i];
    }
  }

  const violating = violatingAnchors(sorted, start, criteria, end);
  let from: number;
  if (violating.length === 0) {
    // The tail that no full window covers is judged as one window of its own.
    const tailStart = firstAnchorBeyond(sorted, start, end - criteria.windowMs);
    if (tailHolds(sorted, tailStart, criteria.successRatio))
      return {
        recovered: true,
        rtoMs: 0,
        tRecovered: tFault,
        firstFailureAt,
        failedSamples,
        observedAfterRecoveryMs: end - tFault,
      };
    from = Math.max(start, tailStart);
  } else from = violating[violating.length - 1] + 1;

  const recovered = recoveryIndex(sorted, from, criteria, end);
  if (recovered === -1)
    return { recovered: false, rtoMs: null, tRecovered: null, firstFailureAt, failedSamples, atLeastMs: end - tFault };
  return {
    recovered: true,
    rtoMs: sorted.t[recovered] - tFault,
    tRecovered: sorted.t[recovered],
    firstFailureAt,
    failedSamples,
    observedAfterRecoveryMs: end - sorted.t[recovered],
  };
}

/** Indices of the anchors from `start` on whose full window, fitting in the observation, is below the ratio. */
export function violatingAnchors(
  sorted: SampleColumns,
  start: number,
  criteria: RecoveryCriteria,
  end: number,
): number[] {
  const violating: number[] = [];
  const { t, ok } = sorted;
  const count = sorted.length;
  // Two pointers: for each anchor i, samples in [t_i, t_i + W) are sorted[i..j).
  let okInWindow = 0;
  let j = start;
  for (let i = start; i < count; i++) {
    const anchor = t[i];
    if (anchor + criteria.windowMs > end) break; // this and later windows do not fit in the observation
    if (j < i) {
      j = i;
      okInWindow = 0;
    }
    while (j < count && t[j] < anchor + criteria.windowMs) {
      okInWindow += ok[j];
      j++;
    }
    const inWindow = j - i;
    if (inWindow > 0 && okInWindow / inWindow < criteria.successRatio) violating.push(i);
    okInWindow -= ok[i];
  }
  return violating;
}

/**
 * The first success from index `from` after which no judged window violates: one whose
 * window fits in the observation (the caller starts past the last violating anchor), or,
 * in the unjudged tail, one after which what is left holds. -1 when there is none.
 */
export function recoveryIndex(sorted: SampleColumns, from: number, criteria: RecoveryCriteria, end: number): number {
  for (let i = from; i < sorted.length; i++) {
    if (sorted.ok[i] === 0) continue;
    const fitsFullWindow = sorted.t[i] + criteria.windowMs <= end;
    if (fitsFullWindow || tailHolds(sorted, i, criteria.successRatio)) return i;
  }
  return -1;
}

/** Whether the samples from `from` to the end, taken as one window, keep the ratio; used for the unjudged tail. */
export function tailHolds(sorted: SampleColumns, from: number, successRatio: number): boolean {
  let ok = 0;
  let count = 0;
  for (let i = sorted.length - 1; i >= from; i--) {
    count++;
    ok += sorted.ok[i];
  }
  return count === 0 || ok / count >= successRatio;
}

/** The first index from `from` whose time is after t. */
export function firstAnchorBeyond(sorted: SampleColumns, from: number, t: number): number {
  let i = from;
  while (i < sorted.length && sorted.t[i] <= t) i++;
  return i;
}

/** The samples in time order, as columns (objects are copied into columns, sorted stably by due time). */
export function sortedByTime(samples: Outcomes): SampleColumns {
  return SampleColumns.from(samples);
}
