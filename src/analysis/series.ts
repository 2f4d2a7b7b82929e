import type { TimelinePoint } from '../measure/timeline';

/** A probe's per-second timeline, for charts: offsets from the start of the observation. */
export interface ProbeSeries {
  probe: string;
  bucketMs: number;
  points: Array<Omit<TimelinePoint, 'slowOrFailed'>>;
}

/** The charts' view of the http probes' timelines: without the counts only SLOs use. */
export function seriesOf(timelines: ReadonlyMap<string, TimelinePoint[]>, bucketMs: number): ProbeSeries[] {
  return [...timelines].map(([probe, points]) => ({
    probe,
    bucketMs,
    points: points.map(({ slowOrFailed: _internal, ...point }) => point),
  }));
}
