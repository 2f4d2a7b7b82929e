/**
 * Impact episodes: the separate times clients were hurt in one run (DESIGN.md, "What the
 * numbers mean"). A drill can hurt clients more than once — the outage the fault caused,
 * then the failback at the end — and each is measured on its own. Pure.
 *
 * The windows are RTO's (measure/rto.ts): anchored at each sample, W long, violating when
 * their success ratio is below the threshold. An episode is a run of violating windows: it
 * begins at the first failed request in its first violating window (its onset) and ends at
 * its recovery, the first success after its last violating window. Failures that come back
 * before the previous recovery has held for a full window belong to the same episode:
 * clients that were not yet served reliably for W were not yet recovered.
 */
import type { SampleColumns } from './sample-columns';
import {
  firstAnchorBeyond,
  recoveryIndex,
  sortedByTime,
  tailHolds,
  violatingAnchors,
  type Outcomes,
  type RecoveryCriteria,
} from './rto';

export interface ImpactEpisodeMeasure {
  /** The first failed request of the episode (its due time), ms. */
  onset: number;
  /** Its recovery (the first success after which the ratio held); null when the run ended first. */
  recoveredAt: number | null;
  /** Requests due from the onset to the recovery (to the end when it did not recover), and the failed ones. */
  requests: number;
  failed: number;
  /** From the recovery to the end of the observation, ms: less than the window is a verdict on a short tail. */
  observedAfterRecoveryMs: number | null;
}

/**
 * @param samples outcomes (sorted on a copy when they are not)
 * @param endT    end of the observation; defaults to the last sample's time
 */
export function impactEpisodes(samples: Outcomes, criteria: RecoveryCriteria, endT?: number): ImpactEpisodeMeasure[] {
  const sorted = sortedByTime(samples);
  if (sorted.length === 0) return [];
  const end = endT ?? sorted.t[sorted.length - 1];
  const violating = violatingAnchors(sorted, 0, criteria, end);

  const nextOk = nextSuccessFrom(sorted);
  const episodes: ImpactEpisodeMeasure[] = [];
  let first = -1;
  let last = -1;
  for (const anchor of violating) {
    if (first !== -1) {
      // Before the next violating window, the first success is a recovery: its own window fits and holds. It held a
      // full window when the next failure came W after it or later: that window's anchor may lie well before its
      // failures (a window violates for failures at its far end), so the anchor cannot say when clients were hurt.
      const recovered = nextOk(last + 1);
      if (recovered < anchor && sorted.t[firstFailureFrom(sorted, anchor)] >= sorted.t[recovered] + criteria.windowMs) {
        episodes.push(episode(sorted, first, recovered, end));
        first = -1;
      }
    }
    if (first === -1) first = anchor;
    last = anchor;
  }
  let judgedUntil = 0;
  if (first !== -1) {
    const recovered = recoveryIndex(sorted, last + 1, criteria, end);
    episodes.push(episode(sorted, first, recovered, end));
    if (recovered === -1) return episodes;
    judgedUntil = recovered;
  }
  // The stretch no full window covers is judged as one window of its own: failures there
  // that the threshold does not tolerate are an episode the run ended in or barely saw end.
  const tailStart = Math.max(judgedUntil, firstAnchorBeyond(sorted, 0, end - criteria.windowMs));
  if (!tailHolds(sorted, tailStart, criteria.successRatio)) {
    const onsetIndex = firstFailureFrom(sorted, tailStart);
    if (onsetIndex !== -1)
      episodes.push(episode(sorted, onsetIndex, recoveryIndex(sorted, onsetIndex, criteria, end), end));
  }
  return episodes;
}

function episode(sorted: SampleColumns, firstAnchor: number, recovered: number, end: number): ImpactEpisodeMeasure {
  // A violating window holds a failure at or after its anchor.
  const onsetIndex = firstFailureFrom(sorted, firstAnchor);
  const stop = recovered === -1 ? sorted.length : recovered;
  let failed = 0;
  for (let i = onsetIndex; i < stop; i++) failed += 1 - sorted.ok[i];
  return {
    onset: sorted.t[onsetIndex],
    recoveredAt: recovered === -1 ? null : sorted.t[recovered],
    requests: stop - onsetIndex,
    failed,
    observedAfterRecoveryMs: recovered === -1 ? null : end - sorted.t[recovered],
  };
}

/**
 * The first success at or after an index (the length when there is none), asked at indexes that never decrease: one
 * pass over the samples in all, remembered as it goes, not an index per sample (17 MB for a day of traffic).
 */
function nextSuccessFrom(sorted: SampleColumns): (from: number) => number {
  let scannedFrom = 0;
  let found = -1;
  return (from) => {
    if (from < scannedFrom) throw new RangeError(`asked from ${from} after ${scannedFrom}`);
    // Nothing between the last question and its answer succeeded: the answer stands.
    if (from > found) {
      found = from;
      while (found < sorted.length && sorted.ok[found] !== 1) found++;
    }
    scannedFrom = from;
    return found;
  };
}

function firstFailureFrom(sorted: SampleColumns, from: number): number {
  for (let i = from; i < sorted.length; i++) if (sorted.ok[i] === 0) return i;
  return -1;
}
