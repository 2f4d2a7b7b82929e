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
  // On the longest phase, which a millisecond cannot make negative.
  phases.reduce((longest, phase) => (phase.ms > longest.ms ? phase : longest)).ms += drift;
  return phases;
}

export interface RtoBoundsInput {
  healthCheckIntervalMs: number;
  failureThreshold: number;
  /** A check of an endpoint that does not answer fails only at its timeout. */
  healthCheckTimeoutMs: number;
  /** The runbook's own time from detection to the end of promotion (decision, fencing, promotion), as measured. */
  runbookMs: number;
  /** The longest a client may keep a stale answer: the DNS TTL, or how long its resolver keeps answers regardless. */
  staleAnswerMs: number;
  /** A request sent just before the answer changed may hang this long before it fails. */
  clientTimeoutMs: number;
  /** Time between a client's requests: recovery is seen at the next request. */
  requestIntervalMs: number;
}

export interface RtoBoundsMs {
  /** What no client can beat: the fastest detection the health checks allow, then the runbook. */
  lowerMs: number;
  /** What the slowest client should see: slowest detection, the runbook, a stale answer, a timeout, a request gap. */
  upperMs: number;
  detectionMinMs: number;
  detectionMaxMs: number;
}

/**
 * Bounds on RTO with DNS failover, from the configuration and the measured runbook. A
 * health check fails `failureThreshold` times `interval` apart. The first failing check can
 * start right after the fault and fail at once (a refused connection), so detection takes at
 * least (threshold − 1) intervals; it can also start up to an interval later and, against a
 * blackhole, fail only at its timeout, so at most threshold intervals plus one timeout. Each
 * client sits somewhere in between, by when its cached answer expires and when its next
 * request goes out.
 */
export function rtoBounds(input: RtoBoundsInput): RtoBoundsMs {
  const detectionMinMs = input.healthCheckIntervalMs * Math.max(0, input.failureThreshold - 1);
  const detectionMaxMs = input.healthCheckIntervalMs * input.failureThreshold + input.healthCheckTimeoutMs;
  return {
    lowerMs: Math.round(detectionMinMs + input.runbookMs),
    upperMs: Math.round(
      detectionMaxMs + input.runbookMs + input.staleAnswerMs + input.clientTimeoutMs + input.requestIntervalMs,
    ),
    detectionMinMs,
    detectionMaxMs,
  };
}
