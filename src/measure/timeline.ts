import { LatencyHistogram } from './histogram';

/** One bucket of a probe's timeline; offsets from the start of the observation (negative during steady state). */
export interface TimelinePoint {
  offsetMs: number;
  requests: number;
  errors: number;
  /** Latency percentiles of the requests due in this bucket, null when none. */
  p50: number | null;
  p99: number | null;
  /** Requests served per region (successes only: a failure has no region). */
  regions: Record<string, number>;
  /** Per threshold given to the builder: requests that failed or took longer. */
  slowOrFailed: number[];
}

interface Accumulator {
  requests: number;
  errors: number;
  latency: LatencyHistogram;
  regions: Record<string, number>;
  slowOrFailed: number[];
}

/**
 * Buckets outcomes by due time into fixed-width buckets (a per-second timeline), each
 * with its own HDR histogram, so memory grows with the drill's seconds, not its requests.
 * Outcomes may arrive in any order.
 */
export class TimelineBuilder {
  private readonly buckets = new Map<number, Accumulator>();

  constructor(
    private readonly t0: number,
    readonly bucketMs: number,
    private readonly thresholdsMs: readonly number[] = [],
  ) {}

  add(t: number, latencyMs: number, ok: boolean, region: string): void {
    const index = Math.floor((t - this.t0) / this.bucketMs);
    let bucket = this.buckets.get(index);
    if (!bucket) {
      bucket = {
        requests: 0,
        errors: 0,
        latency: new LatencyHistogram(),
        regions: {},
        slowOrFailed: this.thresholdsMs.map(() => 0),
      };
      this.buckets.set(index, bucket);
    }
    bucket.requests++;
    if (!ok) bucket.errors++;
    else if (region) bucket.regions[region] = (bucket.regions[region] ?? 0) + 1;
    bucket.latency.record(latencyMs);
    this.thresholdsMs.forEach((threshold, k) => {
      if (!ok || latencyMs > threshold) bucket.slowOrFailed[k]++;
    });
  }

  /** Every bucket from the first to the last that saw a request, empty ones included. */
  points(): TimelinePoint[] {
    if (this.buckets.size === 0) return [];
    let first = Infinity;
    let last = -Infinity;
    for (const index of this.buckets.keys()) {
      first = Math.min(first, index);
      last = Math.max(last, index);
    }
    const points: TimelinePoint[] = [];
    for (let index = first; index <= last; index++) {
      const bucket = this.buckets.get(index);
      points.push({
        offsetMs: index * this.bucketMs,
        requests: bucket?.requests ?? 0,
        errors: bucket?.errors ?? 0,
        p50: bucket ? bucket.latency.percentile(50) : null,
        p99: bucket ? bucket.latency.percentile(99) : null,
        regions: bucket?.regions ?? {},
        slowOrFailed: bucket?.slowOrFailed ?? this.thresholdsMs.map(() => 0),
      });
    }
    return points;
  }
}
