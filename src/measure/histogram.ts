import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from './percentiles';

/**
 * A latency histogram of fixed size whatever the number of requests (HDR: 3 significant
 * digits, so any percentile is within 0.1% of the exact value), so a drill of hours keeps
 * the memory of a drill of seconds. Values are milliseconds, recorded in microseconds;
 * anything above an hour is recorded as an hour.
 */
export class LatencyHistogram {
  private readonly histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: maxMicros,
    numberOfSignificantValueDigits: 3,
    // Packed counts: a few KB per histogram instead of ~90 KB, which matters for one per second.
    bitBucketSize: 'packed',
    useWebAssembly: false,
  });

  record(latencyMs: number): void {
    this.histogram.recordValue(Math.min(maxMicros, Math.max(1, Math.round(latencyMs * 1000))));
  }

  /** The smallest recorded value with at least p% of values at or below it (nearest rank, as percentiles.ts). */
  percentile(p: number): number | null {
    if (this.histogram.totalCount === 0) return null;
    const micros = p >= 100 ? this.histogram.maxValue : this.histogram.getValueAtPercentile(p);
    return Math.round(micros / 100) / 10;
  }

  summary(): LatencySummary {
    return { p50: this.percentile(50), p90: this.percentile(90), p99: this.percentile(99), max: this.percentile(100) };
  }
}

const maxMicros = 3_600_000_000;
