/**
 * ISO-8601 durations as FIS action parameters take them (`PT1M`, `PT30S`, `PT1H30M`, `P1D`).
 * Years, months and weeks are refused: their length depends on the calendar. Only the
 * seconds field may have a fraction (`PT0.5S`), as ISO-8601 allows on the smallest unit.
 */

const pattern = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** FIS's ceiling for an action's duration. */
export const maxDurationMs = 12 * 60 * 60 * 1000;

/** Milliseconds, or an error message saying what is wrong and what is valid. */
export function parseIsoDuration(text: string): { ms: number } | { error: string } {
  const match = pattern.exec(text);
  const hasTime = text.includes('T');
  // "P", "PT" and "P1DT" match the pattern but name no amount.
  if (
    !match ||
    text === 'P' ||
    text.endsWith('T') ||
    (hasTime && match[2] === undefined && match[3] === undefined && match[4] === undefined)
  ) {
    return {
      error:
        `${JSON.stringify(text)} is not an ISO-8601 duration; write e.g. PT30S, PT5M, PT1H30M ` +
        `(days, hours, minutes, seconds)`,
    };
  }
  const [, days, hours, minutes, seconds] = match;
  const ms = Math.round(
    (Number(days ?? 0) * 86_400 + Number(hours ?? 0) * 3_600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0)) * 1000,
  );
  if (ms <= 0) return { error: `duration ${text} is zero; it must be longer than 0` };
  if (ms > maxDurationMs) return { error: `duration ${text} is longer than FIS's maximum of 12 hours (PT12H)` };
  return { ms };
}

/** For code that runs after validation: the duration in milliseconds. */
export function durationMs(text: string): number {
  const parsed = parseIsoDuration(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.ms;
}
