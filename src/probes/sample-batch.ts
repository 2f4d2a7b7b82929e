import type { SampleRow } from '../core/events';
import { tenths } from './batcher';
import { StringTable } from './string-table';

const flushIntervalMs = 1_000;
/**
 * A batch is written when it reaches this many rows, before its second is up: the write
 * (rows, JSON, one synchronous write) runs on the probe's thread and costs about 0.5 µs a
 * row, so a whole second at 24,000 req/s stalled the schedule ~18 ms (up to 35) and the
 * requests due meanwhile went out late in a burst. 4,096 rows cost about 2 ms.
 */
export const maxRowsPerBatch = 4_096;
const initialCapacity = 1_024;
/** Error codes and regions take a handful of values; a table grown past this is cleared after its batch. */
const maxKeptStrings = 1_024;

/**
 * The traffic's journal rows between two flushes, kept in columns (typed arrays, and a
 * small table for the error and region strings, which take a handful of values) instead
 * of an array per request. At tens of thousands of requests a second a second's worth of
 * row arrays outlives two scavenges and is promoted to the old generation, where
 * collecting it costs far more; the columns are allocated once and reused. The rows are
 * materialised only to be written, and die young.
 */
export class SampleColumns {
  private capacity = initialCapacity;
  private t = new Float64Array(initialCapacity);
  private latency = new Float64Array(initialCapacity);
  private status = new Uint16Array(initialCapacity);
  private ok = new Uint8Array(initialCapacity);
  private error = new Uint32Array(initialCapacity);
  private region = new Uint32Array(initialCapacity);
  private readonly strings = new StringTable();
  length = 0;

  /** One request's row: due time and latency in ms (kept to 0.1 ms, as journals keep them). */
  push(t: number, latencyMs: number, status: number, ok: boolean, error: string, region: string): void {
    if (this.length === this.capacity) this.grow();
    const index = this.length++;
    this.t[index] = tenths(t);
    this.latency[index] = tenths(latencyMs);
    this.status[index] = status;
    this.ok[index] = ok ? 1 : 0;
    this.error[index] = this.strings.intern(error);
    this.region[index] = this.strings.intern(region);
  }

  /** The rows pushed since the last take, in order, as the journal's `traffic.samples` carries them; then empty. */
  take(): SampleRow[] {
    const rows: SampleRow[] = new Array(this.length);
    for (let index = 0; index < this.length; index++) {
      rows[index] = [
        this.t[index],
        this.latency[index],
        this.status[index],
        this.ok[index] as 0 | 1,
        this.strings.at(this.error[index]),
        this.strings.at(this.region[index]),
      ];
    }
    this.length = 0;
    // The table only has to span one batch: a service sending a distinct region per request must not grow it forever.
    if (this.strings.size > maxKeptStrings) this.strings.clear();
    return rows;
  }

  private grow(): void {
    this.capacity *= 2;
    type Column = Float64Array | Uint32Array | Uint16Array | Uint8Array;
    const widen = <A extends Column>(old: A, make: (n: number) => A): A => {
      const wider = make(this.capacity);
      wider.set(old);
      return wider;
    };
    this.t = widen(this.t, (n) => new Float64Array(n));
    this.latency = widen(this.latency, (n) => new Float64Array(n));
    this.status = widen(this.status, (n) => new Uint16Array(n));
    this.ok = widen(this.ok, (n) => new Uint8Array(n));
    this.error = widen(this.error, (n) => new Uint32Array(n));
    this.region = widen(this.region, (n) => new Uint32Array(n));
  }
}

/**
 * The traffic's rows go to the journal once a second, in one event (as JournalBatcher's
 * do), so a report can be rebuilt from the journal alone and a killed run loses at most a
 * second of samples; at high rates in several events of at most maxRowsPerBatch rows.
 */
export class SampleBatcher {
  private readonly columns = new SampleColumns();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly write: (rows: SampleRow[]) => void) {
    this.timer = setInterval(() => this.flush(), flushIntervalMs);
  }

  push(t: number, latencyMs: number, status: number, ok: boolean, error: string, region: string): void {
    this.columns.push(t, latencyMs, status, ok, error, region);
    if (this.columns.length >= maxRowsPerBatch) this.flush();
  }

  flush(): void {
    if (this.columns.length > 0) this.write(this.columns.take());
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
