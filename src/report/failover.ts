import type { EventOf, JournalEvent, TargetDescription } from '../core/events';
import { targetKindOfDescription } from '../targets';
import { rtoFloorMs, rtoPhases, type PhaseName, type RunbookMarks } from '../measure/phases';

export interface FailoverSummary {
  from: string | null;
  to: string | null;
  ok: boolean | null;
  reason: string | null;
  steps: Array<{ name: string; status: string; startedAtMs: number | null; ms: number | null; detail: Record<string, unknown> | null; error: string | null }>;
}

/** The runbook as the journal tells it: each step's start, duration and outcome. */
export function summarizeFailover(events: readonly JournalEvent[], offset: (t: number) => number | null): FailoverSummary | null {
  const stepEvents = events.filter((e): e is EventOf<'failover.step'> => e.type === 'failover.step');
  if (stepEvents.length === 0) return null;
  const completed = events.find((e): e is EventOf<'failover.completed'> => e.type === 'failover.completed');
  const steps: FailoverSummary['steps'] = [];
  for (const event of stepEvents) {
    if (event.status === 'started') {
      steps.push({ name: event.step, status: 'running', startedAtMs: offset(event.at), ms: null, detail: null, error: null });
      continue;
    }
    const open = [...steps].reverse().find((s) => s.name === event.step && s.status === 'running');
    const entry = open ?? { name: event.step, status: event.status, startedAtMs: offset(event.at), ms: null, detail: null, error: null };
    if (!open) steps.push(entry);
    entry.status = event.status;
    const end = offset(event.at);
    entry.ms = end !== null && entry.startedAtMs !== null ? Math.max(0, end - entry.startedAtMs) : null;
    entry.detail = event.detail ?? null;
    entry.error = event.error ?? null;
  }
  return { from: completed?.from ?? null, to: completed?.to ?? null, ok: completed?.ok ?? null, reason: completed?.reason ?? null, steps };
}

/** Where the runbook's steps ended, for RTO phases. */
export function runbookMarks(events: readonly JournalEvent[]): RunbookMarks {
  const endOf = (step: string) =>
    events.find((e): e is EventOf<'failover.step'> => e.type === 'failover.step' && e.step === step && e.status === 'succeeded')?.at ?? null;
  return { detectedAt: endOf('detect'), decidedAt: endOf('decide'), fencedAt: endOf('fence'), promotedAt: endOf('promote'), shiftedAt: endOf('shift-traffic') };
}

/** RTO phases when a runbook ran and clients recovered; null otherwise. */
export function phasesOf(events: readonly JournalEvent[], tFault: number | null, tRecovered: number | null): Array<{ name: PhaseName; ms: number }> | null {
  if (tFault === null || tRecovered === null) return null;
  const marks = runbookMarks(events);
  if (marks.detectedAt === null) return null;
  return rtoPhases(tFault, tRecovered, marks);
}

/** The floor the target's configuration implies (health checks × threshold + TTL + promotion), when it states one. */
export function floorOf(events: readonly JournalEvent[], target: TargetDescription): number | null {
  const dnsFailover = targetKindOfDescription(target)?.dnsFailover?.(target) ?? null;
  const marks = runbookMarks(events);
  if (!dnsFailover || marks.fencedAt === null || marks.promotedAt === null) return null;
  return rtoFloorMs({ ...dnsFailover, promotionMs: Math.round(marks.promotedAt - marks.fencedAt) });
}
