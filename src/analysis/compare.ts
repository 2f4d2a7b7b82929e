import type { RunStatus } from '../core/events';
import type { PhaseName } from '../measure/phases';
import type { RunSummary } from './summary';

/**
 * compare.json: one experiment measured against several failover strategies, each a run of
 * its own (its journal and full report in its own directory), set side by side from the
 * runs' summaries alone. Versioned by `schema`, as summary.json is.
 */
export const compareSchemaId = 'gameday/compare/v1';

/** One strategy's row: what the same outage cost under it. */
export interface StrategyComparison {
  strategy: string;
  /** Its run directory and report, relative to the comparison's directory. */
  runDir: string;
  report: string;
  status: RunStatus | 'running';
  reason: string;
  rto: {
    ms: number | null;
    recovered: boolean | null;
    /** Not recovered by the end of the run: at least this. */
    atLeastMs: number | null;
    phases: Array<{ name: PhaseName; ms: number }> | null;
  };
  rpo: {
    ms: number | null;
    ackedWrites: number;
    lostWrites: number;
    duplicateWrites: number;
    /** Acknowledged by a writer that had been superseded: two writers at once. */
    staleWriterAcks: number;
    splitBrain: boolean;
  } | null;
  budget: Array<{ slo: string; window: string; consumedPct: number | null }>;
  /** The traffic's p99 latency before any fault: what the architecture costs every request. */
  steadyStateP99Ms: number | null;
  staleReads: {
    acked: number;
    answered: number;
    unanswered: number;
    stale: number;
    staleRatio: number | null;
    stalenessP99Ms: number | null;
    notVisible: number;
  } | null;
  /**
   * Writes both sides took that conflict, from the consistency probe once the drill ended (data-active-active):
   * carts written in two regions that could not see each other, the updates that left behind, rows that differ; why
   * not, when the probe ran without a figure (one writer: nothing to reconcile); null without the probe.
   */
  conflicts:
    | { conflicting: number; lostUpdates: number; divergentRows: number; caughtUp: boolean }
    | { unmeasured: string }
    | null;
  /** While nothing was wrong (until the first fault): what standing by costs. */
  idleCost: {
    /** How long it idled (the first snapshot to the last before the fault). */
    durationMs: number;
    standbyRegions: string[];
    standbyCpuSeconds: number;
    activeCpuSeconds: number;
    standbyMemoryMeanBytes: number;
    activeMemoryMeanBytes: number;
    /** Standby ÷ active; null when the active side used none. */
    cpuRatio: number | null;
    memoryRatio: number | null;
  } | null;
  /** Over the whole drill, the standby side taking over included: CPU-seconds of each side. */
  drillCost: { standbyCpuSeconds: number; activeCpuSeconds: number } | null;
}

export interface CompareSummary {
  schema: typeof compareSchemaId;
  runId: string;
  experiment: string;
  file: string;
  startedAt: string;
  endedAt: string | null;
  /** Every strategy asked for, in order; those not run (the comparison stopped) are listed in `skipped`. */
  strategies: StrategyComparison[];
  skipped: Array<{ strategy: string; reason: string }>;
}

/** A strategy's row from its run's summary. */
export function compareRun(strategy: string, runDir: string, summary: RunSummary): StrategyComparison {
  const { rto, rpo, staleReads, resources } = summary;
  return {
    strategy,
    runDir,
    report: `${runDir}/report.html`,
    status: summary.status,
    reason: summary.reason,
    rto: { ms: rto.ms, recovered: rto.recovered, atLeastMs: rto.atLeastMs, phases: rto.phases },
    rpo: rpo && {
      ms: rpo.ms,
      ackedWrites: rpo.ackedWrites,
      lostWrites: rpo.lostWrites,
      duplicateWrites: rpo.duplicateWrites,
      staleWriterAcks: rpo.staleWriterAcks,
      splitBrain: rpo.splitBrain,
    },
    budget: summary.slos.map((slo) => ({ slo: slo.name, window: slo.window, consumedPct: slo.budgetConsumedPct })),
    steadyStateP99Ms: summary.traffic.latencyByPeriod.beforeFaults.p99,
    staleReads: staleReads && {
      acked: staleReads.acked,
      answered: staleReads.answered,
      unanswered: staleReads.unanswered,
      stale: staleReads.stale,
      staleRatio: staleReads.staleRatio,
      stalenessP99Ms: staleReads.stalenessMs.p99,
      notVisible: staleReads.notVisible,
    },
    conflicts: conflictsOf(summary),
    idleCost: resources?.idle
      ? {
          durationMs: resources.idle.durationMs,
          standbyRegions: resources.idle.standby.regions,
          standbyCpuSeconds: resources.idle.standby.cpuSeconds,
          activeCpuSeconds: resources.idle.active.cpuSeconds,
          standbyMemoryMeanBytes: resources.idle.standby.memoryMeanBytes,
          activeMemoryMeanBytes: resources.idle.active.memoryMeanBytes,
          cpuRatio: resources.idle.standbyCpuRatio,
          memoryRatio: resources.idle.standbyMemoryRatio,
        }
      : null,
    drillCost: resources?.drill
      ? {
          standbyCpuSeconds: resources.drill.standby.cpuSeconds,
          activeCpuSeconds: resources.drill.active.cpuSeconds,
        }
      : null,
  };
}

function conflictsOf(summary: RunSummary): StrategyComparison['conflicts'] {
  const consistency = summary.consistency;
  if (!consistency) return null;
  const { report } = consistency;
  if (!report) return { unmeasured: consistency.note ?? 'not checked' };
  return {
    conflicting: report.conflicts.length,
    lostUpdates: report.lostUpdates,
    divergentRows: report.divergentRows,
    caughtUp: report.caughtUp,
  };
}

/**
 * The RTO a row is ranked and charted by: measured, or at least as long as the run lasted after the fault when the
 * clients never recovered; null when it could not be measured.
 */
export function rtoFigure(row: StrategyComparison): number | null {
  return row.rto.ms ?? row.rto.atLeastMs;
}
