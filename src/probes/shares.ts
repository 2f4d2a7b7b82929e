/** One worker's part of an arrival schedule. */
export interface ScheduleShare {
  /** Its own rate: the schedule's ÷ the number of shares. */
  rate: number;
  /** Its first arrival's offset from the schedule's origin. */
  phaseMs: number;
}

/**
 * Splits a constant-rate schedule (arrival i at t0 + i / rate) into `workers` shares that
 * interleave: share k takes arrivals k, k + n, k + 2n, … — its own constant rate rate ÷ n,
 * offset by k / rate. Together they release exactly the original schedule (each due time
 * once), and each share alone is still evenly spaced, so no worker bursts.
 */
export function shareOf(rate: number, workers: number, index: number): ScheduleShare {
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`workers must be a whole number ≥ 1, got ${workers}`);
  if (!Number.isInteger(index) || index < 0 || index >= workers)
    throw new Error(`share index must be 0…${workers - 1}, got ${index}`);
  return { rate: rate / workers, phaseMs: (index * 1000) / rate };
}
