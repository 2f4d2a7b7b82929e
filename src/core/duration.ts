import { GamedayError } from './errors';
/**
 * Durations are written as strings, k6-style: '500ms', '30s', '2m', '1h', '1d', and
 * compounds like '1m30s'. One parser for every field so the error message is the same
 * everywhere.
 */

const unitMs = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof unitMs;

const wholePattern = /^(\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const partPattern = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

export const durationHint = "a duration like '500ms', '30s', '2m', '1h' or '1m30s'";

export class DurationError extends GamedayError {
  constructor(readonly input: unknown) {
    super(`expected ${durationHint}, got ${JSON.stringify(input)}`);
  }
}

/** Parses a duration string to milliseconds; throws DurationError on anything else. */
export function parseDuration(input: string): number {
  const ms = tryParseDuration(input);
  if (ms === undefined) throw new DurationError(input);
  return ms;
}

/** Like parseDuration, but undefined instead of throwing (for schema refinements). */
export function tryParseDuration(input: unknown): number | undefined {
  if (typeof input !== 'string') return undefined;
  const compact = input.trim();
  if (!wholePattern.test(compact)) return undefined;
  let total = 0;
  for (const [, amount, unit] of compact.matchAll(partPattern)) {
    total += Number(amount) * unitMs[unit as Unit];
  }
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

/** Formats milliseconds for people: 850ms, 12.3s, 2m05s, 5m, 1h02m, 1h, 30d. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1_000) return `${sign}${Math.round(abs)}ms`;
  if (abs < 60_000) return `${sign}${(abs / 1_000).toFixed(abs < 10_000 ? 2 : 1).replace(/\.?0+$/, '')}s`;
  const totalSeconds = Math.round(abs / 1_000);
  const hours = Math.floor(totalSeconds / 3_600);
  const minutes = Math.floor((totalSeconds % 3_600) / 60);
  const seconds = totalSeconds % 60;
  // Whole days (SLO windows: '30d') read as days; other long spans as hours and minutes.
  if (hours >= 24 && hours % 24 === 0 && minutes === 0 && seconds === 0) return `${sign}${hours / 24}d`;
  if (hours > 0)
    return minutes === 0 && seconds === 0 ? `${sign}${hours}h` : `${sign}${hours}h${String(minutes).padStart(2, '0')}m`;
  return seconds === 0 ? `${sign}${minutes}m` : `${sign}${minutes}m${String(seconds).padStart(2, '0')}s`;
}
