import type { HttpOutcome } from './http-traffic';
import { StringTable } from './string-table';

/** Numbers per outcome in a batch: t, sendLagMs, latencyMs, status, ok, error index, region index. */
const stride = 7;

/** Outcomes as one worker thread sends them to the probe's thread: a transferable buffer and a string table. */
export interface OutcomeBatch {
  numbers: Float64Array;
  /** Error codes and regions; index 0 is ''. */
  strings: string[];
}

/**
 * Packs a worker's outcomes into one Float64Array (transferred, not copied, to the
 * probe's thread) and a table of the few distinct strings, so a batch of thousands of
 * outcomes crosses threads as one message instead of thousands of cloned objects.
 */
export class OutcomeBatchWriter {
  private numbers: Float64Array;
  private readonly strings = new StringTable();
  length = 0;

  constructor(private readonly capacity: number) {
    this.numbers = new Float64Array(capacity * stride);
  }

  get full(): boolean {
    return this.length === this.capacity;
  }

  push(outcome: HttpOutcome): void {
    if (this.full) throw new Error(`outcome batch full (${this.capacity})`);
    const offset = this.length++ * stride;
    const numbers = this.numbers;
    numbers[offset] = outcome.t;
    numbers[offset + 1] = outcome.sendLagMs;
    numbers[offset + 2] = outcome.latencyMs;
    numbers[offset + 3] = outcome.status;
    numbers[offset + 4] = outcome.ok ? 1 : 0;
    numbers[offset + 5] = this.strings.intern(outcome.error);
    numbers[offset + 6] = this.strings.intern(outcome.region);
  }

  /** The batch so far (its buffer is handed over: transfer it), and a fresh one begun. */
  take(): OutcomeBatch {
    const batch = { numbers: this.numbers.subarray(0, this.length * stride), strings: this.strings.take() };
    this.numbers = new Float64Array(this.capacity * stride);
    this.length = 0;
    return batch;
  }
}

/** The outcomes of a batch, in the order they were pushed. */
export function* readOutcomeBatch(batch: OutcomeBatch): Generator<HttpOutcome> {
  const { numbers, strings } = batch;
  for (let offset = 0; offset + stride <= numbers.length; offset += stride) {
    yield {
      t: numbers[offset],
      sendLagMs: numbers[offset + 1],
      latencyMs: numbers[offset + 2],
      status: numbers[offset + 3],
      ok: numbers[offset + 4] === 1,
      error: strings[numbers[offset + 5]],
      region: strings[numbers[offset + 6]],
    };
  }
}
