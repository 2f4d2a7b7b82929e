import type { BlackoutRule } from '../experiment/schedule';
import { localTime } from './local-time';

/**
 * When nothing may start: the first blackout rule that holds at an instant, read on the
 * schedule's wall clock, and the parts of a span of time that are free of every rule.
 * Pure.
 */

/** The rule that blacks `instant` out, or null when a run may start then. */
export function blackoutAt(rules: readonly BlackoutRule[], timezone: string, instant: number): BlackoutRule | null {
  if (rules.length === 0) return null;
  const local = localTime(instant, timezone);
  return rules.find((rule) => holds(rule, local.date, local.weekday, local.minuteOfDay)) ?? null;
}

function holds(rule: BlackoutRule, date: string, weekday: number, minuteOfDay: number): boolean {
  if (rule.from !== undefined && (date < rule.from || date > (rule.to ?? rule.from))) return false;
  if (rule.weekdays !== undefined && !rule.weekdays.includes(weekday)) return false;
  if (rule.hours !== undefined) {
    const { from, to } = rule.hours;
    const inside = from < to ? minuteOfDay >= from && minuteOfDay < to : minuteOfDay >= from || minuteOfDay < to;
    if (!inside) return false;
  }
  return true;
}

const minuteMs = 60_000;

/**
 * How finely a span must be looked at: a rule can only change its answer on a local minute
 * where a day or one of its hour spans begins or ends, and every UTC offset in use is a
 * whole multiple of 15 minutes (so are DST shifts): the answer is constant across UTC-aligned
 * steps of 15 minutes, or of a divisor of it when a span starts at, say, :10.
 */
function stepMs(rules: readonly BlackoutRule[]): number {
  let minutes = 15;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  for (const rule of rules)
    if (rule.hours) minutes = gcd(minutes, gcd(rule.hours.from % 60, gcd(rule.hours.to % 60, 60)));
  return minutes * minuteMs;
}

/** The parts of [from, to) when no rule holds, in order, adjacent parts merged. */
export function freeSpans(
  rules: readonly BlackoutRule[],
  timezone: string,
  from: number,
  to: number,
): Array<[number, number]> {
  if (to <= from) return [];
  if (rules.length === 0) return [[from, to]];
  const step = stepMs(rules);
  const spans: Array<[number, number]> = [];
  let start = from;
  while (start < to) {
    const end = Math.min(to, Math.floor(start / step) * step + step);
    if (!blackoutAt(rules, timezone, start)) {
      const last = spans[spans.length - 1];
      if (last && last[1] === start) last[1] = end;
      else spans.push([start, end]);
    }
    start = end;
  }
  return spans;
}
