import type { EventOf, SampleRow } from '../core/events';
import { LatencyHistogram } from '../measure/histogram';
import { successRatioOf } from '../measure/ratio';
import { TimelineBuilder } from '../measure/timeline';
import type { HttpOutcomes, ProbeSummary, TrafficSample } from './types';

export const timelineBucketMs = 1_000;

/**
 * Request outcomes folded into what the analysis reads of a probe that sends requests (an
 * http probe, a k6 probe): every sample for RTO, counts, latency, regions and the
 * per-second timeline. The timeline counts from the start of observation, which is
 * journaled after the steady state began: rows before it wait in `early` until it is known.
 */
export class OutcomeAccumulator {
  private readonly samples: TrafficSample[] = [];
  private readonly latency = new LatencyHistogram();
  private readonly regions: Record<string, number> = {};
  private errors = 0;
  private timeline: TimelineBuilder | null = null;
  private early: SampleRow[] | null = [];

  constructor(private readonly thresholdsMs: readonly number[]) {}

  observeStarted(t0: number): void {
    if (this.timeline) return;
    this.timeline = new TimelineBuilder(t0, timelineBucketMs, this.thresholdsMs);
    for (const row of this.early ?? []) this.addToTimeline(row);
    this.early = null;
  }

  add(row: SampleRow): void {
    const [t, latencyMs, , ok, , region] = row;
    this.samples.push({ t, ok: ok === 1, latencyMs, region });
    this.latency.record(latencyMs);
    if (!ok) this.errors++;
    // Served means answered with success, as the timeline counts: a 503 from a dying region served nobody.
    if (region && ok) this.regions[region] = (this.regions[region] ?? 0) + 1;
    if (this.timeline) this.addToTimeline(row);
    else this.early?.push(row);
  }

  result(started: EventOf<'probe.started'>): { summary: ProbeSummary; outcomes: HttpOutcomes } {
    this.samples.sort((a, b) => a.t - b.t);
    const latencyMs = this.latency.summary();
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
        timeline: this.timeline?.points() ?? [],
      },
    };
  }

  private addToTimeline([t, latencyMs, , ok, , region]: SampleRow): void {
    this.timeline!.add(t, latencyMs, ok === 1, region);
  }
}
