import { formatDuration } from '../core/duration';
import { describeSloMeasure, formatPercent } from '../analysis/format';
import { objectivesOf } from '../analysis/judge';
import type { RunSummary } from '../analysis/summary';

/**
 * The one paragraph leadership reads: what was lost, what customers saw, what data was
 * lost, how much error budget burned, and the verdict. Every figure comes from the
 * summary; a figure that was not measured is said to be unmeasured, never shown as zero.
 */
export function plainWordsSummary(summary: RunSummary): string {
  const clauses = [
    customersClause(summary),
    failbackClause(summary),
    writesClause(summary),
    ...budgetClauses(summary),
  ].filter((clause): clause is string => clause !== null);
  const first = `${headline(summary)}: ${clauses.join(', ')}.`;
  return `${first} ${verdictSentence(summary)}`;
}

function headline(summary: RunSummary): string {
  if (summary.failover?.from) return `Losing ${summary.failover.from}`;
  const injected = summary.faults.filter((fault) => fault.injectedAt !== null).map((fault) => fault.name);
  if (injected.length > 0) return `During ${listOf(injected)}`;
  if (summary.faults.length > 0) return `${summary.experiment} (no fault became active)`;
  return `${summary.experiment} (no fault injected)`;
}

function customersClause(summary: RunSummary): string {
  const { rto } = summary;
  const objective = rto.objectiveMs === null ? '' : ` (objective ${formatDuration(rto.objectiveMs)})`;
  if (rto.ms === 0) return `customers saw no lasting errors${objective}`;
  if (rto.ms !== null) return `customers saw ${formatDuration(rto.ms)} of errors${objective}`;
  if (rto.recovered === false)
    return (
      `customers had still not recovered when the drill ended, after at least ` +
      `${formatDuration(rto.atLeastMs ?? 0)}${objective}`
    );
  return `customer impact was not measured (${rto.note ?? 'no traffic'})${objective}`;
}

function failbackClause(summary: RunSummary): string | null {
  const cost = summary.failback;
  if (!cost || cost.status !== 'succeeded') return null;
  if (cost.failedRequests === 0) return 'failing back cost them nothing';
  return `failing back cost them ${formatDuration(cost.impactMs)} more (${cost.failedRequests} failed requests)`;
}

function writesClause(summary: RunSummary): string {
  const { rpo } = summary;
  if (!rpo) return 'data loss was not measured (no write ledger)';
  const objective = rpo.objectiveMs === null ? '' : ` (objective ${formatDuration(rpo.objectiveMs)})`;
  const lost =
    `${rpo.lostWrites} of ${rpo.ackedWrites} acknowledged ` +
    `writes${rpo.objectiveMs === null ? '' : `; objective ${formatDuration(rpo.objectiveMs)}`}`;
  const splitBrain = rpo.splitBrain ? ' and two writers accepted writes (split brain)' : '';
  if (rpo.ms === null) return `data loss could not be measured${rpo.note ? ` (${rpo.note})` : ''}${objective}`;
  if (rpo.lostWrites === 0) return `no acknowledged write was lost${objective}${splitBrain}`;
  return `${formatDuration(rpo.ms)} of writes were lost (${lost})${splitBrain}`;
}

function budgetClauses(summary: RunSummary): string[] {
  const many = summary.slos.length > 1;
  return summary.slos.map((slo) => {
    const budget = `${windowWord(slo.windowMs)} error budget${many ? ` of ${slo.name}` : ''}`;
    if (slo.budgetConsumedPct === null)
      return `the ${budget} could not be measured (${describeSloMeasure('budget', null)})`;
    return `${formatPercent(slo.budgetConsumedPct)} of the ${budget} burned`;
  });
}

function verdictSentence(summary: RunSummary): string {
  switch (summary.status) {
    case 'passed':
      return objectivesOf(summary).length > 0
        ? 'Every objective was met.'
        : 'No objective was declared, so nothing was judged.';
    case 'failed': {
      const missed = objectivesOf(summary)
        .filter((objective) => objective.met !== true)
        .map((objective) => objective.name);
      return missed.length > 0 ? `Missed: ${listOf(missed)}.` : `Failed: ${summary.reason}.`;
    }
    case 'aborted':
      return `The drill was aborted: ${summary.reason}.`;
    case 'error':
      return `The drill ended in an error: ${summary.reason}.`;
    case 'halted':
      return `The drill was halted with gameday's safety lever and rolled back: ${summary.reason}.`;
    case 'running':
      return 'The drill did not finish, so these figures are partial.';
  }
}

/** 30 days reads as "monthly" to the people this sentence is for. */
function windowWord(windowMs: number): string {
  const day = 86_400_000;
  const named: Record<number, string> = {
    [day]: 'daily',
    [7 * day]: 'weekly',
    [28 * day]: 'four-weekly',
    [30 * day]: 'monthly',
    [90 * day]: 'quarterly',
  };
  return named[windowMs] ?? formatDuration(windowMs);
}

function listOf(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
