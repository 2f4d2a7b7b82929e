import type { JournalEvent } from '../core/events';
import { describeRollback } from '../core/rollback-record';
import type { FailoverChange } from './failover';
import type { FaultSummary } from './summary';

interface FaultTimes {
  name: string;
  kind: string;
  rollback: string;
  injectedAt: number | null;
  revertedAt: number | null;
  error: string | null;
}

/** Each fault's life from the journal: when it became active and was reverted, how to undo it, what failed. */
export class FaultFold {
  private readonly faults = new Map<string, FaultTimes>();

  add(event: JournalEvent): void {
    if (event.type === 'fault.injecting') {
      this.faults.set(event.fault, {
        name: event.fault,
        kind: event.kind,
        rollback: describeRollback(event.rollback),
        injectedAt: null,
        revertedAt: null,
        error: null,
      });
      return;
    }
    if (
      event.type !== 'fault.injected' &&
      event.type !== 'fault.reverted' &&
      event.type !== 'fault.inject-failed' &&
      event.type !== 'fault.revert-failed'
    )
      return;
    const fault = this.faults.get(event.fault);
    if (!fault) return;
    if (event.type === 'fault.injected') fault.injectedAt = event.at;
    else if (event.type === 'fault.reverted') fault.revertedAt = event.at;
    else fault.error = event.error;
  }

  /** The injected faults; the failover runbook's own changes are in `changes()`. */
  summaries(offset: (t: number) => number | null): FaultSummary[] {
    return this.ofKind((kind) => kind !== failoverChange).map((fault) => {
      const injectedAtMs = fault.injectedAt === null ? null : offset(fault.injectedAt);
      const revertedAtMs = fault.revertedAt === null ? null : offset(fault.revertedAt);
      return {
        name: fault.name,
        kind: fault.kind,
        injectedAt: iso(fault.injectedAt),
        revertedAt: iso(fault.revertedAt),
        injectedAtMs,
        revertedAtMs,
        activeMs: injectedAtMs !== null && revertedAtMs !== null ? revertedAtMs - injectedAtMs : null,
        rollback: fault.rollback,
        error: fault.error,
      };
    });
  }

  /** What the failover runbook changed and registered an undo for (the failback, a health check it inverted). */
  changes(offset: (t: number) => number | null): FailoverChange[] {
    return this.ofKind((kind) => kind === failoverChange).map((change) => ({
      name: change.name,
      undo: change.rollback,
      undoneAtMs: change.revertedAt === null ? null : offset(change.revertedAt),
      error: change.error,
    }));
  }

  /** When the last injected fault was reverted; null while none was. */
  lastRevertedAt(): number | null {
    const reverted = this.ofKind((kind) => kind !== failoverChange).flatMap((fault) =>
      fault.revertedAt === null ? [] : [fault.revertedAt],
    );
    return reverted.length > 0 ? Math.max(...reverted) : null;
  }

  private ofKind(keep: (kind: string) => boolean): FaultTimes[] {
    return [...this.faults.values()].filter((fault) => keep(fault.kind));
  }
}

/** The kind the failover runbook's registered changes are journaled with. */
const failoverChange = 'failover';

export function iso(t: number | null | undefined): string | null {
  return t === null || t === undefined ? null : new Date(t).toISOString();
}
