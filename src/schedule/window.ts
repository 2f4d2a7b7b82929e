import type { ParsedSchedule } from '../experiment/schedule';
import { freeSpans } from './blackout';

/** A random number in [0, 1): the scheduler's is crypto's, a test's is its own sequence. */
export type Random = () => number;

/**
 * When a due run starts. Without a window: at its due time, unless a blackout holds then.
 * With one: at a moment drawn uniformly from the parts of [due, due + window) that no
 * blackout covers — a drill nobody can predict that still never lands in a freeze. Null
 * when the blackout covers all of it: the run is skipped. Pure: the randomness is given.
 */
export function drawStart(
  schedule: Pick<ParsedSchedule, 'window' | 'blackout' | 'timezone'>,
  due: number,
  random: Random,
): number | null {
  const window = schedule.window ?? 0;
  if (window === 0) return freeSpans(schedule.blackout, schedule.timezone, due, due + 1).length > 0 ? due : null;
  const spans = freeSpans(schedule.blackout, schedule.timezone, due, due + window);
  const free = spans.reduce((sum, [from, to]) => sum + (to - from), 0);
  if (free === 0) return null;
  // Whole seconds, as due times are: a start time is said and stored to the second.
  let offset = Math.floor((random() * free) / 1000) * 1000;
  for (const [from, to] of spans) {
    if (offset < to - from) return from + offset;
    offset -= to - from;
  }
  return spans[spans.length - 1][0];
}
