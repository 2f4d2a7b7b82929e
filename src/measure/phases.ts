/**
 * RTO phases (DESIGN.md): detection, decision, fencing, promotion, traffic shift,
 * stabilisation — consecutive intervals from t_fault to t_recovered, cut at the failover
 * runbook's step ends. Pure. Each boundary is clamped into [t_fault, t_recovered] and
 * made monotonic, so the phases always add up to the RTO exactly; a phase that clients
 * did not wait for (they recovered before it ended) is 0.
 */

export const phaseNames = ['detection', 'decision', 'fencing', 'promotion', 'traffic shift', 'stabilisation'] as const;
export type PhaseName = (typeof phaseNames)[number];

export interface RunbookMarks {
  detectedAt: number | null;
  decidedAt: number | null;
  fencedAt: number | null;
  promotedAt: number | null;
  shiftedAt: number | null;
}

export function rtoPhases(
  tFault: number,
  tRecovered: number,
  marks: RunbookMarks,
): Array<{ name: PhaseName; ms: number }> {
  const ends = [marks.detectedAt, marks.decidedAt, marks.fencedAt, marks.promotedAt, marks.shiftedAt];
  const phases: Array<{ name: PhaseName; ms: number }> = [];
  let previous = tFault;
  ends.forEach((end, index) => {
    // A missing mark (step skipped) ends where the previous one did.
    const boundary = Math.min(tRecovered, Math.max(previous, end ?? previous));
    phases.push({ name: phaseNames[index], ms: Math.round(boundary - previous) });
    previous = boundary;
  });
  phases.push({ name: 'stabilisation', ms: Math.round(Math.max(0, tRecovered - previous)) });
  // Rounding each phase could drift from the rounded total by a millisecond; put it on stabilisation.
  const drift = Math.round(tRecovered - tFault) - phases.reduce((sum, phase) => sum + phase.ms, 0);
  phases[phases.length - 1].ms += drift;
  return phases;
}

/**
 * The least RTO the configuration allows with DNS failover: health checks must fail
 * `failureThreshold` times `interval` apart, clients keep the old answer for one TTL,
 * and the database must be promoted.
 */
export function rtoFloorMs(config: {
  healthCheckIntervalMs: number;
  failureThreshold: number;
  dnsTtlMs: number;
  promotionMs: number;
}): number {
  return config.healthCheckIntervalMs * config.failureThreshold + config.dnsTtlMs + config.promotionMs;
}
