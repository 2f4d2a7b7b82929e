import type { JournalEvent } from '../core/events';
import { TimelineBuilder, type TimelinePoint } from '../measure/timeline';

export const seriesBucketMs = 1_000;

/** A probe's per-second timeline, for charts: offsets from the start of the observation. */
export interface ProbeSeries {
  probe: string;
  bucketMs: number;
  points: Array<Omit<TimelinePoint, 'slowOrFailed'>>;
}

/**
 * Per-second timelines of http probes from their `traffic.samples`, with counts of
 * requests over each latency threshold asked for (latency SLOs need them).
 */
export function timelinesOf(
  events: readonly JournalEvent[],
  t0: number,
  thresholdsByProbe: ReadonlyMap<string, readonly number[]>,
): Map<string, TimelinePoint[]> {
  const builders = new Map<string, TimelineBuilder>();
  for (const event of events) {
    if (event.type === 'probe.started' && event.kind === 'http') {
      builders.set(event.probe, new TimelineBuilder(t0, seriesBucketMs, thresholdsByProbe.get(event.probe) ?? []));
    } else if (event.type === 'traffic.samples') {
      const builder = builders.get(event.probe);
      if (builder) for (const [t, latency, , ok, , region] of event.rows) builder.add(t, latency, ok === 1, region);
    }
  }
  return new Map([...builders].map(([probe, builder]) => [probe, builder.points()]));
}

export function seriesOf(timelines: ReadonlyMap<string, TimelinePoint[]>): ProbeSeries[] {
  return [...timelines].map(([probe, points]) => ({
    probe,
    bucketMs: seriesBucketMs,
    points: points.map(({ slowOrFailed: _internal, ...point }) => point),
  }));
}
