/**
 * An instant as the wall clock of a timezone shows it: what blackouts are judged on and
 * how run times are said. Pure: Intl's timezone data, no clock.
 */

export interface LocalTime {
  /** 'YYYY-MM-DD'. */
  date: string;
  /** 0 Sunday … 6 Saturday. */
  weekday: number;
  /** 0 … 1439. */
  minuteOfDay: number;
}

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const formatters = new Map<string, Intl.DateTimeFormat>();
const namedFormatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let found = formatters.get(timezone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
      hourCycle: 'h23',
    });
    formatters.set(timezone, found);
  }
  return found;
}

export function localTime(instant: number, timezone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const part of formatter(timezone).formatToParts(new Date(instant))) parts[part.type] = part.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: weekdays.indexOf(parts.weekday),
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** 'Tue 2026-12-08 10:00 CET': how a run time reads to the people of that timezone. */
export function formatLocal(instant: number, timezone: string): string {
  let named = namedFormatters.get(timezone);
  if (!named) {
    named = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'short' });
    namedFormatters.set(timezone, named);
  }
  const zone = named.formatToParts(new Date(instant)).find((part) => part.type === 'timeZoneName')?.value ?? timezone;
  const local = localTime(instant, timezone);
  const hours = String(Math.floor(local.minuteOfDay / 60)).padStart(2, '0');
  const minutes = String(local.minuteOfDay % 60).padStart(2, '0');
  const seconds = new Date(instant).getUTCSeconds();
  const clock = seconds === 0 ? `${hours}:${minutes}` : `${hours}:${minutes}:${String(seconds).padStart(2, '0')}`;
  return `${weekdays[local.weekday]} ${local.date} ${clock} ${zone}`;
}
