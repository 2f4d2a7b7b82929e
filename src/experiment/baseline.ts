import { tryParseDuration } from '../core/duration';
import { GamedayError } from '../core/errors';
import type { BaselineMetric, BaselineRecord, Tolerance } from '../core/events';
import type { Experiment } from './validate';

export const baselineMetrics: readonly BaselineMetric[] = ['rto', 'rpo', 'budget', 'p99'];

/** How much worse than the baseline a metric may get when `--tolerance` does not name it. */
export const defaultTolerances: Record<BaselineMetric, Tolerance> = {
  rto: { pct: 20, amount: null },
  rpo: { pct: 20, amount: null },
  budget: { pct: 20, amount: null },
  p99: { pct: 30, amount: null },
};

export class ToleranceError extends GamedayError {}

const toleranceHint =
  'metric=N% (a share of the baseline) or an amount — rto=1s, rpo=500ms, p99=200ms, budget=0.5pp (percentage ' +
  'points of the error budget); metrics: rto, rpo, budget, p99';

/**
 * `--tolerance rto=20%,p99=30%,rto=1s`: per metric, how much worse than the baseline a run
 * may be. A metric given as a share and as an amount may worsen by the larger; one not
 * named keeps its default (20%, p99 30%).
 */
export function parseTolerances(text: string | undefined): Record<BaselineMetric, Tolerance> {
  const tolerances: Record<BaselineMetric, Tolerance> = {
    rto: { ...defaultTolerances.rto },
    rpo: { ...defaultTolerances.rpo },
    budget: { ...defaultTolerances.budget },
    p99: { ...defaultTolerances.p99 },
  };
  if (text === undefined) return tolerances;
  const given = new Map<BaselineMetric, Tolerance>();
  for (const part of text.split(',').map((entry) => entry.trim())) {
    const match = /^([a-z0-9]+)\s*=\s*(.+)$/i.exec(part);
    const metric = match?.[1].toLowerCase() as BaselineMetric | undefined;
    if (!match || !metric || !baselineMetrics.includes(metric))
      throw new ToleranceError(`--tolerance: ${JSON.stringify(part)}: expected ${toleranceHint}`);
    const value = match[2].trim();
    const tolerance = given.get(metric) ?? { pct: null, amount: null };
    const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(value);
    const points = /^(\d+(?:\.\d+)?)\s*pp$/.exec(value);
    if (pct) {
      if (tolerance.pct !== null) throw new ToleranceError(`--tolerance: ${metric} is given as a share twice`);
      tolerance.pct = Number(pct[1]);
    } else {
      const amount = metric === 'budget' ? (points ? Number(points[1]) : undefined) : tryParseDuration(value);
      if (amount === undefined)
        throw new ToleranceError(
          `--tolerance: ${JSON.stringify(part)}: expected ${
            metric === 'budget' ? `${metric}=N% or ${metric}=Npp` : `${metric}=N% or a duration like ${metric}=500ms`
          }`,
        );
      if (tolerance.amount !== null) throw new ToleranceError(`--tolerance: ${metric} is given as an amount twice`);
      tolerance.amount = amount;
    }
    given.set(metric, tolerance);
  }
  for (const [metric, tolerance] of given) tolerances[metric] = tolerance;
  return tolerances;
}

/** The experiment as the gate runs it: compared with the baseline, which its journal records. Pure. */
export function withBaseline(experiment: Experiment, baseline: BaselineRecord): Experiment {
  return { ...experiment, baseline };
}
