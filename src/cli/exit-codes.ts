import type { RunStatus } from '../core/events';

/** The contract with CI: these numbers never change meaning. */
export const exitCodes = {
  passed: 0,
  failed: 1,
  invalid: 2,
  aborted: 3,
  error: 4,
  /** Stopped by `gameday halt`, or refused while gameday is halted: an operator said stop, not the target. */
  halted: 5,
} as const;

export function exitCodeFor(status: RunStatus): number {
  return exitCodes[status];
}
