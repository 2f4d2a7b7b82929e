import type { RunStatus } from '../core/events';

/** The contract with CI: these numbers never change meaning. */
export const exitCodes = {
  passed: 0,
  failed: 1,
  invalid: 2,
  aborted: 3,
  error: 4,
} as const;

export function exitCodeFor(status: RunStatus): number {
  return exitCodes[status];
}
