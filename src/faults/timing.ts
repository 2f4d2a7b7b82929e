import { duration, name } from '../core/fields';

/** When a fault starts and how long it stays: fields every fault kind has. */
export const faultTiming = {
  name: name.optional(),
  /** Offset from the start of observation. */
  after: duration({ allowZero: true, max: '24h' }).prefault('0s'),
  /** How long the fault stays injected; without it, until the end of the observation. */
  duration: duration({ max: '24h' }).optional(),
};

/** How long a fault stays injected: its duration, else until the end of the observation (at least a second). */
export function heldForMs(fault: { after: number; duration?: number }, observationMs: number): number {
  return fault.duration ?? Math.max(1_000, observationMs - fault.after);
}
