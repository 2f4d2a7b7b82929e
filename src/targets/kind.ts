import type { z } from 'zod';
import type { AwsModel } from '../aws/model';
import type { ReportIssue } from '../core/fields';
import type { LockRequest } from './lock';
import type { TargetSession } from './session';

/**
 * One kind of target, the same small shape for each (lab, aws, endpoints): its schema and
 * checks, what it is called and offers before a run (for validation and `plan`), how to
 * open it. What its session's description says is read back by targets/descriptions.ts.
 */
export interface TargetKind<S extends z.ZodType = z.ZodType> {
  schema: S;
  /** Checks of the target's fields against each other. */
  validate?(target: z.output<S>, report: ReportIssue): void;
  /** What this target asks of every fault (paths from the experiment: ['faults', i, …]). */
  checkFaults?(
    target: z.output<S>,
    faults: Array<{ duration?: number; instantaneous: boolean }>,
    report: ReportIssue,
  ): void;
  /** Its regions, the primary first unless it says otherwise; empty for a target without regions. */
  regions(target: z.output<S>): string[];
  /** The primary region (the first unless declared); undefined without regions. */
  primary(target: z.output<S>): string | undefined;
  /** Names probes may use as `endpoint`. */
  endpointNames(target: z.output<S>): string[];
  /** Databases sql probes and SQL ledgers may name instead of a postgres:// URL. */
  databaseNames(target: z.output<S>): string[];
  /** Whether it has a Prometheus to ask (the lab always; aws and endpoints when they name one). */
  hasPrometheus(target: z.output<S>): boolean;
  /** How region faults reach it: AWS APIs, the lab's direct API, or none. */
  faultApi(target: z.output<S>): 'aws' | 'direct' | null;
  /** How to say that the AWS APIs cannot do something on this target, and what to do instead. */
  throughAws?: string;
  /** The target as the AWS APIs see it, as far as known before a run; null without regions. */
  awsModel(target: z.output<S>): AwsModel | null;
  /** Endpoint URLs as far as they are known before a run. */
  planEndpoints(target: z.output<S>): Record<string, string>;
  /** What opening it does, for `gameday plan`. */
  planOpen(target: z.output<S>): string[];
  /** Opens it for a run and takes its lock; `onProgress` hears what it does meanwhile. */
  open(
    target: z.output<S>,
    lock: Omit<LockRequest, 'target'>,
    onProgress: (message: string) => void,
  ): Promise<TargetSession>;
}
