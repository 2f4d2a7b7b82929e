import { ExperimentValidationError, type ExperimentIssue } from './errors';
import type { SloMetric, Threshold } from './thresholds';
import type { Experiment } from './validate';

/** Objectives a release gate imposes on top of (instead of) the file's. */
export interface ObjectiveOverrides {
  rtoMs?: number;
  rpoMs?: number;
  /** Percent of each SLO's window budget the drill may consume, inclusive. */
  budgetPct?: number;
}

/**
 * The experiment with the gate's objectives: hypothesis.rto and .rpo set, and every SLO's
 * budget threshold replaced by `budget<=X%` (its other thresholds kept). Pure: the input
 * is not changed. An override the experiment cannot measure is an input error, raised
 * before anything runs: an RPO without a write ledger, a budget without an SLO.
 */
export function applyObjectiveOverrides(experiment: Experiment, overrides: ObjectiveOverrides): Experiment {
  const issues: ExperimentIssue[] = [];
  if (overrides.rpoMs !== undefined && !experiment.probes.some((probe) => probe.kind === 'ledger')) {
    issues.push({
      file: experiment.file,
      path: 'probes',
      message: '--max-rpo needs a write ledger to measure RPO; add probes: [probes.ledger({...})]',
    });
  }
  if (overrides.budgetPct !== undefined && experiment.slos.length === 0) {
    issues.push({
      file: experiment.file,
      path: 'slos',
      message:
        "--max-budget needs an SLO to count error budget; add slos: [{ name, sli: 'availability', objective: 99.9 }]",
    });
  }
  if (issues.length > 0) throw new ExperimentValidationError(issues);

  const hypothesis = { ...experiment.hypothesis };
  if (overrides.rtoMs !== undefined) hypothesis.rto = overrides.rtoMs;
  if (overrides.rpoMs !== undefined) hypothesis.rpo = overrides.rpoMs;
  const budgetPct = overrides.budgetPct;
  if (budgetPct === undefined) return { ...experiment, hypothesis };

  const budget: Threshold<SloMetric> = { metric: 'budget', op: '<=', value: budgetPct, text: `budget<=${budgetPct}%` };
  const slos = experiment.slos.map((slo) => {
    // An SLO without its own thresholds is judged by hypothesis.slo; keep those, bar the budget.
    const current = slo.expect ?? hypothesis.slo ?? [];
    return { ...slo, expect: [...current.filter((threshold) => threshold.metric !== 'budget'), budget] };
  });
  return { ...experiment, hypothesis, slos };
}
