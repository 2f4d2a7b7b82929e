import { computeRto, type OutcomeSample, type RtoResult } from '../measure/rto';
import type { RtoSummary } from './summary';

/**
 * RTO is judged over the observation window: once clients have recovered there, the
 * rollback phase (which may itself disturb the target, e.g. a lab reset) does not undo
 * it. Only when clients had not recovered by the end of the observation — a fault held
 * to the end — does the measurement continue through rollback and post-check.
 */
export function measureRto(
  samples: OutcomeSample[],
  tFault: number | null,
  criteria: { successRatio: number; windowMs: number },
  observeEnd: number | null,
): { result: RtoResult | null; afterRollback: boolean } {
  if (tFault === null) return { result: null, afterRollback: false };
  if (observeEnd !== null) {
    const observed = samples.filter((sample) => sample.t < observeEnd);
    const within = computeRto(observed, tFault, criteria, observeEnd);
    if (within.recovered !== false) return { result: within, afterRollback: false };
  }
  const whole = computeRto(samples, tFault, criteria);
  return { result: whole, afterRollback: observeEnd !== null && whole.recovered === true };
}

/** The summary's RTO section from a measurement: met against the objective, or why there is no figure. */
export function summarizeRto(
  result: RtoResult | null,
  objectiveMs: number | null,
  criteria: { successRatio: number; windowMs: number },
  tFault: number | null,
  iso: (t: number | null | undefined) => string | null,
): RtoSummary {
  const base = { objectiveMs, criteria, tFault: iso(tFault), phases: null, floorMs: null };
  if (result === null) {
    return {
      ...base,
      ms: null,
      met: null,
      recovered: null,
      atLeastMs: null,
      tRecovered: null,
      failedRequests: 0,
      note: 'no fault was injected',
    };
  }
  if (result.recovered === null) {
    return {
      ...base,
      ms: null,
      met: null,
      recovered: null,
      atLeastMs: null,
      tRecovered: null,
      failedRequests: 0,
      note: result.reason,
    };
  }
  if (!result.recovered) {
    return {
      ...base,
      ms: null,
      met: objectiveMs === null ? null : false,
      recovered: false,
      atLeastMs: Math.round(result.atLeastMs),
      tRecovered: null,
      failedRequests: result.failedSamples,
      note: 'clients had not recovered when the run ended',
    };
  }
  const ms = Math.round(result.rtoMs);
  const shortTail = result.observedAfterRecoveryMs < criteria.windowMs;
  return {
    ...base,
    ms,
    met: objectiveMs === null ? null : ms <= objectiveMs,
    recovered: true,
    atLeastMs: null,
    tRecovered: iso(result.tRecovered),
    failedRequests: result.failedSamples,
    note: shortTail
      ? `recovery observed for only ${Math.round(result.observedAfterRecoveryMs)} ms, less than the ` +
        `${criteria.windowMs} ms window`
      : null,
  };
}
