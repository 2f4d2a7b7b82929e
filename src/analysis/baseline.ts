import { formatDuration } from '../core/duration';
import type { BaselineMetric, BaselineRecord, Tolerance } from '../core/events';
import { allowedAbove, changePct } from '../measure/baseline';
import { formatPercent } from './format';
import type { BaselineComparison, BaselineMetricComparison, RunSummary } from './summary';

/** What this run measured, of what a baseline compares. */
export interface BaselineMeasures {
  rto: { ms: number | null; recovered: boolean | null };
  rpo: { ms: number | null; rate: number } | null;
  traffic: { rate: number; p99: number | null };
  slos: Array<{ name: string; budgetConsumedPct: number | null; budgetEvents: number | null }>;
}

/**
 * This run against the baseline run the gate was given: each metric both can speak of —
 * RTO, RPO, p99 latency, each SLO's budget burned — within the baseline plus its tolerance
 * plus the measurement's resolution, or a regression. A metric the baseline did not
 * measure (no ledger, clients that never recovered there) is not compared; one this run
 * failed to measure that the baseline did is a regression.
 */
export function compareWithBaseline(baseline: BaselineRecord, run: BaselineMeasures): BaselineComparison {
  const metrics: BaselineMetricComparison[] = [];
  const compare = (
    metric: BaselineMetric,
    name: string,
    base: number | null,
    measured: number | null,
    resolution: number,
  ) => {
    if (base === null) return;
    const tolerance = baseline.tolerance[metric];
    const allowed = allowedAbove(base, tolerance, resolution);
    metrics.push({
      metric,
      name,
      baseline: base,
      measured,
      allowed,
      changePct: measured === null ? null : changePct(base, measured),
      tolerance,
      resolution,
      met: measured !== null && measured <= allowed,
    });
  };
  const perRequest = (rate: number) => (rate > 0 ? 1000 / rate : 0);
  if (baseline.rto.recovered !== false)
    compare('rto', 'RTO', baseline.rto.ms, run.rto.ms, perRequest(run.traffic.rate));
  compare('rpo', 'RPO', baseline.rpoMs, run.rpo?.ms ?? null, perRequest(run.rpo?.rate ?? 0));
  compare('p99', 'p99 latency', baseline.p99Ms, run.traffic.p99, 0);
  for (const budget of baseline.budgets) {
    const slo = run.slos.find((entry) => entry.name === budget.slo);
    // An SLO this experiment no longer has is not this run's to be judged on.
    if (!slo) continue;
    const oneRequest = slo.budgetEvents ? 100 / slo.budgetEvents : 0;
    compare('budget', `budget ${budget.slo}`, budget.pct, slo.budgetConsumedPct, oneRequest);
  }
  return { runId: baseline.runId, dir: baseline.dir, startedAt: baseline.startedAt, status: baseline.status, metrics };
}

/** An amount of the metric, in words: '8.1s', '0.33%'. */
export function baselineAmount(metric: BaselineMetric, value: number): string {
  return metric === 'budget' ? formatPercent(value) : formatDuration(Math.round(value));
}

/** '9.2s (baseline 8.1s, +14%)' */
export function baselineMeasured(entry: BaselineMetricComparison): string {
  const base = baselineAmount(entry.metric, entry.baseline);
  if (entry.measured === null)
    return `${entry.metric === 'rto' ? 'clients never recovered' : 'not measured'} (baseline ${base})`;
  const change = entry.changePct === null ? '' : `, ${entry.changePct >= 0 ? '+' : ''}${entry.changePct.toFixed(0)}%`;
  return `${baselineAmount(entry.metric, entry.measured)} (baseline ${base}${change})`;
}

/** '≤ 9.77s (baseline +20%, +50ms resolution)' */
export function baselineObjective(entry: BaselineMetricComparison): string {
  const { pct, amount } = entry.tolerance;
  const parts = [
    ...(pct !== null ? [`+${pct}%`] : []),
    ...(amount !== null ? [`+${entry.metric === 'budget' ? `${amount}pp` : formatDuration(amount)}`] : []),
  ];
  const tolerance = parts.length === 0 ? 'no tolerance' : parts.join(' or ');
  const resolution = entry.resolution > 0 ? `, ${baselineAmount(entry.metric, entry.resolution)} resolution` : '';
  return `≤ ${baselineAmount(entry.metric, entry.allowed)} (baseline ${tolerance}${resolution})`;
}

/** What a gate records of its baseline run: its measurements, where it is, the tolerances given. */
export function baselineRecordOf(
  summary: RunSummary,
  dir: string,
  tolerance: Record<BaselineMetric, Tolerance>,
): BaselineRecord {
  return {
    runId: summary.runId,
    dir,
    startedAt: summary.startedAt,
    status: summary.status,
    rto: { ms: summary.rto.ms, recovered: summary.rto.recovered },
    rpoMs: summary.rpo?.ms ?? null,
    p99Ms: summary.traffic.latencyMs.p99,
    budgets: summary.slos.map((slo) => ({ slo: slo.name, pct: slo.budgetConsumedPct })),
    tolerance,
  };
}
