import { errorMessage } from '../core/errors';

/**
 * The ordered queue a notifier sends through. A reporter's onEvent is called on the
 * journal's write path — inside a fault's injection, a rollback — so it only pushes here
 * and returns; the deliveries run one after another in the background, each with its own
 * retries. Nothing that happens to a delivery (a timeout, a refusal, an outage) reaches
 * the run: it is counted, and said at the end.
 */
export class DeliveryQueue {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;
  private closed = false;
  private readonly outcome = { delivered: 0, dropped: 0, failures: [] as string[] };

  /** `what` names the delivery in a failure's line ("update 4"). Never throws. */
  push(what: string, deliver: () => Promise<void>): void {
    if (this.closed) {
      this.outcome.dropped++;
      return;
    }
    this.waiting++;
    this.tail = this.tail.then(async () => {
      try {
        if (this.closed) {
          this.outcome.dropped++;
          return;
        }
        await deliver();
        this.outcome.delivered++;
      } catch (error) {
        this.outcome.failures.push(`${what}: ${errorMessage(error)}`);
      } finally {
        this.waiting--;
      }
    });
  }

  /** Resolves true once everything pushed so far has been tried, false when `ms` ran out first. */
  async drain(ms: number): Promise<boolean> {
    if (this.waiting === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const drained = this.tail.then(() => true as const);
    try {
      return await Promise.race([drained, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Deliveries not started yet are dropped (counted); the one in flight finishes on its own. */
  close(): void {
    this.closed = true;
  }

  /** Deliveries pushed and not tried yet. */
  get pending(): number {
    return this.waiting;
  }

  get result(): { delivered: number; dropped: number; failures: readonly string[] } {
    return this.outcome;
  }
}

/** Runs `work` for at most `ms`; null when time ran out (the work goes on, unheeded). */
export async function within<T>(ms: number, work: Promise<T>): Promise<{ value: T } | null> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([work.then((value) => ({ value })), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
