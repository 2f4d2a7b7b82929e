import type { EventOf, JournalEvent } from '../core/events';
import { rtoPhases, type PhaseName, type RunbookMarks } from '../measure/phases';

/** A change the failover runbook made and registered an undo for; undone in the rollback, or by `gameday recover`. */
export interface FailoverChange {
  name: string;
  undo: string;
  /** Offset from the start of observation; null while it is not undone. */
  undoneAtMs: number | null;
  error: string | null;
}

export interface FailoverSummary {
  from: string | null;
  to: string | null;
  ok: boolean | null;
  reason: string | null;
  steps: Array<{
    name: string;
    status: string;
    startedAtMs: number | null;
    ms: number | null;
    detail: Record<string, unknown> | null;
    error: string | null;
  }>;
  /** What it changed that the rollback undoes (the failback above all). */
  changes: FailoverChange[];
}

/** The runbook as the journal tells it: its steps in the order they were written, and how it ended. */
export class FailoverFold {
  private readonly steps: EventOf<'failover.step'>[] = [];
  private completed: EventOf<'failover.completed'> | undefined;

  add(event: JournalEvent): void {
    if (event.type === 'failover.step') this.steps.push(event);
    else if (event.type === 'failover.completed' && !this.completed) this.completed = event;
  }

  /** Each step's start, duration and outcome; null when no runbook ran. */
  summary(offset: (t: number) => number | null): FailoverSummary | null {
    if (this.steps.length === 0) return null;
    const steps: FailoverSummary['steps'] = [];
    for (const event of this.steps) {
      if (event.status === 'started') {
        steps.push({
          name: event.step,
          status: 'running',
          startedAtMs: offset(event.at),
          ms: null,
          detail: null,
          error: null,
        });
        continue;
      }
      const open = [...steps].reverse().find((s) => s.name === event.step && s.status === 'running');
      const entry = open ?? {
        name: event.step,
        status: event.status,
        startedAtMs: offset(event.at),
        ms: null,
        detail: null,
        error: null,
      };
      if (!open) steps.push(entry);
      entry.status = event.status;
      const end = offset(event.at);
      entry.ms = end !== null && entry.startedAtMs !== null ? Math.max(0, end - entry.startedAtMs) : null;
      entry.detail = event.detail ?? null;
      entry.error = event.error ?? null;
    }
    const completed = this.completed;
    return {
      from: completed?.from ?? null,
      to: completed?.to ?? null,
      ok: completed?.ok ?? null,
      reason: completed?.reason ?? null,
      steps,
      changes: [],
    };
  }

  /** Where the runbook's steps ended, for RTO phases. */
  marks(): RunbookMarks {
    const endOf = (step: string) => this.steps.find((e) => e.step === step && e.status === 'succeeded')?.at ?? null;
    return {
      detectedAt: endOf('detect'),
      decidedAt: endOf('decide'),
      fencedAt: endOf('fence'),
      promotedAt: endOf('promote'),
      shiftedAt: endOf('shift-traffic'),
    };
  }

  /** The region the runbook moved to, once it said so. */
  get to(): string | null {
    return this.completed?.to ?? null;
  }

  /**
   * RTO phases when a runbook ran and clients recovered; null otherwise. The traffic shift
   * ends where clients saw it end — their first request served by the new region — not
   * where the runbook's step did (with failover records DNS has moved by then already).
   */
  phases(
    tFault: number | null,
    tRecovered: number | null,
    firstServedByNewRegion: number | null,
  ): Array<{ name: PhaseName; ms: number }> | null {
    if (tFault === null || tRecovered === null) return null;
    const marks = this.marks();
    if (marks.detectedAt === null) return null;
    return rtoPhases(tFault, tRecovered, { ...marks, shiftedAt: firstServedByNewRegion ?? marks.shiftedAt });
  }
}
