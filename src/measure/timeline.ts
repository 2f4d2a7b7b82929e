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

/**
 * Per-bucket counters for bucket indexes that may be negative and arrive in any order: an Int32Array whose first
 * element is bucket `first`, grown at either end.
 */
class BucketCounts {
  first = 0;
  counts = new Int32Array(0);

  add(index: number, by: number): void {
    this.cover(index, index);
    this.counts[index - this.first] += by;
  }

  get(index: number): number {
    const at = index - this.first;
    return at >= 0 && at < this.counts.length ? this.counts[at] : 0;
  }

  /** Room for buckets `from` to `to`, grown by a quarter at least: a day of seconds is copied a few dozen times. */
  cover(from: number, to: number): void {
    const last = this.first + this.counts.length - 1;
    if (this.counts.length > 0 && from >= this.first && to <= last) return;
    if (this.counts.length === 0) {
      this.first = from;
      this.counts = new Int32Array(Math.max(64, to - from + 1));
      return;
    }
    const slack = Math.max(64, this.counts.length >> 2);
    const first = from < this.first ? Math.min(from, this.first - slack) : this.first;
    const end = to > last ? Math.max(to, last + slack) : last;
    const counts = new Int32Array(end - first + 1);
    counts.set(this.counts, this.first - first);
    this.first = first;
    this.counts = counts;
  }
}

/**
 * Buckets outcomes by due time into fixed-width buckets (a per-second timeline), so memory
 * grows with the drill's seconds, not its requests: each count is a column of 32-bit
 * integers, 4 bytes a second, where an object per second cost about 200 (a day of seconds
 * held 17 MB). Outcomes may arrive in any order.
 *
 * By default each bucket has its own HDR histogram too. A histogram is a few KB, which a day
 * of seconds makes 300 MB: with `latency: false` the buckets keep counts only, and `points`
 * takes the percentiles from the samples kept anyway (`bucketLatencies`), one bucket's
 * histogram at a time: the same figures.
 */
export class TimelineBuilder {
  private readonly requests = new BucketCounts();
  private readonly errors = new BucketCounts();
  private readonly slowOrFailed: BucketCounts[];
  /**
   * Successes per region, and in what order the regions were first served in each bucket (1 for the first): a point
   * lists its regions in that order, as an object filled as they came would.
   */
  private readonly regions = new Map<string, { served: BucketCounts; firstServed: BucketCounts }>();
  private readonly latency: Map<number, LatencyHistogram> | null;
  /** How many regions were served in each bucket. */
  private readonly regionsServed = new BucketCounts();

  constructor(
    private readonly t0: number,
    readonly bucketMs: number,
    private readonly thresholdsMs: readonly number[] = [],
    options: { latency?: boolean } = {},
  ) {
    this.slowOrFailed = thresholdsMs.map(() => new BucketCounts());
    this.latency = (options.latency ?? true) ? new Map() : null;
  }

  add(t: number, latencyMs: number, ok: boolean, region: string): void {
    const index = Math.floor((t - this.t0) / this.bucketMs);
    this.requests.add(index, 1);
    if (!ok) this.errors.add(index, 1);
    else if (region) {
      let columns = this.regions.get(region);
      if (!columns)
        this.regions.set(region, (columns = { served: new BucketCounts(), firstServed: new BucketCounts() }));
      if (columns.served.get(index) === 0) {
        this.regionsServed.add(index, 1);
        columns.firstServed.add(index, this.regionsServed.get(index));
      }
      columns.served.add(index, 1);
    }
    if (this.latency) {
      let histogram = this.latency.get(index);
      if (!histogram) this.latency.set(index, (histogram = new LatencyHistogram()));
      histogram.record(latencyMs);
    }
    this.thresholdsMs.forEach((threshold, k) => {
      if (!ok || latencyMs > threshold) this.slowOrFailed[k].add(index, 1);
    });
  }

  /**
   * Every bucket from the first to the last that saw a request, empty ones included. `latency`: the buckets'
   * percentiles by index, for a builder that keeps none.
   */
  points(latency?: BucketLatencies): TimelinePoint[] {
    const counts = this.requests.counts;
    let first = 0;
    while (first < counts.length && counts[first] === 0) first++;
    if (first === counts.length) return [];
    let last = counts.length - 1;
    while (counts[last] === 0) last--;
    const regions = [...this.regions];
    const points: TimelinePoint[] = [];
    for (let at = first; at <= last; at++) {
      const index = at + this.requests.first;
      const requests = counts[at];
      const histogram = this.latency?.get(index);
      const served = regions
        .filter(([, columns]) => columns.served.get(index) > 0)
        .sort(([, a], [, b]) => a.firstServed.get(index) - b.firstServed.get(index));
      const percentiles = requests === 0 ? null : (histogram ?? latency?.get(index) ?? null);
      points.push({
        offsetMs: index * this.bucketMs,
        requests,
        errors: this.errors.get(index),
        p50: percentiles ? percentileOf(percentiles, 50) : null,
        p99: percentiles ? percentileOf(percentiles, 99) : null,
        regions: Object.fromEntries(served.map(([region, columns]) => [region, columns.served.get(index)])),
        slowOrFailed: this.slowOrFailed.map((column) => column.get(index)),
      });
    }
    return points;
  }
}

function percentileOf(source: LatencyHistogram | BucketLatency, p: 50 | 99): number | null {
  return source instanceof LatencyHistogram ? source.percentile(p) : p === 50 ? source.p50 : source.p99;
}

/** Each bucket's p50 and p99 by bucket index (null where the bucket has none). */
export interface BucketLatencies {
  get(index: number): BucketLatency | undefined;
}

/**
 * Each bucket's p50 and p99 as its histogram in `TimelineBuilder` would give them (histogramPercentiles), from
 * samples in time order, one bucket at a time; kept as two columns of doubles from the first bucket to the last, not
 * an object per bucket.
 */
export function bucketLatencies(samples: SampleColumns, t0: number, bucketMs: number): BucketLatencies {
  const bucketOf = (i: number) => Math.floor((samples.t[i] - t0) / bucketMs);
  if (samples.length === 0) return { get: () => undefined };
  const first = bucketOf(0);
  const span = bucketOf(samples.length - 1) - first + 1;
  const p50s = new Float64Array(span);
  const p99s = new Float64Array(span);
  const sampled = new Uint8Array(span);
  let from = 0;
  while (from < samples.length) {
    // The builder's own bucketing, so a sample on a boundary lands where it would there.
    const index = bucketOf(from);
    let to = from + 1;
    while (to < samples.length && bucketOf(to) === index) to++;
    const [p50, p99] = histogramPercentiles(samples.latencyMs.subarray(from, to), [50, 99]);
    p50s[index - first] = p50!;
    p99s[index - first] = p99!;
    sampled[index - first] = 1;
    from = to;
  }
  return {
    get(index) {
      const at = index - first;
      return at >= 0 && at < span && sampled[at] === 1 ? { p50: p50s[at], p99: p99s[at] } : undefined;
    },
  };
}
