import { Cron } from 'croner';
import { z } from 'zod';
import { formatDuration } from '../core/duration';
import { duration, httpUrl, name, statusRanges } from '../core/fields';

/**
 * The `schedule` of an experiment or a GameDay scenario: when `gameday schedule run` starts
 * it (cron in a timezone, or every so long), how unpredictably (window), when never
 * (blackout), what must hold first (precondition), and what to do with a run that would
 * overlap another or that the scheduler missed while it was down. The schedule/ layer
 * computes run times from the resolved form; this file only says what is valid.
 */

/** Weekdays as Date.getDay() numbers them: Sunday is 0. */
export const weekdayNames = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const longWeekdayNames = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

const cronHint =
  "expected a cron expression: 5 fields (minute hour day-of-month month day-of-week, e.g. '0 10 * * TUE') " +
  "or 6 with seconds first (e.g. '*/30 * * * * *')";

export const timezoneHint = "an IANA timezone like 'Europe/Berlin', 'America/New_York' or 'UTC'";

/** Why a timezone name is unknown, with the spelling it probably meant; null when the runtime knows it. */
export function timezoneProblem(timezone: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return null;
  } catch {
    const known = Intl.supportedValuesOf('timeZone');
    const lower = timezone.toLowerCase();
    const near = known.find((zone) => zone.toLowerCase() === lower || zone.toLowerCase().endsWith(`/${lower}`));
    const guess = near ? ` (did you mean '${near}'?)` : '';
    return `unknown timezone ${JSON.stringify(timezone)}; expected ${timezoneHint}${guess}`;
  }
}

/** Why croner refuses a cron expression, in the words of the field at fault. */
export function cronProblem(expression: string, timezone: string): string | null {
  let cron: Cron;
  try {
    cron = new Cron(expression, { timezone, mode: '5-or-6-parts', paused: true });
  } catch (error) {
    const reason = String((error as Error).message ?? error).replace(/^CronPattern: /, '');
    return `${cronHint}; ${JSON.stringify(expression)} is not one: ${reason}`;
  }
  if (cron.nextRun() === null) return `${JSON.stringify(expression)} never runs (no date matches it); ${cronHint}`;
  return null;
}

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;

/** 'YYYY-MM-DD', a day that exists in the calendar. */
const calendarDate = z.string({ error: "expected a date like '2026-12-24'" }).refine(
  (text) => {
    const match = isoDate.exec(text);
    if (!match) return false;
    const [year, month, day] = match.slice(1).map(Number);
    const date = new Date(Date.UTC(year, month - 1, day));
    return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  },
  { error: "expected a date like '2026-12-24' (year-month-day, a day the calendar has)" },
);

const weekday = z.string({ error: `expected a weekday: ${weekdayNames.join(', ')}` }).transform((text, ctx) => {
  const lower = text.trim().toLowerCase();
  const index = weekdayNames.indexOf(lower as (typeof weekdayNames)[number]);
  const long = longWeekdayNames.indexOf(lower);
  if (index >= 0) return index;
  if (long >= 0) return long;
  ctx.addIssue({
    code: 'custom',
    message: `expected a weekday: ${weekdayNames.join(', ')}; got ${JSON.stringify(text)}`,
  });
  return z.NEVER;
});

const hoursHint =
  "expected local hours as 'HH:MM-HH:MM' in 24-hour time, e.g. '17:00-09:00' (overnight) or '12:00-14:00'";

/** 'HH:MM-HH:MM' → minutes of the day [from, to); to may be 24:00, and before from for a span over midnight. */
const hourSpan = z.string({ error: hoursHint }).transform((text, ctx) => {
  const match = /^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/.exec(text);
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `${hoursHint}; got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  const [fromHour, fromMinute, toHour, toMinute] = match.slice(1).map(Number);
  const problems: string[] = [];
  if (fromHour > 23) problems.push(`hour ${fromHour} is out of range 00-23`);
  if (toHour > 24 || (toHour === 24 && toMinute !== 0)) problems.push(`hour ${toHour} is out of range 00-24`);
  if (fromMinute > 59 || toMinute > 59) problems.push('minutes are 00-59');
  const from = fromHour * 60 + fromMinute;
  const to = toHour * 60 + toMinute;
  if (problems.length === 0 && from === to) problems.push('it starts where it ends, so it spans nothing');
  if (problems.length > 0) {
    ctx.addIssue({ code: 'custom', message: `${hoursHint}; ${JSON.stringify(text)}: ${problems.join('; ')}` });
    return z.NEVER;
  }
  return { from, to };
});

/**
 * When nothing runs. Each part that is given must hold at the same local moment (in the
 * schedule's timezone): `{ weekdays: ['fri'], hours: '15:00-24:00' }` is Friday afternoons.
 */
const blackoutSchema = z
  .strictObject({
    /** First day, 'YYYY-MM-DD'; with `to`, a span of days (a release freeze), else that day alone. */
    from: calendarDate.optional(),
    /** Last day, inclusive. */
    to: calendarDate.optional(),
    weekdays: z
      .array(weekday)
      .min(1, { error: `expected at least one weekday: ${weekdayNames.join(', ')}` })
      .optional(),
    hours: hourSpan.optional(),
    /** Said when a run is skipped for it, and in `gameday schedule list`. */
    reason: z.string().trim().min(1).max(200).optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.from === undefined && rule.weekdays === undefined && rule.hours === undefined)
      ctx.addIssue({
        code: 'custom',
        message:
          "a blackout needs from (a date, with to for a span of days), weekdays or hours, e.g. { weekdays: ['sat', " +
          "'sun'] } or { from: '2026-12-18', to: '2027-01-04', reason: 'year-end freeze' }",
      });
    if (rule.to !== undefined && rule.from === undefined)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'is the last day of a span; give its first day in from' });
    if (rule.from !== undefined && rule.to !== undefined && rule.to < rule.from)
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `is before from (${rule.from}); the span must go forward`,
      });
  });

export type BlackoutRule = z.output<typeof blackoutSchema>;

/** What a function precondition is called with. */
export interface PreconditionContext {
  /** Aborts when the check's timeout expires: pass it to fetch, pg, child processes. */
  signal: AbortSignal;
  /** The due time the run is for. */
  due: Date;
}

/** A function precondition's answer: true runs; false, `{ ok: false, reason }`, a throw or the timeout skip. */
export type PreconditionFunction = (
  context: PreconditionContext,
) => boolean | { ok: boolean; reason?: string } | Promise<boolean | { ok: boolean; reason?: string }>;

const execPrecondition = z.strictObject({
  kind: z.literal('exec'),
  /** Default: the command. */
  name: name.optional(),
  /** A shell command; exit code 0 passes. */
  command: z
    .string({ error: "expected a shell command, e.g. './bin/no-open-incident'" })
    .trim()
    .min(1, { error: "expected a shell command, e.g. './bin/no-open-incident'" }),
  timeout: duration({ max: '10m' }).prefault('30s'),
});

const httpPrecondition = z.strictObject({
  kind: z.literal('http'),
  name: name.optional(),
  url: httpUrl,
  method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
  headers: z.record(z.string(), z.string({ error: 'expected header values as strings' })).default({}),
  /** The statuses that pass. */
  status: statusRanges.prefault('200-299'),
  timeout: duration({ max: '5m' }).prefault('10s'),
});

const functionPrecondition = z.strictObject({
  kind: z.literal('function'),
  name: name.default('function'),
  check: z.custom<PreconditionFunction>((value) => typeof value === 'function', {
    error: 'expected a function: async ({ signal, due }) => true | false | { ok, reason }',
  }),
  timeout: duration({ max: '10m' }).prefault('30s'),
});

/** `gameday check` of the entry's own file at start time: a drill never starts on a target that could not fail over. */
const readinessPrecondition = z.strictObject({
  kind: z.literal('readiness'),
  name: name.default('readiness'),
  timeout: duration({ max: '10m' }).prefault('2m'),
});

const preconditionSchema = z.discriminatedUnion('kind', [
  execPrecondition,
  httpPrecondition,
  functionPrecondition,
  readinessPrecondition,
]);

export type Precondition = z.output<typeof preconditionSchema>;
export type PreconditionConfig = z.input<typeof preconditionSchema>;

const preconditionFields: Record<string, string[]> = {
  exec: Object.keys(execPrecondition.shape),
  http: Object.keys(httpPrecondition.shape),
  function: Object.keys(functionPrecondition.shape),
  readiness: Object.keys(readinessPrecondition.shape),
};

/**
 * One check or a list of them, read as a list. Parsed here rather than with a union so a
 * mistake in a lone check is reported at its own path, not as "no union member matched".
 */
const preconditions = z
  .custom<PreconditionConfig | PreconditionConfig[]>(() => true)
  .transform((value, ctx): Precondition[] => {
    const list = Array.isArray(value);
    const parsed = z.array(preconditionSchema).safeParse(list ? value : [value]);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      const path = list ? issue.path : issue.path.slice(1);
      if (issue.code === 'unrecognized_keys') {
        const check = (list ? (value as unknown[])[issue.path[0] as number] : value) as { kind?: unknown } | undefined;
        const kind = check?.kind;
        const valid = preconditionFields[String(kind)] ?? [];
        const keys = issue.keys.map((key) => JSON.stringify(key)).join(', ');
        ctx.addIssue({ code: 'custom', path, message: `unknown field ${keys}; valid fields: ${valid.join(', ')}` });
      } else ctx.addIssue({ ...issue, path } as Parameters<typeof ctx.addIssue>[0]);
    }
    return z.NEVER;
  });

export const scheduleSchema = z
  .strictObject({
    /** Croner's syntax: 5 fields, or 6 with seconds first; names (MON, JAN), L, W and # allowed. */
    cron: z.string({ error: cronHint }).trim().min(1, { error: cronHint }).optional(),
    /** Instead of cron: a fixed period from when the scheduler first took the entry on ('7d'). */
    every: duration({ max: '366d' }).optional(),
    /** Where cron times, blackout dates, weekdays and hours are read. */
    timezone: z.string({ error: `expected ${timezoneHint}` }).default('UTC'),
    /** Start at a random moment up to this long after the due time (outside any blackout). */
    window: duration({ max: '7d' }).optional(),
    blackout: z.array(blackoutSchema).default([]),
    /** Checked at start time; one that fails skips the run with its reason. */
    precondition: preconditions.default([]),
    /** A run due while a drill is going: skipped, or started when it ends (at most one waits). */
    overlap: z.enum(['skip', 'queue']).default('skip'),
    /** Runs due while the scheduler was down: the latest run once when it is back, or all skipped. */
    missed: z.enum(['run-once', 'skip']).default('run-once'),
  })
  .superRefine((schedule, ctx) => {
    const report = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (schedule.cron !== undefined && schedule.every !== undefined)
      report(['every'], 'give cron or every, not both: cron runs at wall-clock times, every at a fixed period');
    if (schedule.cron === undefined && schedule.every === undefined)
      report([], "needs cron (e.g. cron: '0 10 * * TUE') or every (e.g. every: '7d')");
    const timezone = timezoneProblem(schedule.timezone);
    if (timezone) report(['timezone'], timezone);
    const cron = schedule.cron !== undefined && !timezone ? cronProblem(schedule.cron, schedule.timezone) : null;
    if (cron) report(['cron'], cron);
    if (schedule.window !== undefined && !timezone && !cron) {
      const gap = shortestGap(schedule);
      if (gap !== null && schedule.window >= gap.ms)
        report(
          ['window'],
          `is ${formatDuration(schedule.window)}, as long as the ${formatDuration(gap.ms)} between two runs ` +
            `(${gap.where}): a run could start after the next is due; make it shorter than ${formatDuration(gap.ms)}`,
        );
    }
  });

/** The shortest time between two consecutive runs over the next 200, and where it falls. */
function shortestGap(schedule: {
  cron?: string;
  every?: number;
  timezone: string;
}): { ms: number; where: string } | null {
  if (schedule.every !== undefined) return { ms: schedule.every, where: `every ${formatDuration(schedule.every)}` };
  if (schedule.cron === undefined) return null;
  const runs = new Cron(schedule.cron, { timezone: schedule.timezone, mode: '5-or-6-parts', paused: true }).nextRuns(
    200,
  );
  let shortest: { ms: number; where: string } | null = null;
  for (let i = 1; i < runs.length; i++) {
    const ms = runs[i].getTime() - runs[i - 1].getTime();
    if (!shortest || ms < shortest.ms)
      shortest = { ms, where: `${runs[i - 1].toISOString()} to ${runs[i].toISOString()}` };
  }
  return shortest;
}

export type ScheduleConfig = z.input<typeof scheduleSchema>;
export type ParsedSchedule = z.output<typeof scheduleSchema>;
