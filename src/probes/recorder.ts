import type { Journal } from '../engine/journal';
import type { SampleRow } from '../engine/events';
import { LatencyHistogram } from '../measure/histogram';
import { JournalBatcher } from './batcher';
import type { HttpOutcome } from './http';

/** Granularity of the live windows: stop conditions and detection look at windows of seconds. */
const bucketMs = 100;
/** How far back live windows reach; longer windows see only this much. */
export const retainedMs = 15 * 60_000;
const bucketCount = retainedMs / bucketMs;

interface Bucket {
  /** Which 100 ms slot (due time ÷ bucketMs) this bucket currently holds. */
  slot: number;
  total: number;
  ok: number;
  okByRegion: Map<string, number>;
  /** Per tracked latency threshold (same order as `thresholds`): requests that failed or took longer. */
  slowOrFailed: number[];
}

/**
 * Keeps a probe's outcomes for live decisions (stop conditions, steady state, detection,
 * progress) and batches them to the journal (`traffic.samples`), which keeps every
 * request. What stays in memory is bounded whatever the drill's length: one HDR latency
 * histogram and a ring of 100 ms buckets covering the last 15 minutes.
 */
export class TrafficRecorder {
  private readonly batcher: JournalBatcher<SampleRow>;
  private readonly ring: Bucket[] = [];
  private readonly thresholds: number[] = [];
  readonly latency = new LatencyHistogram();
  requests = 0;
  errors = 0;

  constructor(journal: Journal, readonly probe: string) {
    this.batcher = new JournalBatcher((rows) => journal.append({ type: 'traffic.samples', probe, rows }));
  }

  /** Counts, from now on, requests slower than `thresholdMs` (for latency guards and latency SLO burn). */
  trackLatencyAbove(thresholdMs: number): void {
    if (!this.thresholds.includes(thresholdMs)) this.thresholds.push(thresholdMs);
  }

  add(outcome: HttpOutcome): void {
    this.requests++;
    if (!outcome.ok) this.errors++;
    this.latency.record(outcome.latencyMs);
    const bucket = this.bucketFor(outcome.t);
    if (bucket) {
      bucket.total++;
      if (outcome.ok) {
        bucket.ok++;
        bucket.okByRegion.set(outcome.region, (bucket.okByRegion.get(outcome.region) ?? 0) + 1);
      }
      this.thresholds.forEach((threshold, index) => {
        if (!outcome.ok || outcome.latencyMs > threshold) bucket.slowOrFailed[index] = (bucket.slowOrFailed[index] ?? 0) + 1;
      });
    }
    this.batcher.push([
      Math.round(outcome.t * 10) / 10,
      Math.round(outcome.latencyMs * 10) / 10,
      outcome.status,
      outcome.ok ? 1 : 0,
      outcome.error,
      outcome.region,
    ]);
  }

  /**
   * Success ratio of requests due in [from, to), null when none. With `region`, a success
   * counts only when that region served it; a failure has no region, so it counts against
   * every region.
   */
  ratioBetween(from: number, to: number, region?: string): { ratio: number | null; count: number } {
    let ok = 0;
    let count = 0;
    this.forEachBucket(from, to, (bucket) => {
      const okHere = region === undefined ? bucket.ok : (bucket.okByRegion.get(region) ?? 0);
      count += bucket.total - bucket.ok + okHere;
      ok += okHere;
    });
    return { ratio: count === 0 ? null : ok / count, count };
  }

  /** Of requests due in [from, to): how many, and how many failed or took longer than a tracked threshold. */
  slowerThanBetween(thresholdMs: number, from: number, to: number): { slowOrFailed: number; count: number } {
    const index = this.thresholds.indexOf(thresholdMs);
    if (index < 0) throw new Error(`latency threshold ${thresholdMs} ms is not tracked by probe ${this.probe}`);
    let slowOrFailed = 0;
    let count = 0;
    this.forEachBucket(from, to, (bucket) => {
      count += bucket.total;
      slowOrFailed += bucket.slowOrFailed[index] ?? 0;
    });
    return { slowOrFailed, count };
  }

  close(): void {
    this.batcher.close();
  }

  /** The bucket of a due time, recycled when its slot in the ring held an older time; null when older than the ring. */
  private bucketFor(t: number): Bucket | null {
    const slot = Math.floor(t / bucketMs);
    const index = slot % bucketCount;
    let bucket = this.ring[index];
    if (!bucket) {
      bucket = { slot, total: 0, ok: 0, okByRegion: new Map(), slowOrFailed: [] };
      this.ring[index] = bucket;
    } else if (bucket.slot !== slot) {
      if (bucket.slot > slot) return null;
      bucket.slot = slot;
      bucket.total = 0;
      bucket.ok = 0;
      bucket.okByRegion.clear();
      bucket.slowOrFailed = [];
    }
    return bucket;
  }

  /** Buckets whose slot lies in [from, to); a bucket is counted whole, so windows are exact to 100 ms. */
  private forEachBucket(from: number, to: number, visit: (bucket: Bucket) => void): void {
    const first = Math.max(Math.floor(from / bucketMs), Math.ceil(to / bucketMs) - bucketCount);
    const last = Math.ceil(to / bucketMs) - 1;
    for (let slot = first; slot <= last; slot++) {
      const bucket = this.ring[((slot % bucketCount) + bucketCount) % bucketCount];
      if (bucket && bucket.slot === slot) visit(bucket);
    }
  }
}
