import { formatDuration } from '../core/duration';
import type { SloMetric } from '../experiment/thresholds';
import { formatRatio, type RunSummary } from './summary';

/**
 * One objective the run was judged against, as every report shows it: the HTML verdict
 * table, junit.xml (one testcase each) and the gate's text all list these, so they agree.
 */
export interface Objective {
  /** Stable, for test names and machines: 'rto', 'rpo', 'slo.<name>.<threshold>', 'steady-state'. */
  id: string;
  name: string;
  measured: string;
  objective: string;
  /** null: there was nothing to measure (the run ended first, or no requests). */
  met: boolean | null;
}

/** Objectives the run declared, in the order the verdict reads them. */
export function objectivesOf(summary: RunSummary): Objective[] {
  const objectives: Objective[] = [];
  const { rto, rpo } = summary;
  if (rto.objectiveMs !== null) {
    objectives.push({ id: 'rto', name: 'RTO (client-observed)', measured: rtoMeasured(rto), objective: `≤ ${formatDuration(rto.objectiveMs)}`, met: rto.met });
  }
  if (rpo && rpo.objectiveMs !== null) {
    const measured = rpo.ms === null ? `not measured${rpo.note ? ` (${rpo.note})` : ''}` : `${formatDuration(rpo.ms)}, ${rpo.lostWrites} of ${rpo.ackedWrites} acknowledged writes lost`;
    objectives.push({
      id: 'rpo',
      name: 'RPO (write ledger)',
      measured: `${measured}${rpo.splitBrain ? ', split brain' : ''}`,
      objective: `≤ ${formatDuration(rpo.objectiveMs)}, no split brain`,
      met: rpo.met,
    });
  }
  for (const slo of summary.slos) {
    for (const threshold of slo.thresholds) {
      objectives.push({
        id: `slo.${slo.name}.${threshold.text}`,
        name: `SLO ${slo.name} (${slo.objective}% over ${formatDuration(slo.windowMs)}): ${threshold.metric}`,
        measured: describeSloMeasure(threshold.metric, threshold.measured),
        objective: threshold.text,
        met: threshold.met,
      });
    }
  }
  const { before, after } = summary.steadyState;
  if (before || after) {
    const parts: string[] = [];
    if (before) parts.push(`before faults ${formatRatio(before.successRatio)}`);
    if (after) parts.push(`after rollback ${formatRatio(after.successRatio)}`);
    const required = (after ?? before)!.required;
    objectives.push({
      id: 'steady-state',
      name: 'steady state',
      measured: `success ${parts.join(', ')}`,
      objective: `≥ ${formatRatio(required)} before faults and after rollback`,
      // A run stopped before its post-check has only half an answer.
      met: before?.ok === false || after?.ok === false ? false : after ? true : null,
    });
  }
  return objectives;
}

export function rtoMeasured(rto: RunSummary['rto']): string {
  if (rto.ms !== null) return formatDuration(rto.ms);
  if (rto.recovered === false) return `not recovered (≥ ${formatDuration(rto.atLeastMs ?? 0)})`;
  return `not measured${rto.note ? ` (${rto.note})` : ''}`;
}

export function describeSloMeasure(metric: SloMetric, measured: number | null): string {
  if (measured === null) return 'no requests to measure';
  switch (metric) {
    case 'budget': return `${formatPercent(measured)} of the budget burned`;
    case 'burn': return `peak burn rate ${formatBurn(measured)}`;
    case 'alerts': return `${measured} alert pair${measured === 1 ? '' : 's'} fired`;
  }
}

/** Burn rates to 3 significant digits: 93.7x, 0.214x. */
export function formatBurn(rate: number): string {
  return `${Number(rate.toPrecision(3))}x`;
}

/** Budget percentages span 0.001% to 1000%: enough digits to tell them apart, no more. */
export function formatPercent(percent: number): string {
  if (percent === 0) return '0%';
  if (percent < 0.01) return '<0.01%';
  if (percent < 1) return `${Number(percent.toPrecision(2))}%`;
  if (percent < 10) return `${Number(percent.toFixed(1))}%`;
  return `${Math.round(percent)}%`;
}
