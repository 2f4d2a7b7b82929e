import { formatDuration } from '../core/duration';
import type { ScenarioRecord } from '../core/events';
import { thresholdMet } from '../experiment/thresholds';
import { formatPercent } from './format';
import type {
  BudgetTotal,
  ScenarioExperimentSummary,
  ScenarioObjectiveResult,
  ScenarioSummary,
} from './scenario-summary';

/**
 * The day's objectives judged on what its experiments measured: the one verdict of a day
 * that ran to its end, which the runner, the reports and JUnit all read from the summary.
 */
export function judgeObjectives(
  objectives: ScenarioRecord['objectives'],
  experiments: readonly ScenarioExperimentSummary[],
  budget: readonly BudgetTotal[],
): ScenarioObjectiveResult[] {
  const ran = experiments.filter((experiment) => experiment.status !== 'skipped' && experiment.status !== 'pending');
  return objectives.map((objective) => {
    const bound = { op: objective.op ?? '<', value: objective.value ?? 0 };
    const result = (measured: string, met: boolean | null): ScenarioObjectiveResult => ({
      text: objective.text,
      metric: objective.metric,
      measured,
      met,
    });
    switch (objective.metric) {
      case 'passed': {
        const failed = ran.filter((experiment) => experiment.status !== 'passed');
        const skipped = experiments.length - ran.length;
        const parts = [`${ran.length - failed.length} of ${experiments.length} experiments passed`];
        if (failed.length > 0)
          parts.push(`${failed.map((experiment) => `${experiment.name} ${experiment.status}`).join(', ')}`);
        if (skipped > 0) parts.push(`${skipped} skipped`);
        return result(parts.join('; '), failed.length === 0 && skipped === 0);
      }
      case 'budget': {
        if (budget.length === 0) return result('no SLO was measured', null);
        const measured = budget.map((total) => `${total.slo} ${formatPercent(total.budgetConsumedPct)}`).join(', ');
        return result(
          measured,
          budget.every((total) => thresholdMet(bound, total.budgetConsumedPct)),
        );
      }
      case 'rto': {
        const neverRecovered = ran.find((experiment) => experiment.rto?.recovered === false);
        if (neverRecovered)
          return result(
            `${neverRecovered.name}: clients never recovered (≥ ${formatDuration(neverRecovered.rto!.atLeastMs ?? 0)})`,
            false,
          );
        const worst = worstOf(ran, (experiment) => experiment.rto?.ms ?? null);
        if (!worst) return result('no experiment measured an RTO', null);
        return result(`worst ${formatDuration(worst.ms)} (${worst.experiment.name})`, thresholdMet(bound, worst.ms));
      }
      case 'rpo': {
        const withLedger = ran.filter((experiment) => experiment.rpo);
        const unmeasured = withLedger.find((experiment) => experiment.rpo!.ms === null);
        if (unmeasured) return result(`${unmeasured.name}: RPO not measured`, false);
        const worst = worstOf(withLedger, (experiment) => experiment.rpo!.ms);
        if (!worst) return result('no experiment measured an RPO', null);
        return result(`worst ${formatDuration(worst.ms)} (${worst.experiment.name})`, thresholdMet(bound, worst.ms));
      }
    }
  });
}

/** The experiment with the largest figure, and the figure; null when none has one. */
export function worstOf(
  experiments: readonly ScenarioExperimentSummary[],
  figure: (experiment: ScenarioExperimentSummary) => number | null,
): { experiment: ScenarioExperimentSummary; ms: number } | null {
  let worst: { experiment: ScenarioExperimentSummary; ms: number } | null = null;
  for (const experiment of experiments) {
    const ms = figure(experiment);
    if (ms !== null && (worst === null || ms > worst.ms)) worst = { experiment, ms };
  }
  return worst;
}

/**
 * The verdict of a day every step of which ran: passed when every objective is met; an
 * objective nothing measured is not met (validation makes sure something could).
 */
export function judgeDay(summary: Pick<ScenarioSummary, 'objectives'>): {
  status: 'passed' | 'failed';
  reason: string;
} {
  const missed = summary.objectives.filter((objective) => objective.met !== true);
  if (missed.length > 0)
    return {
      status: 'failed',
      reason: missed.map((objective) => `${objective.text} not met (${objective.measured})`).join('; '),
    };
  if (summary.objectives.length === 0)
    return { status: 'passed', reason: 'every step ran; the day declares no objective' };
  return {
    status: 'passed',
    reason: `every objective met: ${summary.objectives.map((o) => `${o.text} (${o.measured})`).join('; ')}`,
  };
}
