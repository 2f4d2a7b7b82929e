/**
 * What one worker can serve: a token bucket refilled at `ratePerSecond`, holding a quarter
 * second's worth (at least one), so a worker absorbs the jitter of a steady stream but
 * banks no idle capacity to serve a surge with: more than its rate is shed (503
 * over_capacity), as a sized fleet sheds what it has no instance for.
 */
export class CapacityLimit {
  private tokens: number;
  private refilledAt: number;
  private readonly burst: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.burst = Math.max(1, ratePerSecond / 4);
    this.tokens = this.burst;
    this.refilledAt = now();
  }

  /** Takes a token if there is one: true when the request may be served. */
  take(): boolean {
    const current = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((current - this.refilledAt) / 1000) * this.ratePerSecond);
    this.refilledAt = current;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** In a fleet's worker: a request shed for want of capacity, counted by the fleet (cluster.ts). */
export function reportShed(): void {
  process.send?.({ shed: 1 });
}
