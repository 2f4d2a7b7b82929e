import { now } from '../core/clock';
import type { RollbackRecord } from '../core/events';
import { undoneLast } from '../core/rollback-record';
import type { Journal } from '../core/journal';
import { RollbackStack } from '../core/rollback';
import { revertRecord } from '../faults/revert';

/** Why a run stopped early; the first one to happen wins. */
export interface Stop {
  status: 'aborted' | 'error' | 'halted';
  reason: string;
}

/** A run was interrupted from outside the engine; the abort reason carried on the AbortSignal. */
export interface InterruptReason {
  /** What stopped it: SIGINT, SIGTERM. */
  signal: string;
  /** An error nothing caught (an uncaught exception, an unhandled rejection: a probe's stray timer, a library's). */
  uncaught?: string;
}

/** How an interrupted run ends: aborted by the user's signal, or an error when what stopped it was one. */
export function interruptStop(reason: unknown): Stop {
  const { signal, uncaught } = (reason ?? {}) as Partial<InterruptReason>;
  if (uncaught) return { status: 'error', reason: `stopped by an error nothing caught: ${uncaught}` };
  return { status: 'aborted', reason: `interrupted by ${signal ?? 'interrupt'}` };
}

/**
 * What every phase of a run shares about stopping and undoing: the first reason to stop
 * (a stop condition, a fault that could not be injected, Ctrl-C), the signal that wakes
 * every wait when it comes, and the rollback stack that undoes what was changed.
 */
export class RunControl {
  readonly rollbacks = new RollbackStack();
  private readonly controller = new AbortController();
  stop: Stop | null = null;
  /** The user asked to stop (SIGINT/SIGTERM, gameday halt): no post-check, no read back; every undo still runs. */
  interrupted = false;
  /** A revert on the way failed: the world may be left broken. */
  rollbackFailed = false;
  /** When the last fault was reverted: the post-check observes clients for a recovery window after it. */
  lastRevertAt = 0;

  constructor(
    private readonly journal: Journal,
    external?: AbortSignal,
  ) {
    if (!external) return;
    const onAbort = () => {
      this.interrupted = true;
      this.requestStop(interruptStop(external.reason));
    };
    if (external.aborted) onAbort();
    else external.addEventListener('abort', onAbort, { once: true });
  }

  /** Aborts with the first stop: every sleep and wait of the run wakes. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  requestStop(stop: Stop): void {
    if (this.stop) return;
    this.stop = stop;
    this.controller.abort();
  }

  /**
   * The safety lever was pulled: stop as an interrupt does (every wait wakes, everything
   * injected is rolled back, the failback included, and the post-check is skipped), and
   * end `halted` unless something else was already stopping the run.
   */
  halt(reason: string): void {
    this.interrupted = true;
    this.requestStop({ status: 'halted', reason });
  }

  /** Worse than any earlier reason to stop: a rollback failed, so the world may be left broken. */
  failRollback(): void {
    this.stop = {
      status: 'error',
      reason: 'a rollback failed; the fault may still be active (see the journal, then run `gameday recover`)',
    };
    this.controller.abort();
  }

  /**
   * Registers the undo of a change before the change is made, journaling it first, so a
   * crash at any moment after leaves `gameday recover` what it needs.
   */
  register(
    name: string,
    record: RollbackRecord,
    description: string,
    onReverted: (detail: Record<string, unknown> | undefined) => void,
    perform: (record: RollbackRecord) => Promise<Record<string, unknown> | void> = revertRecord,
  ): void {
    this.rollbacks.push({
      id: name,
      description,
      timeoutMs: record.timeoutMs + 1_000,
      last: undoneLast(record),
      undo: async () => {
        const detail = await perform(record);
        onReverted(detail ?? undefined);
      },
    });
  }

  /** Undoes one registered change now (a fault whose duration ended); false when that failed. */
  async revert(name: string, reason: 'scheduled' | 'end' | 'abort' | 'error'): Promise<boolean> {
    if (!this.rollbacks.has(name)) return true;
    this.journal.append({ type: 'fault.reverting', fault: name, reason });
    const outcome = await this.rollbacks.runOne(name);
    if (outcome && !outcome.ok) {
      this.journal.append({ type: 'fault.revert-failed', fault: name, error: outcome.error ?? 'unknown' });
      this.rollbackFailed = true;
      return false;
    }
    return true;
  }

  /** Undoes everything still registered, newest first. False when any undo failed. */
  async rollbackAll(reason: 'end' | 'abort' | 'error'): Promise<boolean> {
    const outcomes = await this.rollbacks.runAll((entry) =>
      this.journal.append({ type: 'fault.reverting', fault: entry.id, reason }),
    );
    for (const outcome of outcomes) {
      if (!outcome.ok)
        this.journal.append({ type: 'fault.revert-failed', fault: outcome.id, error: outcome.error ?? 'unknown' });
    }
    return outcomes.every((outcome) => outcome.ok);
  }

  /** Marks a revert done in the journal: the fault's end, and when the post-check may judge from. */
  reverted(name: string, detail?: Record<string, unknown>): void {
    this.lastRevertAt = now();
    this.journal.append({ type: 'fault.reverted', fault: name, at: this.lastRevertAt, detail });
  }
}
