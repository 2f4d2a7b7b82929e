import { localTime } from '../local-time';
import { ExportError, standardCron, type CronFields } from './cron-fields';

/**
 * A cron expression of a timezone as cron lines in UTC, for a scheduler that knows no
 * timezone (GitHub Actions). Possible when the zone keeps one whole-hour offset all year:
 * the hours move, and a run that crosses midnight moves to the day before or after — its
 * weekday with it; a day of the month or a month cannot move so (the 1st minus a day is the
 * 28th to the 31st), so then it is refused. A zone with daylight saving time is refused: its
 * drills would move by an hour twice a year.
 */
export function utcCrons(
  fields: CronFields,
  expression: string,
  timezone: string,
  now: number,
  format: string,
): string[] {
  const offsets = new Set<number>();
  // A year and a half of weekly looks sees every daylight-saving change of any zone.
  for (let week = 0; week < 80; week++) offsets.add(offsetMinutes(now + week * 7 * 86_400_000, timezone));
  if (offsets.size > 1) {
    const said = [...offsets].sort((a, b) => a - b).map(offsetText);
    throw new ExportError(
      `${format} runs schedules in UTC only, and ${timezone} is ${said.join(' part of the year and ')} the rest: ` +
        `cron '${expression}' would move by an hour twice a year. Give the schedule timezone: 'UTC' with the UTC ` +
        'time, or export to systemd or k8s-cronjob, which keep the timezone',
    );
  }
  const offset = [...offsets][0];
  if (offset === 0) return [standardCron(fields, expression, format)];
  if (offset % 60 !== 0)
    throw new ExportError(
      `${timezone} is ${offsetText(offset)}, not a whole number of hours from UTC, and ${format} runs schedules in ` +
        "UTC only: give the schedule timezone: 'UTC' with the UTC time",
    );
  const byShift = new Map<number, number[]>();
  for (const hour of fields.hours) {
    const utc = hour - offset / 60;
    const shift = Math.floor(utc / 24);
    byShift.set(shift, [...(byShift.get(shift) ?? []), utc - shift * 24]);
  }
  return [...byShift.entries()]
    .sort(([a], [b]) => a - b)
    .map(([shift, hours]) => {
      if (shift !== 0 && (fields.days || fields.months))
        throw new ExportError(
          `cron '${expression}' in ${timezone} (${offsetText(offset)}) falls on the ` +
            `${shift < 0 ? 'day before' : 'day after'} ` +
            `in UTC at ${hours.join(',')}h, and a day of the month or a month cannot move a day in cron: give the ` +
            "schedule timezone: 'UTC' with the UTC time",
        );
      const weekdays = fields.weekdays?.map((day) => (((day + shift) % 7) + 7) % 7).sort((a, b) => a - b) ?? null;
      return standardCron({ ...fields, hours: hours.sort((a, b) => a - b), weekdays }, expression, format);
    });
}

/** Minutes the zone's wall clock is ahead of UTC at an instant. */
export function offsetMinutes(instant: number, timezone: string): number {
  const whole = Math.floor(instant / 60_000) * 60_000;
  const local = localTime(whole, timezone);
  const [year, month, day] = local.date.split('-').map(Number);
  const wall = Date.UTC(year, month - 1, day) + local.minuteOfDay * 60_000;
  return Math.round((wall - whole) / 60_000);
}

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
