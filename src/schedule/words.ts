import cronstrue from 'cronstrue';
import { formatDuration } from '../core/duration';
import type { BlackoutRule, ParsedSchedule, Precondition } from '../experiment/schedule';

/** A schedule, its blackouts and its checks as `gameday schedule list` and the scheduler's log say them. Pure. */

const weekdayWords = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** "At 10:00, only on Tuesday (cron '0 10 * * TUE', Europe/Berlin)", "every 7d (UTC)". */
export function scheduleText(schedule: ParsedSchedule): string {
  if (schedule.cron === undefined) return `every ${formatDuration(schedule.every!)}`;
  let words: string;
  try {
    words = cronstrue.toString(schedule.cron, { use24HourTimeFormat: true, verbose: false });
  } catch {
    // cronstrue reads less than croner does (some nicknames); the expression itself still says it.
    words = schedule.cron;
  }
  return `${words} (cron '${schedule.cron}')`;
}

/** "Sat, Sun", "Fri 15:00-24:00", "year-end freeze (2026-12-18 to 2027-01-04)". */
export function blackoutText(rule: BlackoutRule): string {
  const parts: string[] = [];
  if (rule.from !== undefined) parts.push(rule.to && rule.to !== rule.from ? `${rule.from} to ${rule.to}` : rule.from);
  if (rule.weekdays !== undefined) parts.push(weekdaysText(rule.weekdays));
  if (rule.hours !== undefined) parts.push(`${clock(rule.hours.from)}-${clock(rule.hours.to)}`);
  const when = parts.join(' ');
  return rule.reason ? `${rule.reason} (${when})` : when;
}

function weekdaysText(days: number[]): string {
  // Monday first, as people list a week.
  const order = [...new Set(days)].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7));
  return order.map((day) => weekdayWords[day]).join(', ');
}

function clock(minuteOfDay: number): string {
  return `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;
}

export function preconditionText(check: Precondition): string {
  switch (check.kind) {
    case 'exec':
      return `${check.name ?? 'exec'}: \`${check.command}\` exits 0 (within ${formatDuration(check.timeout)})`;
    case 'http': {
      const statuses = check.status.map((range) =>
        range.from === range.to ? `${range.from}` : `${range.from}-${range.to}`,
      );
      return (
        `${check.name ?? 'http'}: ${check.method} ${check.url} answers ${statuses.join(',')} ` +
        `(within ${formatDuration(check.timeout)})`
      );
    }
    case 'function':
      return `${check.name}: its function returns true (within ${formatDuration(check.timeout)})`;
    case 'readiness':
      return `${check.name}: gameday check of the file passes (within ${formatDuration(check.timeout)})`;
  }
}
