import type { RollbackRecord } from '../engine/events';
import type { ResolvedFault } from '../experiment/validate';

/** What `gameday plan` shows for one fault. */
export interface FaultPlan {
  inject: string;
  rollback: string;
}

/**
 * One fault kind, the same small shape for every kind: how to describe it, the rollback
 * record written to the journal before injecting, and the injection itself. Reverting
 * goes through the rollback record (faults/revert.ts), so a run and `gameday recover`
 * undo a fault by the same code.
 */
export interface FaultKind<F extends ResolvedFault = ResolvedFault> {
  plan(fault: F): FaultPlan;
  rollbackRecord(fault: F): RollbackRecord;
  /** Injects; resolves when the fault is active. Throws FaultError when it could not. */
  inject(fault: F): Promise<Record<string, unknown> | void>;
}

export class FaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultError';
  }
}
