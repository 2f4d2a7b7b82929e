import type { StepRunRecord } from '../core/events';
import type { RunSummary } from './summary';

/**
 * What the day's journal keeps of an experiment step's run, from the run's summary when it
 * ended: the verdict the day went on (or stopped) on, and the figures the day's objectives
 * judge. The run's own journal keeps everything else.
 */
export function stepRunRecord(summary: RunSummary, runDir: string): StepRunRecord {
  const { rto, rpo } = summary;
  // Runs gain notes with `gameday note`; a summary without them copies nothing.
  const notes = (summary as { notes?: unknown }).notes;
  return {
    runId: summary.runId,
    runDir,
    file: summary.file,
    status: summary.status,
    reason: summary.reason,
    durationMs: summary.durationMs,
    rto: {
      ms: rto.ms,
      objectiveMs: rto.objectiveMs,
      met: rto.met,
      recovered: rto.recovered,
      atLeastMs: rto.atLeastMs,
    },
    rpo: rpo && {
      ms: rpo.ms,
      objectiveMs: rpo.objectiveMs,
      met: rpo.met,
      lostWrites: rpo.lostWrites,
      ackedWrites: rpo.ackedWrites,
    },
    slos: summary.slos.map((slo) => ({
      name: slo.name,
      windowMs: slo.windowMs,
      budgetConsumedPct: slo.budgetConsumedPct,
      met: slo.met,
    })),
    ...(notes === undefined ? {} : { notes }),
  };
}
