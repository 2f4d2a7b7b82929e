import type { EventOf, SampleRow } from '../core/events';
import { histogramSummary } from '../measure/histogram';
import { SampleColumns } from '../measure/sample-columns';
import { successRatioOf } from '../measure/ratio';
import { bucketLatencies, TimelineBuilder } from '../measure/timeline';
import type { HttpOutcomes, ProbeSummary } from './types';

export const timelineBucketMs = 1_000;

/**
 * Request outcomes folded into what the analysis reads of a probe that sends requests (an
 * http probe, a k6 probe): every sample for RTO, counts, latency, regions and the
 * per-second timeline. The timeline counts from the start of observation, which is
 * journaled after the steady state began: rows before it wait in `early` until it is known.
 */
export class OutcomeAccumulator {
  /** In time order as they arrive, as columns: a day of requests in tens of MB. */
  private readonly samples = new SampleColumns();
  private readonly regions: Record<string, number> = {};
  private errors = 0;
  private timeline: TimelineBuilder | null = null;
  private early: SampleRow[] | null = [];
  private t0: number | null = null;

  constructor(private readonly thresholdsMs: readonly number[]) {}

  /** `expected`: how many requests the run will have, when the probe's rate says, so the columns grow once. */
  observeStarted(t0: number, expected?: number): void {
    if (this.timeline) return;
    if (expected !== undefined) this.samples.reserve(expected);
    this.timeline = new TimelineBuilder(t0, timelineBucketMs, this.thresholdsMs, { latency: false });
    this.t0 = t0;
    for (const row of this.early ?? []) this.addToTimeline(row);
    this.early = null;
  }

  add(row: SampleRow): void {
    const [t, latencyMs, , ok, , region] = row;
    this.samples.push(t, ok === 1, latencyMs, region);
    if (!ok) this.errors++;
    // Served means answered with success, as the timeline counts: a 503 from a dying region served nobody.
    if (region && ok) this.regions[region] = (this.regions[region] ?? 0) + 1;
    if (this.timeline) this.addToTimeline(row);
    else this.early?.push(row);
  }

  result(started: EventOf<'probe.started'>): { summary: ProbeSummary; outcomes: HttpOutcomes } {
    // What a histogram of every latency would say, from the latencies kept anyway (and faster than recording them).
    const latencyMs = histogramSummary(this.samples.slice(0).latencyMs);
    return {
      summary: {
        probe: started.probe,
        kind: started.kind,
        url: started.url,
        requests: this.samples.length,
        errors: this.errors,
        successRatio: successRatioOf(this.samples.length, this.errors),
        latencyMs,
      },
      outcomes: {
        samples: this.samples,
        errors: this.errors,
        latencyMs,
        regions: this.regions,
        timeline: this.timeline?.points(bucketLatencies(this.samples, this.t0!, timelineBucketMs)) ?? [],
      },
    };
  }

  private addToTimeline([t, latencyMs, , ok, , region]: SampleRow): void {
    this.timeline!.add(t, latencyMs, ok === 1, region);
  }
}
