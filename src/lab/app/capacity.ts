/**
 * What one worker can serve: a token bucket refilled at `ratePerSecond`, holding at most
 * one second's worth, so a worker takes short bursts but never more than its rate over a
 * second. A request finding the bucket empty is shed (503 over_capacity), as a sized
 * fleet sheds what it has no instance for.
 */
export class CapacityLimit {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = ratePerSecond;
    this.refilledAt = now();
  }

  /** Takes a token if there is one: true when the request may be served. */
  take(): boolean {
    const current = this.now();
    this.tokens = Math.min(this.ratePerSecond, this.tokens + ((current - this.refilledAt) / 1000) * this.ratePerSecond);
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
