import fs from 'node:fs';

/** A write as the region took it while its writer was unreachable, in the order it was acknowledged (`n`). */
export type QueuedWrite =
  | { n: number; queuedAt: number; kind: 'ledger'; client: string; seq: number; region: string }
  | {
      n: number;
      queuedAt: number;
      kind: 'order';
      item: string;
      quantity: number;
      customer: string | null;
      region: string;
      /** The order's receipt object, stored before the order was taken (absent in queues written before receipts). */
      receiptKey?: string | null;
    };

/** What is written to the queue: `n` and `queuedAt` are the queue's. */
export type WriteToQueue = QueuedWrite extends infer W
  ? W extends QueuedWrite
    ? Omit<W, 'n' | 'queuedAt'>
    : never
  : never;

/** A queued write replayed on the writer: when (epoch ms). */
export interface ReplayRecord {
  n: number;
  replayedAt: number;
  /**
   * The writer held it already: its first attempt, answered too late and so queued, had committed it after all, in
   * its own time rather than in the queue's order. Ledger entries only (an order has no key to find it by).
   */
  found?: true;
}

/**
 * A region's durable write queue: the writes it acknowledged while its writer was
 * unreachable, one JSON line each in `file`, flushed to disk (fdatasync) before the
 * acknowledgement, so a crash of the app loses none; and `<file>.replayed`, one line per
 * write replayed on the writer, also flushed, so a restarted app resumes where it stopped
 * and replays nothing twice. One process writes it (the app, never a fleet of them).
 */
export class WriteQueue {
  private constructor(
    private readonly file: string,
    private readonly writes: QueuedWrite[],
    private replayedCount: number,
    private readonly queueFd: number,
    private readonly replayFd: number,
  ) {}

  static open(file: string): WriteQueue {
    const { writes, replays } = readWriteQueue(file);
    return new WriteQueue(file, writes, replays.length, fs.openSync(file, 'a'), fs.openSync(replayFile(file), 'a'));
  }

  /** Writes acknowledged and not yet replayed: while there are any, a new write queues behind them. */
  get pending(): number {
    return this.writes.length - this.replayedCount;
  }

  /** The oldest write not replayed yet. */
  next(): QueuedWrite | undefined {
    return this.writes[this.replayedCount];
  }

  /** Appends the write and returns once it is on disk: only then may it be acknowledged. */
  enqueue(write: WriteToQueue): QueuedWrite {
    const queued = { ...write, n: this.writes.length + 1, queuedAt: Date.now() } as QueuedWrite;
    fs.writeSync(this.queueFd, `${JSON.stringify(queued)}\n`);
    fs.fdatasyncSync(this.queueFd);
    this.writes.push(queued);
    return queued;
  }

  /** The oldest pending write is committed on the writer (found: it was there already). */
  replayed(write: QueuedWrite, found = false): void {
    if (write.n !== this.replayedCount + 1) throw new Error(`${this.file}: replayed ${write.n} out of order`);
    const record: ReplayRecord = { n: write.n, replayedAt: Date.now(), ...(found ? { found: true } : {}) };
    fs.writeSync(this.replayFd, `${JSON.stringify(record)}\n`);
    fs.fdatasyncSync(this.replayFd);
    this.replayedCount++;
  }

  close(): void {
    fs.closeSync(this.queueFd);
    fs.closeSync(this.replayFd);
  }
}

/**
 * How a drained queue's ledger entries stand on the writer, from the ones it holds in the order they committed: how
 * many are missing, and whether the ones the replay wrote committed in the order the queue acknowledged them. An entry
 * the replay found already there (`found`) was committed by its own first attempt, answered too late and so queued:
 * in its own time, which the queue's order does not govern; those are counted apart.
 */
export function ledgerReplayOrder(
  queue: { writes: readonly QueuedWrite[]; replays: readonly ReplayRecord[] },
  /** Each at most once: (client, seq) is the ledger's key. */
  committedInOrder: readonly { client: string; seq: string | number }[],
): { ledgerEntries: number; missing: number; committedByFirstAttempt: number; inOrder: boolean } {
  const ledger = queue.writes.flatMap((write) => (write.kind === 'ledger' ? [write] : []));
  // Only a ledger entry can be found there (the replay inserts one ON CONFLICT DO NOTHING): each is one of `ledger`.
  const found = new Set(queue.replays.flatMap((replay) => (replay.found ? [replay.n] : [])));
  const position = new Map(ledger.map((write, index) => [`${write.client}/${write.seq}`, index]));
  const order = committedInOrder
    .map((row) => position.get(`${row.client}/${row.seq}`))
    .filter((index): index is number => index !== undefined && !found.has(ledger[index].n));
  return {
    ledgerEntries: ledger.length,
    missing: ledger.length - committedInOrder.length,
    committedByFirstAttempt: found.size,
    inOrder: order.every((at, index) => index === 0 || at > order[index - 1]),
  };
}

function replayFile(file: string): string {
  return `${file}.replayed`;
}

/**
 * A queue as its files hold it (none yet: empty). A last line cut short by a crash was never acknowledged (the
 * acknowledgement waits for the flush), so it is left out.
 */
export function readWriteQueue(file: string): { writes: QueuedWrite[]; replays: ReplayRecord[] } {
  return { writes: readLines<QueuedWrite>(file), replays: readLines<ReplayRecord>(replayFile(file)) };
}

function readLines<T>(file: string): T[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const lines = text.split('\n');
  if (!text.endsWith('\n')) lines.pop();
  return lines.filter((line) => line.length > 0).map((line) => JSON.parse(line) as T);
}
