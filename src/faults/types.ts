import type { RollbackRecord } from '../engine/events';
import type { TargetSession } from '../engine/target';
import type { ResolvedFault } from '../experiment/validate';

/** What `gameday plan` shows for one fault. */
export interface FaultPlan {
  inject: string;
  rollback: string;
}

export interface FaultContext {
  target: TargetSession;
}

/** A fault ready to inject: its undo is known (and journaled) before anything changes. */
export interface PreparedFault {
  rollback: RollbackRecord;
  /** Injects; resolves when the fault is active. Throws FaultError when it could not. */
  inject(): Promise<Record<string, unknown> | void>;
}

/**
 * One fault kind, the same small shape for every kind: how to describe it (plan), and
 * how to prepare it — work out exactly what will change and how to undo it, reading but
 * changing nothing. Reverting goes through the rollback record (faults/revert.ts), so a
 * run and `gameday recover` undo a fault by the same code.
 */
export interface FaultKind<F extends ResolvedFault = ResolvedFault> {
  plan(fault: F): FaultPlan;
  prepare(fault: F, context: FaultContext): Promise<PreparedFault>;
}

export class FaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultError';
  }
}
