import type { RollbackRecord } from '../core/events';
import type { TargetSession } from '../targets';
import type { ResolvedFault } from '../experiment/validate';
import type { AwsModel } from '../aws/model';
import { GamedayError } from '../core/errors';

/** What `gameday plan` shows for one fault. */
export interface FaultPlan {
  inject: string;
  rollback: string;
}

/** What a plan knows without running anything. */
export interface PlanContext {
  /** The target as AWS sees it, when faults go through AWS APIs. */
  aws: AwsModel | null;
  /** How long a fault without a duration stays injected: until the end of the observation. */
  heldForMs(fault: { after: number; duration?: number }): number;
}

export interface FaultContext extends PlanContext {
  target: TargetSession;
  runId: string;
}

/** A fault ready to inject: its undo is known (and journaled) before anything changes. */
export interface PreparedFault {
  rollback: RollbackRecord;
  /**
   * Injects; resolves when the fault is active. Throws FaultError when it could not.
   * `activeAt` in the result, when the API reports it (FIS action startTime), is t_fault.
   */
  inject(): Promise<(Record<string, unknown> & { activeAt?: number }) | void>;
}

/**
 * One fault kind, the same small shape for every kind: how to describe it (plan), and
 * how to prepare it — work out exactly what will change and how to undo it, reading but
 * changing nothing. Reverting goes through the rollback record (faults/revert.ts), so a
 * run and `gameday recover` undo a fault by the same code.
 */
export interface FaultKind<F extends ResolvedFault = ResolvedFault> {
  plan(fault: F, context?: PlanContext): FaultPlan;
  prepare(fault: F, context: FaultContext): Promise<PreparedFault>;
}

export class FaultError extends GamedayError {}
