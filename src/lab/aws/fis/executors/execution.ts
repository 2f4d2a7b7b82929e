import type { Lab } from '../../../lab';
import type { LabResource } from '../targets';

/**
 * The contract between the experiment state machine and the lab work of one action kind.
 * An execution injects its change, lets it run its course, and reverts it; the state
 * machine decides when (startAfter, StopExperiment, failures, lab shutdown).
 */

export interface ExecutionContext {
  readonly lab: Lab;
  /** The experiment's region (its signing scope). */
  readonly region: string;
  /** The selected resources of each action target, by target key (`Subnets`, `Tasks`, ...). */
  readonly targets: Readonly<Record<string, readonly LabResource[]>>;
  /** The action's parameters, validated, defaults applied. */
  readonly parameters: Readonly<Record<string, string>>;
  /** Unique to this action of this experiment; names the toxics it adds. */
  readonly faultName: string;
}

export interface Execution {
  /** What the lab does, for the action's state reason while it runs. */
  readonly summary: string;
  /** Applies the lab change; resolves once it is in effect (the action's startTime). */
  inject(): Promise<void>;
  /**
   * Resolves when the action has run its course: its duration elapsed (cut short when
   * `signal` aborts), or its own work finished (a reboot: the database is back).
   */
  settle(signal: AbortSignal): Promise<void>;
  /** Undoes the change. Idempotent, and safe after an inject that failed part way. */
  revert(): Promise<void>;
}

export type Executor = (context: ExecutionContext) => Execution;

/**
 * Resolves after `ms`, or as soon as `signal` aborts; the timer never outlives either. It
 * does not keep the process alive by itself (an action may last 12 hours): whoever owns
 * the experiments stops them on shutdown.
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The distinct regions of the resources an action acts on, in order. */
export function regionsOf(resources: readonly LabResource[]): string[] {
  return [...new Set(resources.map((resource) => resource.region))];
}
