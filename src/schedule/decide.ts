import type { BlackoutRule, ParsedSchedule } from '../experiment/schedule';
import { formatDuration } from '../core/duration';
import type { DueSpan } from './due-times';
import { blackoutText } from './words';

/**
 * What the scheduler does with a due run, decided from facts it is given: the due times the
 * scheduler was not there for, whether the lever is pulled, a blackout, a drill already
 * going. Pure; the scheduler gathers the facts, acts, and records each decision.
 */

/** Due times that passed while the scheduler was down (or asleep), and what `missed` makes of them. */
export interface MissedPlan {
  /** The due time run once now, under `missed: 'run-once'`: the latest. */
  run: number | null;
  /** The due times skipped: how many, the first and the last (when counting was capped, at least that many). */
  skipped: { count: number; capped: boolean; first: number; last: number } | null;
}

/** `previous` is the due time before a given one (DueTimes.latest(due - 1)). */
export function planMissed(
  missed: DueSpan,
  policy: ParsedSchedule['missed'],
  previous: (due: number) => number | null,
): MissedPlan {
  const { first, latest, count, capped } = missed;
  if (policy === 'skip') return { run: null, skipped: { count, capped, first, last: latest } };
  if (count === 1) return { run: latest, skipped: null };
  // Counting stopped at the cap: the latest was not among those counted, so all of them are skipped ones.
  return { run: latest, skipped: { count: capped ? count : count - 1, capped, first, last: previous(latest)! } };
}

/** A drill this scheduler is running now. */
export interface Busy {
  entry: string;
  due: number;
  startedAt: number;
}

export type StartDecision =
  | { action: 'start' }
  | { action: 'queue'; reason: string }
  | { action: 'skip'; reason: string; cause: 'halted' | 'blackout' | 'overlap' };

/**
 * Whether a due run may start now, before its precondition is asked: the lever first (a
 * halted gameday starts nothing), then the blackout at the moment it would start, then a
 * drill already going — one drill at a time: two at once would measure each other's faults.
 * `overlap: 'queue'` waits for it, but only one run per entry waits: a second is skipped, so
 * runs never pile up behind a long drill.
 */
export function decideStart(facts: {
  halted: string | null;
  blackout: BlackoutRule | null;
  busy: Busy | null;
  overlap: ParsedSchedule['overlap'];
  /** A run of this entry already waits for the drill going to end. */
  queued: number | null;
  now: number;
}): StartDecision {
  if (facts.halted !== null) return { action: 'skip', cause: 'halted', reason: `halted: ${facts.halted}` };
  if (facts.blackout) return { action: 'skip', cause: 'blackout', reason: `blackout: ${blackoutText(facts.blackout)}` };
  if (!facts.busy) return { action: 'start' };
  const since = formatDuration(facts.now - facts.busy.startedAt);
  const going = `${facts.busy.entry} (due ${new Date(facts.busy.due).toISOString()}) has been running for ${since}`;
  if (facts.overlap === 'skip') return { action: 'skip', cause: 'overlap', reason: `overlap: ${going}` };
  if (facts.queued !== null)
    return {
      action: 'skip',
      cause: 'overlap',
      reason: `overlap: ${going}, and the run due ${new Date(facts.queued).toISOString()} already waits for it`,
    };
  return { action: 'queue', reason: `queued behind ${going}` };
}
