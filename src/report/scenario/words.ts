import { formatDuration } from '../../core/duration';
import { channelText } from '../../analysis/scenario-timeline';
import { formatPercent } from '../../analysis/format';
import type { ScenarioExperimentSummary, ScenarioSummary } from '../../analysis/scenario-summary';

/* How the day's figures are worded in its reports: one place, so the Markdown, the page and the PDF agree. */

export function statusText(status: string): string {
  return status === 'running' ? 'UNFINISHED' : status === 'done' ? 'done' : status.toUpperCase();
}

export function rtoText(experiment: Pick<ScenarioExperimentSummary, 'rto'>): string {
  const rto = experiment.rto;
  if (!rto) return '—';
  const measured =
    rto.ms !== null
      ? formatDuration(rto.ms)
      : rto.recovered === false
        ? `not recovered (≥ ${formatDuration(rto.atLeastMs ?? 0)})`
        : 'not measured';
  return rto.objectiveMs === null ? measured : `${measured} (objective ${formatDuration(rto.objectiveMs)})`;
}

export function rpoText(experiment: Pick<ScenarioExperimentSummary, 'rpo'>): string {
  const rpo = experiment.rpo;
  if (!rpo) return '—';
  const measured = rpo.ms === null ? 'not measured' : `${formatDuration(rpo.ms)}, ${rpo.lostWrites} lost`;
  return rpo.objectiveMs === null ? measured : `${measured} (objective ${formatDuration(rpo.objectiveMs)})`;
}

export function budgetText(experiment: Pick<ScenarioExperimentSummary, 'slos'>): string {
  const measured = experiment.slos.filter((slo) => slo.budgetConsumedPct !== null);
  if (measured.length === 0) return '—';
  return measured.map((slo) => `${slo.name} ${formatPercent(slo.budgetConsumedPct!)}`).join(', ');
}

/** The decision in words; `dayOver` tells a question still waiting from one the day never got an answer to. */
export function decisionText(checkpoint: ScenarioSummary['checkpoints'][number], dayOver: boolean): string {
  if (checkpoint.answer === null) return !checkpoint.askedAt ? 'not asked' : dayOver ? 'not answered' : 'waiting';
  const took = checkpoint.decisionMs === null ? '' : ` after ${formatDuration(checkpoint.decisionMs)}`;
  return `${checkpoint.answer} by ${checkpoint.by} (${channelText[checkpoint.via!]})${took}`;
}

/** The day in one paragraph, for people who read nothing else. */
export function dayInWords(summary: ScenarioSummary): string {
  const experiments = summary.experiments;
  const ran = experiments.filter((experiment) => experiment.status !== 'skipped' && experiment.status !== 'pending');
  const passed = ran.filter((experiment) => experiment.status === 'passed');
  const length =
    summary.durationMs === null
      ? 'did not finish'
      : `took ${formatDuration(summary.durationMs)} (the agenda expected ${formatDuration(summary.expectedMs)}, ` +
        'checkpoints aside)';
  const clauses = [`${ran.length} of ${experiments.length} experiments ran, ${passed.length} passed`];
  if (summary.worst.rtoMs !== null) {
    const worst = experiments.find((experiment) => experiment.step === summary.worst.rtoStep);
    clauses.push(`the worst RTO was ${formatDuration(summary.worst.rtoMs)}${worst ? ` (${worst.name})` : ''}`);
  }
  if (summary.worst.rpoMs !== null) clauses.push(`the worst RPO was ${formatDuration(summary.worst.rpoMs)}`);
  for (const total of summary.budget)
    clauses.push(
      `${total.slo} burned ${formatPercent(total.budgetConsumedPct)} of its ` +
        `${total.windowMs === null ? '' : `${formatDuration(total.windowMs)} `}budget`,
    );
  const answered = summary.checkpoints.filter((checkpoint) => checkpoint.decisionMs !== null);
  if (answered.length > 0) {
    const mean = answered.reduce((sum, checkpoint) => sum + checkpoint.decisionMs!, 0) / answered.length;
    const decisions = `${answered.length} go/no-go decision${answered.length === 1 ? '' : 's'}`;
    clauses.push(`${decisions} took ${formatDuration(Math.round(mean))} on average`);
  }
  return `The GameDay ${length}: ${clauses.join('; ')}. ${verdict(summary)}`;
}

function verdict(summary: ScenarioSummary): string {
  if (summary.status === 'passed') return 'Every objective of the day was met.';
  if (summary.status === 'running') return 'The day did not finish.';
  const how =
    summary.status === 'failed' ? 'failed' : summary.status === 'error' ? 'was stopped by an error' : 'was stopped';
  return `The day ${how}: ${summary.reason}.`;
}
