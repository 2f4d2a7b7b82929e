/**
 * Events per step from counters sampled at common steps (a PromQL SLI's `good` and
 * `total` series, queried at 1 s): each series' increase between consecutive samples,
 * a drop read as a reset (the new value counted from zero, as Prometheus's increase()
 * does), summed over the series. A series missing at some steps (a scrape that failed, a
 * restarted process) gives its increase where it reappears. A series absent at the first
 * step was born during the window: its first value is counted as events.
 */
export function increasesPerStep(
  series: ReadonlyArray<ReadonlyArray<readonly [number, number]>>,
  steps: readonly number[],
): number[] {
  const index = new Map(steps.map((t, i) => [t, i]));
  const totals = new Array<number>(steps.length).fill(0);
  for (const points of series) {
    let previous: number | null = null;
    for (const [t, value] of points) {
      const at = index.get(t);
      if (at === undefined || !Number.isFinite(value)) continue;
      const increase = previous === null ? (at === 0 ? 0 : value) : value >= previous ? value - previous : value;
      totals[at] += increase;
      previous = value;
    }
  }
  return totals;
}
