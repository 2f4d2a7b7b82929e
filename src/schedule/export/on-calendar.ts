import { ExportError, runs, type CronFields } from './cron-fields';

const dayNames = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * A cron expression as a systemd timer's OnCalendar= (systemd.time(7)): 'Tue *-*-* 10:00:00
 * Europe/Berlin'. Cron runs when the day of the month or the day of the week matches if both
 * are given; OnCalendar needs both to match, so such an expression is refused rather than
 * turned into a different schedule.
 */
export function onCalendar(fields: CronFields, expression: string, timezone: string): string {
  if (fields.days && fields.weekdays)
    throw new ExportError(
      `cron '${expression}' gives both a day of the month and a day of the week, and cron runs when either ` +
        'matches; systemd OnCalendar= runs only when both do. Split it into two schedules, each with one of them',
    );
  const weekdays = fields.weekdays ? weekdayList(fields.weekdays) + ' ' : '';
  const date = `*-${list(fields.months, 2)}-${list(fields.days, 2)}`;
  const time = `${list(fields.hours, 2, 24)}:${list(fields.minutes, 2, 60)}:${list(fields.seconds, 2, 60)}`;
  return `${weekdays}${date} ${time} ${timezone}`;
}

/** Values as OnCalendar writes them: '*', '09..17', '00,15,30,45'. */
function list(values: number[] | null, width: number, all?: number): string {
  if (values === null || values.length === all) return '*';
  const pad = (value: number) => String(value).padStart(width, '0');
  return runs(values)
    .map(([from, to]) =>
      from === to ? pad(from) : to === from + 1 ? `${pad(from)},${pad(to)}` : `${pad(from)}..${pad(to)}`,
    )
    .join(',');
}

/** Monday first, as systemd lists a week: 'Mon..Fri', 'Sat,Sun'. */
function weekdayList(days: number[]): string {
  const mondayFirst = [...days].map((day) => (day + 6) % 7).sort((a, b) => a - b);
  return runs(mondayFirst)
    .map(([from, to]) => {
      const name = (index: number) => dayNames[(index + 1) % 7];
      return from === to ? name(from) : to === from + 1 ? `${name(from)},${name(to)}` : `${name(from)}..${name(to)}`;
    })
    .join(',');
}
