import { rtoFigure, type StrategyComparison } from '../../analysis/compare';
import { formatPercent } from '../../analysis/format';
import { formatDuration } from '../../core/duration';

/* How a comparison's figures are worded, in compare.md and compare.html alike. */

export function rtoText(row: StrategyComparison): string {
  if (row.rto.ms !== null) return formatDuration(row.rto.ms);
  if (row.rto.recovered === false) return `not recovered (≥ ${formatDuration(row.rto.atLeastMs ?? 0)})`;
  return 'not measured';
}

export function phasesText(row: StrategyComparison): string {
  if (!row.rto.phases) return '—';
  return row.rto.phases
    .filter((phase) => phase.ms > 0)
    .map((phase) => `${phase.name} ${formatDuration(phase.ms)}`)
    .join(', ');
}

export function rpoText(row: StrategyComparison): string {
  if (!row.rpo) return '— (no ledger)';
  if (row.rpo.ms === null) return 'not measured';
  return formatDuration(row.rpo.ms);
}

export function writesText(row: StrategyComparison): string {
  if (!row.rpo) return '—';
  const { lostWrites, ackedWrites, duplicateWrites, staleWriterAcks } = row.rpo;
  const parts = [`${lostWrites} lost of ${ackedWrites}`, `${duplicateWrites} duplicated`];
  parts.push(`${staleWriterAcks} acknowledged by a superseded writer${row.rpo.splitBrain ? ' (SPLIT BRAIN)' : ''}`);
  return parts.join(', ');
}

export function conflictsText(row: StrategyComparison): string {
  const conflicts = row.conflicts;
  if (!conflicts) return '—';
  if ('unmeasured' in conflicts) return `— (${conflicts.unmeasured})`;
  const lag = conflicts.caughtUp ? '' : ' (replication had not caught up: rows may differ by lag alone)';
  return (
    `${conflicts.conflicting} conflicting (${conflicts.lostUpdates} updates lost), ` +
    `${conflicts.divergentRows} rows divergent${lag}`
  );
}

export function budgetText(row: StrategyComparison): string {
  if (row.budget.length === 0) return '— (no SLO)';
  return row.budget
    .map(
      (slo) =>
        `${slo.slo}: ${slo.consumedPct === null ? 'not measured' : formatPercent(slo.consumedPct)} of ${slo.window}`,
    )
    .join('; ');
}

export function latencyText(row: StrategyComparison): string {
  return row.steadyStateP99Ms === null ? '—' : `${row.steadyStateP99Ms} ms`;
}

export function staleText(row: StrategyComparison): string {
  const stale = row.staleReads;
  if (!stale) return '—';
  if (stale.acked === 0) return 'no write acknowledged';
  const behind = stale.stalenessP99Ms === null ? '' : `, p99 ${formatDuration(stale.stalenessP99Ms)} behind`;
  const never = stale.notVisible > 0 ? `, ${stale.notVisible} never seen` : '';
  const unanswered = stale.unanswered > 0 ? `; ${stale.unanswered} reads unanswered (region unreachable)` : '';
  if (stale.answered === 0) return `no read answered${unanswered}`;
  const ratio = formatPercent((stale.staleRatio ?? 0) * 100);
  return `${stale.stale} of ${stale.answered} (${ratio})${behind}${never}${unanswered}`;
}

export function idleText(row: StrategyComparison): string {
  const cost = row.idleCost;
  if (!cost) return '—';
  if (cost.standbyRegions.length === 0) return 'no standby: every region serves';
  const ratio = (value: number | null) => (value === null ? 'n/a' : formatPercent(value * 100));
  return (
    `over ${formatDuration(cost.durationMs)} idle: ${cost.standbyCpuSeconds.toFixed(2)} CPU-s vs ` +
    `${cost.activeCpuSeconds.toFixed(2)} (${ratio(cost.cpuRatio)}); memory ${mebibytes(cost.standbyMemoryMeanBytes)} ` +
    `vs ${mebibytes(cost.activeMemoryMeanBytes)} (${ratio(cost.memoryRatio)})`
  );
}

export function mebibytes(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MiB`;
}

/** The comparison in a sentence per extreme: fastest recovery, least data lost, cheapest standby. */
export function comparisonInWords(rows: readonly StrategyComparison[]): string[] {
  const lines: string[] = [];
  const measured = rows.filter((row) => row.rto.ms !== null);
  if (measured.length > 0) {
    const fastest = measured.reduce((best, row) => (row.rto.ms! < best.rto.ms! ? row : best));
    const slowest = rows.reduce((worst, row) => ((rtoFigure(row) ?? 0) > (rtoFigure(worst) ?? 0) ? row : worst));
    const slowestText = `${slowest.strategy} (${rtoText(slowest)})`;
    lines.push(`Fastest recovery: ${fastest.strategy} (${rtoText(fastest)}); slowest: ${slowestText}.`);
  }
  const withRpo = rows.filter((row) => row.rpo?.ms !== null && row.rpo !== null);
  if (withRpo.length > 0) {
    const lossless = withRpo.filter((row) => row.rpo!.lostWrites === 0).map((row) => row.strategy);
    const lossy = withRpo.filter((row) => row.rpo!.lostWrites > 0).map((row) => `${row.strategy} (${rpoText(row)})`);
    if (lossless.length > 0) lines.push(`No acknowledged write lost: ${lossless.join(', ')}.`);
    if (lossy.length > 0) lines.push(`Lost acknowledged writes: ${lossy.join(', ')}.`);
  }
  const checked = rows.filter((row) => row.conflicts !== null && !('unmeasured' in row.conflicts));
  if (checked.length > 0) {
    const each = checked.map((row) => `${row.strategy} (${conflictsText(row)})`);
    lines.push(`Conflicting writes, where every region writes: ${each.join(', ')}.`);
  }
  return lines;
}
