import * as hdr from 'hdr-histogram-js';
import { valuesAtRanks } from './order-statistics';
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

/**
 * Only asked where a value's bucket ends: the histograms' shape, never recorded into. hdr-histogram-js's typings leave
 * out the JsHistogram method every histogram it builds has.
 */
const shape = hdr.build({
  lowestDiscernibleValue: 1,
  highestTrackableValue: maxMicros,
  numberOfSignificantValueDigits: 3,
  bitBucketSize: 'packed',
  useWebAssembly: false,
}) as hdr.Histogram & { highestEquivalentValue(value: number): number; lowestEquivalentValue(value: number): number };

/**
 * The percentiles a LatencyHistogram holding `valuesMs` answers, found from the values
 * themselves instead: the histogram's percentile is the upper end of the bucket of the value
 * at its rank, so the value at that rank gives the same figure (tested on both), in a
 * fraction of the time a packed histogram takes to record and walk. The value at a rank is
 * selected without sorting a copy (order-statistics.ts): rounding to microseconds and
 * clamping never reorders values, so the microseconds at a rank are those of the value there.
 */
export function histogramPercentiles(valuesMs: ArrayLike<number>, ps: readonly number[]): Array<number | null> {
  const n = valuesMs.length;
  if (n === 0) return ps.map(() => null);
  const micros = (ms: number) => Math.min(maxMicros, Math.max(1, Math.round(ms * 1000)));
  const rankOf = (p: number) => {
    if (p >= 100) return n - 1;
    if (p <= 0) return 0;
    // The histogram's own rank: the count at the percentile rounded up, one ulp of slack, at least the first.
    const fpCount = (p / 100) * n;
    return Math.max(Math.ceil(fpCount - ulp(fpCount)), 1) - 1;
  };
  const selected = valuesAtRanks(valuesMs, ps.map(rankOf));
  return ps.map((p, i) => {
    const value = micros(selected[i]);
    const reported =
      p >= 100 ? value : p <= 0 ? shape.lowestEquivalentValue(value) : shape.highestEquivalentValue(value);
    return Math.round(reported / 100) / 10;
  });
}

/** As a LatencyHistogram's `summary()` of the same values. */
export function histogramSummary(valuesMs: ArrayLike<number>): LatencySummary {
  const [p50, p90, p99, max] = histogramPercentiles(valuesMs, [50, 90, 99, 100]);
  return { p50, p90, p99, max };
}

function ulp(x: number): number {
  return x === 0 ? 0 : Math.pow(2, Math.floor(Math.log2(x)) - 52);
}
