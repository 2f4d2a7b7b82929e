import type { OutcomeSample } from './rto';

/** Success ratio of the samples with from ≤ t < to; null when there are none. */
export function successRatio(samples: readonly OutcomeSample[], from: number, to: number): number | null {
  let ok = 0;
  let count = 0;
  for (const sample of samples) {
    if (sample.t < from || sample.t >= to) continue;
    count++;
    if (sample.ok) ok++;
  }
  return count === 0 ? null : ok / count;
}
