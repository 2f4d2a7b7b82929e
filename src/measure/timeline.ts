import { histogramPercentiles, LatencyHistogram } from './histogram';
import type { SampleColumns } from './sample-columns';

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

/** A bucket's latency percentiles. */
export interface BucketLatency {
  p50: number | null;
  p99: number | null;
}

interface Accumulator {
  requests: number;
  errors: number;
  /** null when the percentiles come from the samples themselves (see `points`). */
  latency: LatencyHistogram | null;
  regions: Record<string, number>;
  slowOrFailed: number[];
}

/**
 * Buckets outcomes by due time into fixed-width buckets (a per-second timeline), each
 * with its own HDR histogram, so memory grows with the drill's seconds, not its requests.
 * Outcomes may arrive in any order.
 *
 * A histogram is a few KB, which a day of seconds makes 300 MB: with `latency: false` the
 * buckets keep counts only, and `points` takes the percentiles from the samples kept
 * anyway (`bucketLatencies`), one bucket's histogram at a time: the same figures.
 */
export class TimelineBuilder {
  private readonly buckets = new Map<number, Accumulator>();
  private readonly keepsLatency: boolean;

  constructor(
    private readonly t0: number,
    readonly bucketMs: number,
    private readonly thresholdsMs: readonly number[] = [],
    options: { latency?: boolean } = {},
  ) {
    this.keepsLatency = options.latency ?? true;
  }

  add(t: number, latencyMs: number, ok: boolean, region: string): void {
    const index = Math.floor((t - this.t0) / this.bucketMs);
    let bucket = this.buckets.get(index);
    if (!bucket) {
      bucket = {
        requests: 0,
        errors: 0,
        latency: this.keepsLatency ? new LatencyHistogram() : null,
        regions: {},
        slowOrFailed: this.thresholdsMs.map(() => 0),
      };
      this.buckets.set(index, bucket);
    }
    bucket.requests++;
    if (!ok) bucket.errors++;
    else if (region) bucket.regions[region] = (bucket.regions[region] ?? 0) + 1;
    bucket.latency?.record(latencyMs);
    this.thresholdsMs.forEach((threshold, k) => {
      if (!ok || latencyMs > threshold) bucket.slowOrFailed[k]++;
    });
  }

  /**
   * Every bucket from the first to the last that saw a request, empty ones included. `latency`: the buckets'
   * percentiles by index, for a builder that keeps none.
   */
  points(latency?: ReadonlyMap<number, BucketLatency>): TimelinePoint[] {
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
      const percentiles = bucket?.latency ?? latency?.get(index);
      points.push({
        offsetMs: index * this.bucketMs,
        requests: bucket?.requests ?? 0,
        errors: bucket?.errors ?? 0,
        p50: bucket && percentiles ? percentileOf(percentiles, 50) : null,
        p99: bucket && percentiles ? percentileOf(percentiles, 99) : null,
        regions: bucket?.regions ?? {},
        slowOrFailed: bucket?.slowOrFailed ?? this.thresholdsMs.map(() => 0),
      });
    }
    return points;
  }
}

function percentileOf(source: LatencyHistogram | BucketLatency, p: 50 | 99): number | null {
  return source instanceof LatencyHistogram ? source.percentile(p) : p === 50 ? source.p50 : source.p99;
}

/**
 * Each bucket's p50 and p99 as its histogram in `TimelineBuilder` would give them (histogramPercentiles), from
 * samples in time order, one bucket at a time.
 */
export function bucketLatencies(samples: SampleColumns, t0: number, bucketMs: number): Map<number, BucketLatency> {
  const latencies = new Map<number, BucketLatency>();
  let from = 0;
  while (from < samples.length) {
    // The builder's own bucketing, so a sample on a boundary lands where it would there.
    const index = Math.floor((samples.t[from] - t0) / bucketMs);
    let to = from + 1;
    while (to < samples.length && Math.floor((samples.t[to] - t0) / bucketMs) === index) to++;
    const [p50, p99] = histogramPercentiles(samples.latencyMs.subarray(from, to), [50, 99]);
    latencies.set(index, { p50, p99 });
    from = to;
  }
  return latencies;
}
