import { CronPattern } from 'croner';
import { GamedayError } from '../../core/errors';

/**
 * A cron expression as the values each field matches, read by croner itself (so names,
 * ranges, steps and nicknames mean exactly what they mean to the scheduler), ready to be
 * written for another scheduler. What other schedulers have no word for — croner's last day
 * (L), nearest weekday (W), nth weekday (#) — is refused here, by name.
 */

/** The schedule cannot be said in the format asked for; nothing was written. */
export class ExportError extends GamedayError {}

export interface CronFields {
  seconds: number[];
  minutes: number[];
  hours: number[];
  /** Days of the month, 1–31; null: any. */
  days: number[] | null;
  /** Months, 1–12; null: any. */
  months: number[] | null;
  /** 0 Sunday … 6 Saturday; null: any. */
  weekdays: number[] | null;
}

/** Croner's bit for "any occurrence in the month" of a weekday; other values are #n or L. */
const anyOccurrence = 0b111111;

export function cronFields(expression: string, format: string): CronFields {
  const pattern = new CronPattern(expression, undefined, { mode: '5-or-6-parts' });
  const refuse = (what: string) => {
    throw new ExportError(`cron '${expression}' uses ${what}, which ${format} has no way to say; write it without`);
  };
  if (pattern.lastDayOfMonth) refuse('L (the last day of the month)');
  if (pattern.lastWeekday) refuse('LW (the last weekday of the month)');
  if (pattern.nearestWeekdays.some(Boolean)) refuse('W (the weekday nearest a day)');
  if (pattern.dayOfWeek.some((bits) => bits !== 0 && bits !== anyOccurrence))
    refuse('# or L on a weekday (the nth or last such weekday of the month)');
  const on = (bits: number[], offset = 0) => bits.flatMap((bit, index) => (bit ? [index + offset] : []));
  const months = on(pattern.month, 1);
  return {
    seconds: on(pattern.second),
    minutes: on(pattern.minute),
    hours: on(pattern.hour),
    days: pattern.starDOM ? null : on(pattern.day, 1),
    months: months.length === 12 ? null : months,
    weekdays: pattern.starDOW ? null : on(pattern.dayOfWeek),
  };
}

/**
 * One field in standard cron syntax: '*', a step from the start ('*\/15'), or ranges and
 * values ('1-5', '0,30', '9-17'). Numbers only: every cron reads them the same.
 */
export function cronField(values: number[], min: number, max: number, star = true): string {
  // A day of the month or of the week given in full is not '*': with the other day field also
  // given, cron runs when either matches, and '*' would make it the other alone.
  if (values.length === max - min + 1) return star ? '*' : `${min}-${max}`;
  const step = values.length > 1 ? values[1] - values[0] : 0;
  const everyStep = values.every((value, index) => value === min + index * step);
  if (step > 1 && values[0] === min && everyStep && values[values.length - 1] + step > max) return `*/${step}`;
  return runs(values)
    .map(([from, to]) => (from === to ? `${from}` : to === from + 1 ? `${from},${to}` : `${from}-${to}`))
    .join(',');
}

/** Consecutive values grouped: [1,2,3,7] → [[1,3],[7,7]]. */
export function runs(values: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const value of values) {
    const last = out[out.length - 1];
    if (last && last[1] === value - 1) last[1] = value;
    else out.push([value, value]);
  }
  return out;
}

/** The five standard fields (minute hour day month weekday); a schedule with seconds other than :00 has none. */
export function standardCron(fields: CronFields, expression: string, format: string): string {
  if (fields.seconds.length !== 1 || fields.seconds[0] !== 0)
    throw new ExportError(
      `cron '${expression}' runs at seconds of the minute; ${format} starts jobs on whole minutes only`,
    );
  return [
    cronField(fields.minutes, 0, 59),
    cronField(fields.hours, 0, 23),
    fields.days ? cronField(fields.days, 1, 31, false) : '*',
    fields.months ? cronField(fields.months, 1, 12) : '*',
    fields.weekdays ? cronField(fields.weekdays, 0, 6, false) : '*',
  ].join(' ');
}
