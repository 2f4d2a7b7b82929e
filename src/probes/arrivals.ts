import { now } from '../core/clock';

/**
 * Open-model arrivals: event i (1-based) is due at t0 + (i − 1) / rate, whatever earlier
 * events are doing — like k6's constant-arrival-rate and wrk2. A slow or hanging request
 * never delays the next, so an outage shows as failures and latency instead of being
 * hidden by coordinated omission. The timer sleeps until the next due time and then fires
 * everything due, so a late timer produces a catch-up burst instead of a lower rate.
 * A burst is released at most `maxBurst` at a time, with a turn of the event loop
 * between: the responses and timeouts waiting there free the connections the rest of the
 * burst would otherwise open anew, and one long synchronous burst would make the next
 * timer later still, so a brief stall at a high rate snowballs into minutes of lag.
 * Tracks the work in flight so `stop` can wait for it, when `fire` returns a promise; a
 * `fire` that returns nothing tracks its own (the traffic probe: no promise per request).
 * A share of a schedule (one worker's, see shareOf) is every `every`-th arrival from
 * `phaseMs` on: its due times interleave exactly with the other shares'.
 */
const maxBurst = 200;

export class Arrivals {
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private running = false;
  private sent = 0;
  private t0 = 0;
  /** Events started and not yet settled; `stop` waits until it drains to 0. */
  private inFlight = 0;
  private drained: (() => void) | null = null;
  /** Bound once: the per-event path allocates nothing of its own. */
  private readonly settled = (): void => {
    if (--this.inFlight === 0 && this.drained) this.drained();
  };

  /** `fire(seq, due)` starts one event and returns its completion (or nothing, when it tracks its own). */
  constructor(
    rate: number,
    private readonly fire: (seq: number, due: number) => Promise<unknown> | void,
    private readonly phaseMs = 0,
  ) {
    this.intervalMs = 1000 / rate;
  }

  /** `t0`: the schedule's origin (default now), shared by the shares of one schedule. */
  start(t0 = now()): void {
    if (this.running) return;
    this.running = true;
    this.t0 = t0 + this.phaseMs;
    this.sent = 0;
    this.tick();
  }

  /** Stops firing and waits for the events in flight (each bounded by its own timeout). */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    this.drained = null;
  }

  /** How many events were due before time t. */
  dueBefore(t: number): number {
    return Math.min(this.sent, Math.max(0, Math.ceil((t - this.t0) / this.intervalMs)));
  }

  private tick(): void {
    if (!this.running) return;
    const current = now();
    for (let released = 0; released < maxBurst; released++) {
      const due = this.t0 + this.sent * this.intervalMs;
      if (due > current) break;
      this.sent++;
      const completion = this.fire(this.sent, due);
      if (completion) {
        this.inFlight++;
        completion.then(this.settled, this.settled);
      }
    }
    const nextDue = this.t0 + this.sent * this.intervalMs;
    // More already due: continue after exactly one turn of the loop (its I/O phase), never two bursts back to back.
    if (nextDue <= current) this.immediate = setImmediate(() => this.tick());
    else this.timer = setTimeout(() => this.tick(), Math.max(0, nextDue - now()));
  }
}
