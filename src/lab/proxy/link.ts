/**
 * One direction of one proxied connection: reads its source socket, lets every toxic
 * that applies decide when each piece may leave, and writes to its destination.
 *
 * Invariants:
 * - Bytes leave in the order they arrived, each exactly once, until the connection is
 *   torn down; a toxic can delay, hold or slice them but never reorder or drop them.
 * - At most `readAheadBytes` (plus one socket read) are queued: past that the source is
 *   paused, so a held or throttled direction becomes TCP backpressure on the sender.
 *   The destination's own buffer is bounded the usual way, by waiting for 'drain'.
 * - Every toxic decision is re-asked after any change, which is how toxics apply to
 *   in-flight connections and how removing one releases what it held.
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { StreamDirection } from './stream-direction';
import type { Toxic } from './toxic';
import { toxicKind } from './toxics';
import { pass, type Chunk, type LinkToxic, type ToxicLink, type Verdict } from './toxics/kind';

const readAheadBytes = 64 * 1024;

/** What a link (through its toxics) may do to the whole connection. */
export interface ConnectionControl {
  close(): void;
  reset(): void;
  /** A bug in the link or a toxic: report it and tear the connection down. */
  fail(error: unknown): void;
}

interface Attachment {
  readonly toxic: Toxic;
  /** Absent when the connection lost the toxicity roll; kept so update and removal stay symmetric. */
  readonly behaviour: LinkToxic | undefined;
  readonly timers: Set<NodeJS.Timeout>;
}

export class Link {
  /** Resolves when the link will send nothing more: source ended and flushed, destination gone, or stopped. */
  readonly finished: Promise<void>;

  private readonly queue: Chunk[] = [];
  private queuedBytes = 0;
  private sourcePaused = false;
  private sourceEnded = false;
  private stopped = false;
  private readonly attachments = new Map<string, Attachment>();
  private readonly wakeup = new Wakeup();

  constructor(
    readonly direction: StreamDirection,
    private readonly source: Socket,
    private readonly destination: Socket,
    private readonly connection: ConnectionControl,
    toxics: readonly Toxic[],
  ) {
    for (const toxic of toxics) this.attach(toxic);
    source.on('data', (bytes: Buffer) => this.receive(bytes));
    source.on('end', () => {
      this.sourceEnded = true;
      this.wakeup.fire();
    });
    this.finished = this.pump().catch((error: unknown) => this.connection.fail(error));
  }

  /** Starts applying `toxic`, or re-applies it (new roll, fresh state and timers) if already attached. */
  attach(toxic: Toxic): void {
    if (this.stopped) return;
    this.clearTimers(toxic.name);
    const timers = new Set<NodeJS.Timeout>();
    const applies = Math.random() < toxic.toxicity;
    const behaviour = applies ? toxicKind(toxic.type).attach(toxic.attributes, this.handleFor(timers)) : undefined;
    // Map.set on an existing name keeps its position, so an update keeps the toxic's order.
    this.attachments.set(toxic.name, { toxic, behaviour, timers });
    this.wakeup.fire();
  }

  detach(name: string): void {
    this.clearTimers(name);
    if (this.attachments.delete(name)) this.wakeup.fire();
  }

  /** Called once the connection is gone: cancels timers and ends the pump. */
  stop(): void {
    this.stopped = true;
    for (const name of this.attachments.keys()) this.clearTimers(name);
    this.queue.length = 0;
    this.wakeup.fire();
  }

  private receive(bytes: Buffer): void {
    if (this.stopped) return;
    this.queue.push({ bytes, arrivedAt: performance.now() });
    this.queuedBytes += bytes.length;
    if (this.queuedBytes >= readAheadBytes && !this.sourcePaused) {
      this.sourcePaused = true;
      this.source.pause();
    }
    this.wakeup.fire();
  }

  private async pump(): Promise<void> {
    while (!this.stopped && !this.destination.destroyed) {
      const head = this.queue[0];
      if (head === undefined) {
        if (this.sourceEnded) {
          // Half-close only after everything before the FIN has been sent.
          this.destination.end();
          return;
        }
        await this.wakeup.wait();
        continue;
      }
      const now = performance.now();
      const behaviours = this.applyingBehaviours();
      const pieceBytes = Math.min(head.bytes.length, ...behaviours.map((b) => b.maxPieceBytes?.() ?? Infinity));
      const verdict = strictest(behaviours.map((b) => b.admit?.({ chunk: head, pieceBytes, now }) ?? pass));
      if (verdict.kind === 'hold') {
        await this.wakeup.wait();
        continue;
      }
      if (verdict.kind === 'wait') {
        await this.wakeup.wait(verdict.until - now);
        continue;
      }
      const piece = this.take(head, pieceBytes);
      for (const behaviour of behaviours) behaviour.sent?.(pieceBytes, now);
      if (!this.destination.write(piece)) await this.drained();
    }
  }

  private take(head: Chunk, pieceBytes: number): Buffer {
    const piece = head.bytes.subarray(0, pieceBytes);
    head.bytes = head.bytes.subarray(pieceBytes);
    if (head.bytes.length === 0) this.queue.shift();
    this.queuedBytes -= pieceBytes;
    if (this.sourcePaused && this.queuedBytes < readAheadBytes / 2) {
      this.sourcePaused = false;
      this.source.resume();
    }
    return piece;
  }

  private applyingBehaviours(): LinkToxic[] {
    const behaviours: LinkToxic[] = [];
    for (const { behaviour } of this.attachments.values()) if (behaviour) behaviours.push(behaviour);
    return behaviours;
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.destination.off('drain', done);
        this.destination.off('close', done);
        resolve();
      };
      this.destination.on('drain', done);
      this.destination.on('close', done);
    });
  }

  private handleFor(timers: Set<NodeJS.Timeout>): ToxicLink {
    return {
      direction: this.direction,
      after: (ms, action) => {
        if (this.stopped) return;
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!this.stopped) action();
        }, ms);
        timers.add(timer);
      },
      closeConnection: () => this.connection.close(),
      resetConnection: () => this.connection.reset(),
    };
  }

  private clearTimers(name: string): void {
    const attachment = this.attachments.get(name);
    if (!attachment) return;
    for (const timer of attachment.timers) clearTimeout(timer);
    attachment.timers.clear();
  }
}

/** Hold beats wait beats pass; among waits the latest deadline wins. */
function strictest(verdicts: readonly Verdict[]): Verdict {
  let result: Exclude<Verdict, { kind: 'hold' }> = { kind: 'pass' };
  for (const verdict of verdicts) {
    if (verdict.kind === 'hold') return verdict;
    if (verdict.kind === 'wait' && (result.kind === 'pass' || verdict.until > result.until)) result = verdict;
  }
  return result;
}

/**
 * Wakes the pump when anything it waits on changes. Waiters register synchronously,
 * right after the pump checked its state, so a wakeup can never fall between the two.
 */
class Wakeup {
  private waiters: Array<() => void> = [];

  fire(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves on the next fire(), or after `timeoutMs` if given. */
  wait(timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      };
      this.waiters.push(wake);
      if (timeoutMs !== undefined) {
        // Timers have millisecond resolution; rounding up avoids waking a hair early and spinning.
        timer = setTimeout(
          () => {
            this.waiters = this.waiters.filter((waiter) => waiter !== wake);
            resolve();
          },
          Math.max(1, Math.ceil(timeoutMs)),
        );
      }
    });
  }
}
