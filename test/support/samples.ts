import type { OutcomeSample } from '../../src/measure/rto';

/**
 * Synthetic traffic: one sample every `intervalMs` from `from` to `to` (exclusive),
 * failing while `failing(t)` holds.
 */
export function samplesEvery(
  intervalMs: number,
  from: number,
  to: number,
  failing: (t: number) => boolean,
): OutcomeSample[] {
  const samples: OutcomeSample[] = [];
  for (let t = from; t < to; t += intervalMs) samples.push({ t, ok: !failing(t) });
  return samples;
}

export const between = (start: number, end: number) => (t: number) => t >= start && t < end;
