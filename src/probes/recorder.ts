import { now } from '../core/clock';
import type { Journal } from '../core/journal';
import { SampleBatcher } from './sample-batch';
import { StringTable } from './string-table';
import type { HttpOutcome } from './http-traffic';

/** Fewer samples than this in a window is noise, not a breach (guards and detection alike). */
export const minimumSamples = 5;

/** Granularity of the live windows: stop conditions and detection look at windows of seconds. */
const bucketMs = 100;
/** How far back live windows reach; longer windows see only this much. */
export const retainedMs = 15 * 60_000;
const bucketCount = retainedMs / bucketMs;

interface Bucket {
  /** Which 100 ms slot (due time ÷ bucketMs) this bucket currently holds. */
  slot: number;
  total: number;
  failed: number;
  /** Per tracked latency threshold (same order as `thresholdsMs`): requests that failed or took longer. */
  slowOrFailed: number[];
  /** Failed requests by failure (index into the recorder's `failureKinds`); grown as kinds appear. */
  failedByKind: number[];
}

/**
 * Keeps a probe's outcomes for live decisions (stop conditions, steady state, detection)
 * and batches them to the journal (`traffic.samples`), which keeps every request. What
 * stays in memory is bounded whatever the drill's length: a ring of 100 ms buckets
 * covering the last 15 minutes. Latency percentiles are the reports' business (from the
 * journal); live, only counts over the thresholds the guards need are kept.
 */
export class TrafficRecorder {
  private readonly batcher: SampleBatcher | null;
  private readonly ring: Bucket[] = [];
  /** Every failure seen ('TIMEOUT', 'HTTP 503', …), numbered as the buckets' failedByKind index them: a handful. */
  private readonly failureKinds = new StringTable();
  /** A failed status's index in failureKinds, so an outage's thousands of 503s build no 'HTTP 503' string each. */
  private readonly statusKinds = new Map<number, number>();
  requests = 0;
  errors = 0;

  /**
   * `thresholdsMs`: latency bounds whose exceedances guards count (see trackedLatencyThresholds).
   * `journalRows: false` for a probe that journals its outcomes in a shape of its own (k6's, with their tags).
   */
  constructor(
    journal: Journal,
    readonly probe: string,
    private readonly thresholdsMs: readonly number[] = [],
    options: { journalRows?: boolean } = {},
  ) {
    this.batcher =
      options.journalRows === false
        ? null
        : new SampleBatcher((rows) => journal.append({ type: 'traffic.samples', probe, rows }));
  }

  add(outcome: HttpOutcome): void {
    this.requests++;
    if (!outcome.ok) this.errors++;
    const bucket = this.bucketFor(outcome.t);
    if (bucket) {
      bucket.total++;
      if (!outcome.ok) {
        bucket.failed++;
        const kind = this.kindOf(outcome);
        bucket.failedByKind[kind] = (bucket.failedByKind[kind] ?? 0) + 1;
      }
      for (let index = 0; index < this.thresholdsMs.length; index++) {
        if (!outcome.ok || outcome.latencyMs > this.thresholdsMs[index]) bucket.slowOrFailed[index]++;
      }
    }
    this.batcher?.push(outcome.t, outcome.latencyMs, outcome.status, outcome.ok, outcome.error, outcome.region);
  }

  /** Requests due in [from, to), and the failed ones among them. */
  countsBetween(from: number, to: number): { count: number; failed: number } {
    let count = 0;
    let failed = 0;
    this.forEachBucket(from, to, (bucket) => {
      count += bucket.total;
      failed += bucket.failed;
    });
    return { count, failed };
  }

  /** Success ratio of requests due in [from, to), null when none. */
  ratioBetween(from: number, to: number): { ratio: number | null; count: number } {
    const { count, failed } = this.countsBetween(from, to);
    return { ratio: count === 0 ? null : (count - failed) / count, count };
  }

  /** The requests due in [from, to) that failed, by failure: a transport error's code, or `HTTP <status>`. */
  failuresBetween(from: number, to: number): Record<string, number> {
    const byIndex: number[] = [];
    this.forEachBucket(from, to, (bucket) =>
      bucket.failedByKind.forEach((count, index) => (byIndex[index] = (byIndex[index] ?? 0) + count)),
    );
    const failures: Record<string, number> = {};
    byIndex.forEach((count, index) => (failures[this.failureKinds.at(index)] = count));
    return failures;
  }

  /** Of requests due in [from, to): how many, and how many failed or took longer than a tracked threshold. */
  slowerThanBetween(thresholdMs: number, from: number, to: number): { slowOrFailed: number; count: number } {
    const index = this.thresholdsMs.indexOf(thresholdMs);
    if (index < 0) throw new Error(`latency threshold ${thresholdMs} ms is not tracked by probe ${this.probe}`);
    let slowOrFailed = 0;
    let count = 0;
    this.forEachBucket(from, to, (bucket) => {
      count += bucket.total;
      slowOrFailed += bucket.slowOrFailed[index];
    });
    return { slowOrFailed, count };
  }

  close(): void {
    this.batcher?.close();
  }

  private kindOf(outcome: HttpOutcome): number {
    if (outcome.error) return this.failureKinds.intern(outcome.error);
    let index = this.statusKinds.get(outcome.status);
    if (index === undefined) {
      index = this.failureKinds.intern(`HTTP ${outcome.status}`);
      this.statusKinds.set(outcome.status, index);
    }
    return index;
  }

  /** The bucket of a due time, recycled when its slot in the ring held an older time; null when older than the ring. */
  private bucketFor(t: number): Bucket | null {
    const slot = Math.floor(t / bucketMs);
    const index = slot % bucketCount;
    let bucket = this.ring[index];
    if (!bucket) {
      bucket = { slot, total: 0, failed: 0, slowOrFailed: this.thresholdsMs.map(() => 0), failedByKind: [] };
      this.ring[index] = bucket;
    } else if (bucket.slot !== slot) {
      if (bucket.slot > slot) return null;
      bucket.slot = slot;
      bucket.total = 0;
      bucket.failed = 0;
      bucket.slowOrFailed.fill(0);
      bucket.failedByKind.length = 0;
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

/**
 * The error ratio over the `windowMs` ending now, when it exceeds `above` with enough
 * requests to mean something; null otherwise. The errorRatio guard and the runbook's
 * error-ratio detection judge the same way.
 */
export function errorRatioAbove(
  recorder: TrafficRecorder,
  windowMs: number,
  above: number,
  current = now(),
): { errorRatio: number; count: number } | null {
  const { count, failed } = recorder.countsBetween(current - windowMs, current);
  if (count < minimumSamples || failed / count <= above) return null;
  return { errorRatio: failed / count, count };
}
