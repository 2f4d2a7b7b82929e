import { formatDuration } from '../core/duration';
import { rtoBounds, type PhaseName, type RtoBoundsInput } from '../measure/phases';

/** Where the measured RTO falls between what the configuration allows, and why, phase by phase. */
export interface RtoBounds {
  lowerMs: number;
  upperMs: number;
  position: 'below' | 'within' | 'above';
  explanation: string;
  /** The terms, so a reader can redo the arithmetic. */
  parts: RtoBoundsInput & { detectionMinMs: number; detectionMaxMs: number };
}

/**
 * Places a measured RTO between its bounds. Outside them, the phase that went past what
 * the configuration allows says why: a detection faster or slower than the health checks
 * permit, clients that reached the new region later than a stale answer and a timeout
 * explain, or recovery before the promotion (traffic that does not need the writer).
 */
export function placeRto(
  rtoMs: number,
  phases: ReadonlyArray<{ name: PhaseName; ms: number }>,
  input: RtoBoundsInput,
): RtoBounds {
  const bounds = rtoBounds(input);
  const phase = (name: PhaseName) => phases.find((entry) => entry.name === name)?.ms ?? 0;
  const detection = phase('detection');
  const runbook = phase('decision') + phase('fencing') + phase('promotion');
  const shift = phase('traffic shift');
  const stabilisation = phase('stabilisation');
  const d = formatDuration;
  const parts = { ...input, detectionMinMs: bounds.detectionMinMs, detectionMaxMs: bounds.detectionMaxMs };
  const staleAndTimeout = input.staleAnswerMs + input.clientTimeoutMs + input.requestIntervalMs;

  if (rtoMs < bounds.lowerMs) {
    const explanation =
      detection < bounds.detectionMinMs
        ? `detection took ${d(detection)}, less than the health checks allow (${d(bounds.detectionMinMs)}: ` +
          `interval × (threshold − 1)): the check was failing before the fault's clock started`
        : `clients recovered ${d(bounds.lowerMs - rtoMs)} before the runbook could have promoted the new writer: ` +
          'the traffic did not need it (reads, or a region that served on its own)';
    return { lowerMs: bounds.lowerMs, upperMs: bounds.upperMs, position: 'below', explanation, parts };
  }
  if (rtoMs > bounds.upperMs) {
    const excess: Array<{ ms: number; text: string }> = [
      {
        ms: detection - bounds.detectionMaxMs,
        text:
          `detection took ${d(detection)}, more than interval × threshold + a check timeout ` +
          `(${d(bounds.detectionMaxMs)}): the checker or the runbook's polling of it was late`,
      },
      {
        ms: shift + stabilisation - staleAndTimeout,
        text:
          `clients took ${d(shift)} after promotion to be served by the new region and ${d(stabilisation)} more ` +
          `to hold the success ratio, more than a stale answer, a timeout and a request gap (${d(staleAndTimeout)}): ` +
          'they kept the old answer or connection longer (a resolver ignoring the TTL, a pooled connection), ' +
          'or the new region was not yet serving well',
      },
    ];
    const worst = excess.reduce((a, b) => (b.ms > a.ms ? b : a));
    return { lowerMs: bounds.lowerMs, upperMs: bounds.upperMs, position: 'above', explanation: worst.text, parts };
  }
  const explanation =
    `within the bounds: detection ${d(detection)} (health checks allow ${d(bounds.detectionMinMs)}–` +
    `${d(bounds.detectionMaxMs)}), runbook ${d(runbook)}, traffic shift ${d(shift)} and stabilisation ` +
    `${d(stabilisation)} (a stale answer, a timeout and a request gap allow ${d(staleAndTimeout)})`;
  return { lowerMs: bounds.lowerMs, upperMs: bounds.upperMs, position: 'within', explanation, parts };
}
