import type { BlackoutRule, ParsedSchedule } from '../experiment/schedule';
import { blackoutAt, freeSpans } from './blackout';
import { DueTimes } from './due-times';

export interface UpcomingRun {
  due: number;
  /** Set when a blackout covers the whole of when it could start: it will be skipped. */
  blackout: BlackoutRule | null;
}

/**
 * The next `count` runs that will start, after `after`, with the blacked-out due times met
 * on the way (which will be skipped); at most `lookAhead` due times are looked at, so a
 * blackout that never ends cannot make this loop forever. Pure.
 */
export function upcomingRuns(
  schedule: ParsedSchedule,
  anchor: number,
  after: number,
  count: number,
  lookAhead = 1000,
): UpcomingRun[] {
  const dues = new DueTimes(schedule, anchor);
  const runs: UpcomingRun[] = [];
  let starting = 0;
  let due = dues.next(after);
  for (let looked = 0; due !== null && starting < count && looked < lookAhead; looked++) {
    const free = freeSpans(schedule.blackout, schedule.timezone, due, due + Math.max(1, schedule.window ?? 0));
    if (free.length > 0) {
      runs.push({ due, blackout: null });
      starting++;
    } else runs.push({ due, blackout: blackoutAt(schedule.blackout, schedule.timezone, due) });
    due = dues.next(due);
  }
  return runs;
}
