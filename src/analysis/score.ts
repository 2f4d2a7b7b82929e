import { formatDuration } from '../core/duration';
import { freshness, objectiveValue, scoreOutOf100 } from '../measure/score';
import type { RunSummary } from './summary';

/**
 * The resilience score of a service, from the drills in a history: not "tests passed",
 * but how what clients saw — RTO, RPO, error budget burned — held against the objectives,
 * discounted by how old that evidence is.
 *
 *   value of an objective in a drill = 1 within the objective, else objective ÷ measured
 *     (clients never recovered, an RPO the ledger could not measure, split brain: 0)
 *   freshness of a drill of age a     = 1 while a ≤ staleAfter, then 2^(−(a − staleAfter) / staleAfter)
 *   score of a service                = 100 × mean of value × freshness over each (experiment, objective),
 *                                       each from the latest drill that measured it
 *
 * A drill that ended in error, was halted, or never finished measured nothing and leaves
 * the evidence before it standing (and ageing). Pure: the time to score at is given.
 */

export const scoreFormula = [
  'value of an objective in a drill = 1 within the objective, else objective ÷ measured ' +
    '(clients never recovered, an RPO not measured, split brain: 0)',
  'freshness of a drill of age a = 1 while a ≤ staleAfter, then 2^(−(a − staleAfter) / staleAfter)',
  'score of a service = 100 × mean of value × freshness over each (experiment, objective), ' +
    'each from the latest drill that measured it',
];

/** A run's evidence lasts this long unless its experiment (or GameDay) says `staleAfter`. */
export const defaultStaleAfterMs = 30 * 86_400_000;

export type ScoredMetric = 'rto' | 'rpo' | 'budget';
export const scoredMetrics: readonly ScoredMetric[] = ['rto', 'rpo', 'budget'];

/** One drill as the score reads it (from its summary). */
export interface ScoredRun {
  runId: string;
  experiment: string;
  service: string | null;
  startedAt: string;
  status: RunSummary['status'];
  staleAfterMs: number | null;
  rto: { ms: number | null; objectiveMs: number | null; recovered: boolean | null };
  rpo: { ms: number | null; objectiveMs: number | null; met: boolean | null; splitBrain: boolean } | null;
  /** Each SLO's budget burned against its budget threshold (the strictest, when it has several). */
  budgets: Array<{ slo: string; consumedPct: number | null; objectivePct: number | null }>;
}

export function scoredRunOf(summary: RunSummary): ScoredRun {
  return {
    runId: summary.runId,
    experiment: summary.experiment,
    service: summary.service ?? null,
    startedAt: summary.startedAt,
    status: summary.status,
    staleAfterMs: summary.staleAfterMs ?? null,
    rto: { ms: summary.rto.ms, objectiveMs: summary.rto.objectiveMs, recovered: summary.rto.recovered },
    rpo: summary.rpo && {
      ms: summary.rpo.ms,
      objectiveMs: summary.rpo.objectiveMs,
      met: summary.rpo.met,
      splitBrain: summary.rpo.splitBrain,
    },
    budgets: summary.slos.map((slo) => {
      const bounds = slo.thresholds.filter((threshold) => threshold.metric === 'budget').map((t) => t.value);
      return {
        slo: slo.name,
        consumedPct: slo.budgetConsumedPct,
        objectivePct: bounds.length > 0 ? Math.min(...bounds) : null,
      };
    }),
  };
}

/** One objective of one experiment, as the score counts it at a moment. */
export interface ObjectiveEvidence {
  experiment: string;
  metric: ScoredMetric;
  /** 'RTO', 'RPO', 'budget <slo>'. */
  name: string;
  /** The drill it comes from. */
  runId: string;
  startedAt: string;
  /** What was measured (ms, or % of the budget), and against what; measured null: not recovered or not measured. */
  measured: number | null;
  objective: number;
  /** How well it held the objective, 0 to 1. */
  value: number;
  ageMs: number;
  staleAfterMs: number;
  freshness: number;
  /** value × freshness: what it adds to the score. */
  counts: number;
  /** Older than staleAfter: counting for less than it measured. */
  stale: boolean;
}

export interface ScoreAt {
  at: string;
  /**
   * Why the score is taken here: a drill brought evidence, evidence went stale, now; or a
   * point on the curve between them (just before a drill, and along a decay), for charts.
   */
  why: 'drill' | 'stale' | 'now' | 'curve';
  score: number | null;
  byObjective: Record<ScoredMetric, number | null>;
}

export interface ServiceScore {
  service: string;
  /** false: its runs carry no service tag, and are scored under their experiment's name. */
  tagged: boolean;
  experiments: string[];
  /** Now (the history's generation time). */
  score: number | null;
  byObjective: Record<ScoredMetric, number | null>;
  evidence: ObjectiveEvidence[];
  /** The score at each drill, at each moment evidence went stale, and now, with the curve between: its course. */
  history: ScoreAt[];
}

/** Every service of the runs, scored at `now`, with its score over time; by name. */
export function scoreServices(runs: readonly ScoredRun[], now: Date): ServiceScore[] {
  const groups = new Map<string, { tagged: boolean; runs: ScoredRun[] }>();
  for (const run of runs) {
    const service = run.service ?? run.experiment;
    const key = `${run.service === null ? 'untagged' : 'tagged'}\u0000${service}`;
    const group = groups.get(key) ?? { tagged: run.service !== null, runs: [] };
    group.runs.push(run);
    groups.set(key, group);
  }
  return [...groups.entries()]
    .map(([key, group]) => scoreService(key.split('\u0000')[1], group.tagged, group.runs, now.getTime()))
    .sort((a, b) => a.service.localeCompare(b.service) || Number(b.tagged) - Number(a.tagged));
}

function scoreService(service: string, tagged: boolean, runs: ScoredRun[], now: number): ServiceScore {
  const measured = runs.flatMap((run) => objectivesOf(run).map((objective) => ({ run, objective })));
  const current = scoreAt(measured, now);
  const moments = new Map<number, ScoreAt['why']>([[now, 'now']]);
  const firstDrill = Math.min(...measured.map(({ run }) => Date.parse(run.startedAt)));
  for (const { run } of measured) {
    const at = Date.parse(run.startedAt);
    const staleFrom = at + (run.staleAfterMs ?? defaultStaleAfterMs);
    if (staleFrom < now && !moments.has(staleFrom)) moments.set(staleFrom, 'stale');
  }
  for (const { run } of measured) {
    const at = Date.parse(run.startedAt);
    if (at <= now) moments.set(at, 'drill');
    // The score jumps at a drill: the moment before it still has the evidence before it.
    if (at > firstDrill && at <= now && !moments.has(at - 1)) moments.set(at - 1, 'curve');
  }
  const marked = [...moments.keys()].sort((a, b) => a - b);
  // Where evidence is stale the score decays continuously: sampled between the marked moments, for the chart.
  const firstStale = Math.min(...marked.filter((at) => moments.get(at) === 'stale'));
  marked.forEach((at, index) => {
    const next = marked[index + 1];
    if (next === undefined || at < firstStale) return;
    for (let step = 1; step < decaySamples; step++) {
      const sample = Math.round(at + ((next - at) * step) / decaySamples);
      if (!moments.has(sample)) moments.set(sample, 'curve');
    }
  });
  const history = [...moments.entries()]
    .sort(([a], [b]) => a - b)
    .map(([at, why]): ScoreAt => {
      const { score, byObjective } = scoreAt(measured, at);
      return { at: new Date(at).toISOString(), why, score, byObjective };
    });
  return {
    service,
    tagged,
    experiments: [...new Set(runs.map((run) => run.experiment))].sort(),
    ...current,
    history,
  };
}

/** Points drawn between two marked moments while evidence decays. */
const decaySamples = 8;

interface Measured {
  run: ScoredRun;
  objective: { key: string; metric: ScoredMetric; name: string; measured: number | null; objective: number };
}

/** The evidence standing at `at`: each (experiment, objective) from its latest drill by then, aged to `at`. */
function scoreAt(
  measured: readonly Measured[],
  at: number,
): { score: number | null; byObjective: Record<ScoredMetric, number | null>; evidence: ObjectiveEvidence[] } {
  const latest = new Map<string, Measured>();
  for (const entry of measured) {
    const startedAt = Date.parse(entry.run.startedAt);
    if (startedAt > at) continue;
    const key = `${entry.run.experiment}\u0000${entry.objective.key}`;
    const known = latest.get(key);
    if (!known || Date.parse(known.run.startedAt) < startedAt) latest.set(key, entry);
  }
  const evidence = [...latest.values()]
    .map(({ run, objective }): ObjectiveEvidence => {
      const staleAfterMs = run.staleAfterMs ?? defaultStaleAfterMs;
      const ageMs = Math.max(0, at - Date.parse(run.startedAt));
      const value = objective.measured === null ? 0 : objectiveValue(objective.measured, objective.objective);
      const fresh = freshness(ageMs, staleAfterMs);
      return {
        experiment: run.experiment,
        metric: objective.metric,
        name: objective.name,
        runId: run.runId,
        startedAt: run.startedAt,
        measured: objective.measured,
        objective: objective.objective,
        value,
        ageMs,
        staleAfterMs,
        freshness: fresh,
        counts: value * fresh,
        stale: ageMs > staleAfterMs,
      };
    })
    .sort((a, b) => a.experiment.localeCompare(b.experiment) || a.name.localeCompare(b.name));
  const byObjective = Object.fromEntries(
    scoredMetrics.map((metric) => [
      metric,
      scoreOutOf100(evidence.filter((entry) => entry.metric === metric).map((entry) => entry.counts)),
    ]),
  ) as Record<ScoredMetric, number | null>;
  return { score: scoreOutOf100(evidence.map((entry) => entry.counts)), byObjective, evidence };
}

/** What one drill measured against an objective; nothing from a drill that measured nothing. */
function objectivesOf(run: ScoredRun): Measured['objective'][] {
  if (run.status !== 'passed' && run.status !== 'failed' && run.status !== 'aborted') return [];
  const objectives: Measured['objective'][] = [];
  const { rto, rpo } = run;
  if (rto.objectiveMs !== null) {
    // Clients that never recovered score 0 (measured null); an RTO not measured (nothing injected) is no evidence.
    if (rto.recovered === false)
      objectives.push({ key: 'rto', metric: 'rto', name: 'RTO', measured: null, objective: rto.objectiveMs });
    else if (rto.ms !== null)
      objectives.push({ key: 'rto', metric: 'rto', name: 'RTO', measured: rto.ms, objective: rto.objectiveMs });
  }
  if (rpo && rpo.objectiveMs !== null) {
    // Split brain, or a ledger that could not read back (judged missed), score 0.
    const lost = rpo.splitBrain || (rpo.ms === null && rpo.met === false);
    if (lost || rpo.ms !== null)
      objectives.push({
        key: 'rpo',
        metric: 'rpo',
        name: 'RPO',
        measured: lost ? null : rpo.ms,
        objective: rpo.objectiveMs,
      });
  }
  for (const budget of run.budgets) {
    if (budget.objectivePct === null || budget.consumedPct === null) continue;
    objectives.push({
      key: `budget\u0000${budget.slo}`,
      metric: 'budget',
      name: `budget ${budget.slo}`,
      measured: budget.consumedPct,
      objective: budget.objectivePct,
    });
  }
  return objectives;
}

/** How old evidence is, in words: '45m', '5h', '12.5d'. */
export function ageText(ms: number): string {
  const days = ms / 86_400_000;
  if (days >= 1) return `${Number(days.toFixed(days < 10 ? 1 : 0))}d`;
  return formatDuration(Math.round(ms / 60_000) * 60_000);
}
