import type { z } from 'zod';
import type { AwsModel } from '../aws/model';
import { GamedayError } from '../core/errors';
import type { RollbackRecord } from '../core/events';
import type { ReportIssue } from '../core/fields';
import type { TargetSession } from '../targets/session';

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

/** What a fault's checks know of the experiment before anything runs. */
export interface FaultCheckContext {
  /** The target as the AWS APIs see it (the lab's always complete; a real account's as configured). */
  aws: AwsModel | null;
  /** How to say that AWS cannot do something on this target ("through AWS FIS"). */
  throughAws: string;
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
 * How one API carries out a fault kind, the same small shape for every kind: what that API
 * cannot do (checked before anything runs), how to describe it (plan), and how to prepare
 * it — work out exactly what will change and how to undo it, reading but changing nothing.
 * Reverting goes through the rollback record (faults/revert.ts), so a run and `gameday
 * recover` undo a fault by the same code.
 */
export interface FaultImplementation<F> {
  validate?(fault: F, context: FaultCheckContext, report: ReportIssue): void;
  plan(fault: F, context?: PlanContext): FaultPlan;
  prepare(fault: F, context: FaultContext): Promise<PreparedFault>;
}

/** A fault as the engine runs it: defaults applied, named. */
export type Named<F> = F & { name: string };

/**
 * One fault kind: its schema (what users write) and how each API carries it out — `aws`
 * (FIS and Route 53 through the AWS SDK: a real account, or the lab serving the same APIs)
 * or `direct` (the lab's own control API).
 */
export interface FaultKind<S extends z.ZodType> {
  schema: S;
  /** Over as soon as it is done (a reboot): a real account's cap on how long a fault may stay does not apply. */
  instantaneous?: boolean;
  via: { aws: FaultImplementation<Named<z.output<S>>>; direct: FaultImplementation<Named<z.output<S>>> };
}

export class FaultError extends GamedayError {}
