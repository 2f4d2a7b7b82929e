/**
 * The arithmetic of the resilience score (analysis/score.ts puts it together over a
 * history of drills). Pure: numbers in, numbers out.
 */

/**
 * How well one measurement held its objective, from 0 to 1: 1 within the objective, else
 * the objective's share of what was measured — twice the objective scores 0.5, ten times
 * 0.1. A zero objective is all or nothing. Lower is better for everything scored (RTO,
 * RPO, budget burned).
 */
export function objectiveValue(measured: number, objective: number): number {
  if (measured <= objective) return 1;
  return objective <= 0 ? 0 : objective / measured;
}

/**
 * What evidence of age `ageMs` still counts for: fully until `staleAfterMs`, then half as
 * much for every further `staleAfterMs` (0.5 at twice its age limit, 0.25 at three times).
 */
export function freshness(ageMs: number, staleAfterMs: number): number {
  if (ageMs <= staleAfterMs) return 1;
  return Math.pow(2, -(ageMs - staleAfterMs) / staleAfterMs);
}

/** The mean of the values, as a score out of 100; null for none. */
export function scoreOutOf100(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return (100 * values.reduce((sum, value) => sum + value, 0)) / values.length;
}
