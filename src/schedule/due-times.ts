import { Cron } from 'croner';
import type { ParsedSchedule } from '../experiment/schedule';

/**
 * When a schedule is due: cron evaluated by croner in the schedule's timezone (its DST
 * rules: a time the clock skips runs when the clock has jumped, for a fixed time, or not at
 * all, for an interval; a time the clock shows twice runs once, for a fixed time), or
 * `every` as fixed steps from an anchor — the moment the scheduler first took the entry on.
 * Pure: every answer is about instants it is given; nothing reads the clock.
 */
export class DueTimes {
  private readonly cron: Cron | null;

  constructor(
    private readonly schedule: Pick<ParsedSchedule, 'cron' | 'every' | 'timezone'>,
    /** Where `every` counts from (ms); cron ignores it. */
    private readonly anchor: number,
  ) {
    this.cron =
      schedule.cron === undefined
        ? null
        : new Cron(schedule.cron, { timezone: schedule.timezone, mode: '5-or-6-parts', paused: true });
  }

  /** The first due time strictly after `after`, or null when there is none (a cron of a date that has passed). */
  next(after: number): number | null {
    if (this.cron) return this.cron.nextRun(new Date(after))?.getTime() ?? null;
    const every = this.schedule.every!;
    const steps = after < this.anchor ? 1 : Math.floor((after - this.anchor) / every) + 1;
    return this.anchor + steps * every;
  }

  /** The last due time at or before `at`, or null when there is none (after the anchor, for `every`). */
  latest(at: number): number | null {
    if (this.cron) return this.cron.previousRuns(1, new Date(at + 1))[0]?.getTime() ?? null;
    if (at < this.anchor + this.schedule.every!) return null;
    return this.anchor + Math.floor((at - this.anchor) / this.schedule.every!) * this.schedule.every!;
  }

  /**
   * The due times in (after, until]: how many (counted up to `cap`, past which `capped` says
   * there were more), the first and the latest. A scheduler down for a month under a cron of
   * every minute must not walk forty thousand times to learn what it missed.
   */
  between(after: number, until: number, cap = 1000): DueSpan | null {
    const first = this.next(after);
    if (first === null || first > until) return null;
    const latest = this.latest(until)!;
    if (!this.cron) return { first, latest, count: (latest - first) / this.schedule.every! + 1, capped: false };
    let count = 1;
    for (let due = first; due < latest && count <= cap; count++) due = this.next(due)!;
    return count > cap ? { first, latest, count: cap, capped: true } : { first, latest, count, capped: false };
  }
}

export interface DueSpan {
  first: number;
  latest: number;
  count: number;
  /** More than `count` were due: counting stopped there. */
  capped: boolean;
}
