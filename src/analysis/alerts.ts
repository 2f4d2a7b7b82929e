import { formatDuration } from '../core/duration';
import type { AlertInstanceRecord, EventOf, PrometheusRuleRecord } from '../core/events';
import { evaluateRule, type RuleEvaluation } from '../measure/alert-rules';
import type { SloBucket } from '../measure/slo';
import { analyseAlertingRule, type BurnAlternative } from '../prometheus/rules';
import { formatPercent } from './format';
import type {
  AlertRuleSummary,
  AlertsSummary,
  AlertSummary,
  RuleConditionSummary,
  RuleOutcome,
} from './alerts-summary';

export type { AlertRuleSummary, AlertsSummary, AlertSummary, RuleConditionSummary, RuleOutcome };

/**
 * The team's alert rules against the drill: every alert Prometheus raised (when it went
 * pending and fired, relative to the first fault, for how long, with its labels), and
 * for each alerting rule what Prometheus did beside what gameday's own evaluation of the
 * same windows says of the drill's requests — and why the two differ, in words worked
 * out from the rule (its windows, thresholds and `for:`), the Prometheus (its scrape and
 * evaluation intervals, how much history it had) and the drill (how long the faults
 * lasted, what each window's error ratio reached on either side).
 */

export interface AlertsContext {
  opened: EventOf<'prometheus.opened'> | undefined;
  observed: EventOf<'alerts.observed'>;
  /** Epoch ms times are counted from, and what it is. */
  reference: number;
  referenceIsFault: boolean;
  /** The faults' span (first active to last reverted), epoch ms; null without faults. */
  faults: { from: number; to: number | null } | null;
  /** The compared SLO: its per-bucket events from the start of observation. */
  slo: {
    name: string;
    /** Percent. */
    objective: number;
    buckets: readonly SloBucket[];
    bucketMs: number;
    /** The reference's offset from the first bucket. */
    referenceOffsetMs: number;
  } | null;
}

export function summarizeAlerts(context: AlertsContext): AlertsSummary {
  const { observed, opened } = context;
  const after = (t: number) => Math.round(t - context.reference);
  const alerts = observed.alerts
    .map((alert) => alertSummary(alert, observed, after))
    .sort((a, b) => (a.pendingAfterMs ?? a.firingAfterMs ?? 0) - (b.pendingAfterMs ?? b.firingAfterMs ?? 0));
  const rules = observed.rules
    .filter((rule) => rule.type === 'alerting')
    .map((rule) => ruleSummary(rule, context, after));
  return {
    source: observed.source,
    url: observed.url,
    window: {
      from: new Date(observed.from).toISOString(),
      to: new Date(observed.to).toISOString(),
      stepMs: observed.stepMs,
    },
    reference: context.referenceIsFault ? 'first fault' : 'observation',
    scrapeIntervalMs: opened?.scrapeIntervalMs ?? null,
    evaluationIntervalMs: opened?.evaluationIntervalMs ?? null,
    dataSince: opened?.dataSince ? new Date(opened.dataSince).toISOString() : null,
    startedForRun: opened?.startupMs != null,
    slo: context.slo?.name ?? null,
    alerts,
    rules,
    error: observed.error ?? null,
  };
}

/** Still active when the window ended: its last evaluation in that state within an interval and a half of the end. */
function stillActive(runs: Array<[number, number]>, observed: EventOf<'alerts.observed'>): boolean {
  const last = runs.at(-1);
  return last !== undefined && observed.to - last[1] <= observed.stepMs * 1.5;
}

function alertSummary(
  alert: AlertInstanceRecord,
  observed: EventOf<'alerts.observed'>,
  after: (t: number) => number,
): AlertSummary {
  const runs = [...alert.pending, ...alert.firing].sort((a, b) => a[0] - b[0]);
  const lengthOf = (spans: Array<[number, number]>) =>
    spans.reduce((sum, [from, to]) => sum + (to - from + observed.stepMs), 0);
  const firingNow = stillActive(alert.firing, observed);
  const pendingNow = !firingNow && stillActive(alert.pending, observed);
  const started = alert.activeSince.length > 0 ? Math.min(...alert.activeSince) : (runs[0]?.[0] ?? null);
  const last = runs.at(-1);
  return {
    alertname: alert.alertname,
    labels: alert.labels,
    pendingAfterMs: started === null ? null : after(started),
    firingAfterMs: alert.firing.length > 0 ? after(alert.firing[0][0]) : null,
    resolvedAfterMs: firingNow || pendingNow || !last ? null : after(last[1] + observed.stepMs),
    pendingMs: Math.min(lengthOf(alert.pending), observed.to - observed.from),
    firingMs: Math.min(lengthOf(alert.firing), observed.to - observed.from),
    activeAtEnd: firingNow ? 'firing' : pendingNow ? 'pending' : null,
  };
}

function ruleSummary(
  rule: PrometheusRuleRecord,
  context: AlertsContext,
  after: (t: number) => number,
): AlertRuleSummary {
  const { observed } = context;
  const analysis = analyseAlertingRule(rule, observed.rules);
  const budget = context.slo ? 1 - context.slo.objective / 100 : null;

  // Prometheus: the earliest of this rule's alerts.
  const own = observed.alerts
    .filter((alert) => alert.alertname === rule.name)
    .map((alert) => alertSummary(alert, observed, after));
  const earliest = (values: Array<number | null>) => {
    const known = values.filter((value): value is number => value !== null);
    return known.length > 0 ? Math.min(...known) : null;
  };
  const pendingAfterMs = earliest(own.map((alert) => alert.pendingAfterMs));
  const firingAfterMs = earliest(own.map((alert) => alert.firingAfterMs));
  const activeAtEnd = own.some((alert) => alert.activeAtEnd === 'firing')
    ? 'firing'
    : own.some((alert) => alert.activeAtEnd === 'pending')
      ? 'pending'
      : null;
  const resolvedAfterMs = activeAtEnd || own.length === 0 ? null : earliest(own.map((alert) => alert.resolvedAfterMs));
  const windowEnd = after(observed.to);
  const prometheus = {
    pendingAfterMs,
    firingAfterMs,
    resolvedAfterMs,
    heldMs: pendingAfterMs === null ? 0 : (resolvedAfterMs ?? windowEnd) - pendingAfterMs,
    conditionMetAfterMs: conditionMet(analysis.alternatives, observed, after),
    activeAtEnd: activeAtEnd as 'pending' | 'firing' | null,
  };

  // gameday: the same windows and thresholds on the compared SLO's requests.
  let evaluation: RuleEvaluation | null = null;
  if (context.slo && analysis.alternatives.length > 0)
    evaluation = evaluateRule({
      buckets: context.slo.buckets,
      bucketMs: context.slo.bucketMs,
      faultOffsetMs: context.slo.referenceOffsetMs,
      alternatives: analysis.alternatives.map((alternative) =>
        alternative.conditions.map(({ windowMs, threshold, inclusive }) => ({ windowMs, threshold, inclusive })),
      ),
      forMs: rule.forMs,
    });
  const whole = (ms: number | null) => (ms === null ? null : Math.round(ms));
  const gameday = evaluation && {
    pendingAfterMs: whole(evaluation.pendingAtMs),
    firingAfterMs: whole(evaluation.firingAtMs),
    resolvedAfterMs: whole(evaluation.resolvedAtMs),
    heldMs: Math.round(evaluation.heldMs),
    firingAfterDrill: evaluation.firingAfterDrill,
  };

  const conditions = analysis.alternatives.map((alternative, a) =>
    alternative.conditions.map((condition, c): RuleConditionSummary => {
      const series = observed.conditions.find((entry) => entry.lhs === condition.lhs);
      const values = series?.points.map(([, value]) => value).filter((value) => Number.isFinite(value)) ?? [];
      return {
        window: formatDuration(condition.windowMs),
        windowMs: condition.windowMs,
        threshold: +condition.threshold.toPrecision(10),
        factor: budget ? round(condition.threshold / budget, 2) : null,
        prometheusPeak: values.length > 0 ? round(Math.max(...values), 6) : null,
        gamedayPeak: evaluation ? round(evaluation.conditions[a][c].peakRatio, 6) : null,
      };
    }),
  );
  const prometheusFired = firingAfterMs !== null;
  const gamedayFires = gameday !== null && gameday.firingAfterMs !== null;
  const summary: AlertRuleSummary = {
    name: rule.name,
    group: rule.group,
    file: rule.file,
    forMs: rule.forMs,
    evaluationIntervalMs: rule.intervalMs,
    labels: rule.labels,
    query: rule.query,
    conditions,
    unevaluated: [...new Set(analysis.alternatives.flatMap((alternative) => alternative.unevaluated))],
    prometheus,
    gameday,
    difference: {
      pendingMs: diff(prometheus.pendingAfterMs, gameday?.pendingAfterMs ?? null),
      firingMs: diff(prometheus.firingAfterMs, gameday?.firingAfterMs ?? null),
    },
    verdict:
      prometheusFired && gamedayFires
        ? 'both fired'
        : prometheusFired
          ? 'only Prometheus fired'
          : gamedayFires
            ? 'only gameday fires'
            : 'neither fired',
    explanation: [],
  };
  summary.explanation = explain(summary, analysis.alternatives, analysis.note, context, windowEnd);
  return summary;
}

/** When Prometheus's own ratios (the conditions' left sides, as it computed them) first met one whole alternative. */
function conditionMet(
  alternatives: BurnAlternative[],
  observed: EventOf<'alerts.observed'>,
  after: (t: number) => number,
): number | null {
  let first: number | null = null;
  for (const alternative of alternatives) {
    const series = alternative.conditions.map((condition) => ({
      condition,
      values: new Map(observed.conditions.find((entry) => entry.lhs === condition.lhs)?.points ?? []),
    }));
    const times = [...(series[0]?.values.keys() ?? [])].sort((a, b) => a - b);
    const met = times.find((t) =>
      series.every(({ condition, values }) => {
        const value = values.get(t);
        return (
          value !== undefined && (condition.inclusive ? value >= condition.threshold : value > condition.threshold)
        );
      }),
    );
    if (met !== undefined && (first === null || after(met) < first)) first = after(met);
  }
  return first;
}

const at = (ms: number | null) => (ms === null ? '—' : `${ms < 0 ? '−' : '+'}${formatDuration(Math.abs(ms))}`);
const ratioText = (ratio: number) => formatPercent(ratio * 100);
/** A threshold as written, to three significant digits: 1.44%, not 1.4%. */
const thresholdText = (ratio: number) => `${Number((ratio * 100).toPrecision(3))}%`;
const side = (ms: number) => (ms >= 0 ? `${formatDuration(ms)} after` : `${formatDuration(-ms)} before`);

/** The explanation, sentence by sentence: what the rule asks, what each side saw, and why they differ. */
function explain(
  rule: AlertRuleSummary,
  alternatives: BurnAlternative[],
  note: string | null,
  context: AlertsContext,
  windowEnd: number,
): string[] {
  const lines: string[] = [];
  const slo = context.slo;
  const p = rule.prometheus;
  const g = rule.gameday;
  const forText = `\`for: ${formatDuration(rule.forMs)}\``;

  // What it asks.
  if (rule.conditions.length > 0) {
    const asks = rule.conditions.map((alternative) => {
      const windows = [...alternative].sort((a, b) => b.windowMs - a.windowMs).map((condition) => condition.window);
      const thresholds = [...new Set(alternative.map((condition) => condition.threshold))];
      const factors = [...new Set(alternative.map((condition) => condition.factor))];
      const factor =
        slo && factors.length === 1 && factors[0] !== null
          ? ` (${factors[0]}× ${slo.name}'s ${thresholdText(1 - slo.objective / 100)} error budget)`
          : '';
      const every = windows.length === 2 ? 'both' : 'all';
      const over =
        windows.length > 1
          ? `over ${windows.slice(0, -1).join(', ')} and ${windows.at(-1)} ${every} exceed`
          : `over ${windows[0]} exceeds`;
      return `the error ratio ${over} ${thresholds.map(thresholdText).join('/')}${factor}`;
    });
    const holding =
      rule.forMs > 0
        ? `for ${formatDuration(rule.forMs)} (${forText})`
        : 'at the first evaluation that sees it (no `for:`)';
    const every = formatDuration(rule.evaluationIntervalMs);
    lines.push(`It fires when ${asks.join(', or when ')}, ${holding}; evaluated every ${every}.`);
    if (rule.unevaluated.length > 0)
      lines.push(
        `gameday does not evaluate ${rule.unevaluated.map((part) => `\`${part}\``).join(', ')}: taken to hold.`,
      );
  } else if (note) lines.push(`gameday has no evaluation of its own for it: ${note}.`);

  // What Prometheus did.
  if (p.pendingAfterMs === null && p.firingAfterMs === null) lines.push('Prometheus: it never went pending.');
  else {
    const fired = p.firingAfterMs === null ? 'never fired' : `fired at ${at(p.firingAfterMs)}`;
    const end =
      p.activeAtEnd === 'firing'
        ? ', still firing when the drill ended'
        : p.activeAtEnd === 'pending'
          ? `, still pending when the drill ended (${at(windowEnd)})`
          : p.resolvedAfterMs !== null
            ? `, resolved at ${at(p.resolvedAfterMs)}`
            : '';
    lines.push(`Prometheus: pending at ${at(p.pendingAfterMs)}, ${fired}${end}.`);
    if (p.activeAtEnd === 'pending' && p.pendingAfterMs !== null && rule.forMs > 0)
      lines.push(`It fires at ${at(p.pendingAfterMs + rule.forMs)} if its condition still holds then (${forText}).`);
  }

  // What gameday's evaluation of the same windows says.
  if (!g && rule.conditions.length > 0 && !slo)
    lines.push('gameday has no SLO to evaluate its windows on (name one in alerts.slo).');
  if (g && slo) {
    const requests = slo.buckets.reduce((sum, bucket) => sum + bucket.total, 0);
    const on = `gameday, the same windows on ${slo.name}'s ${requests} requests`;
    if (g.pendingAfterMs === null) {
      const misses = rule.conditions
        .flat()
        .filter((condition) => condition.gamedayPeak !== null && condition.gamedayPeak <= condition.threshold)
        .map(
          (condition) =>
            `the ${condition.window} window's error ratio peaked at ${ratioText(condition.gamedayPeak!)}, under the ` +
            `${thresholdText(condition.threshold)} it needs`,
        );
      lines.push(`${on}: its condition never held: ${misses.join('; ') || 'no alternative held at once'}.`);
    } else {
      const fires =
        g.firingAfterMs === null
          ? `never fires (its condition held ${formatDuration(g.heldMs)})`
          : `fires at ${at(g.firingAfterMs)}${g.firingAfterDrill ? ', after the drill, while its windows drain' : ''}`;
      lines.push(`${on}: pending at ${at(g.pendingAfterMs)}, ${fires}.`);
    }
  }

  // A `for:` longer than the condition held.
  const faultsMs = context.faults?.to != null ? context.faults.to - context.faults.from : null;
  const pendingSomewhere = p.pendingAfterMs !== null || (g !== null && g.pendingAfterMs !== null);
  if (rule.forMs > 0 && p.firingAfterMs === null && (g === null || g.firingAfterMs === null) && pendingSomewhere) {
    const held = [
      p.pendingAfterMs !== null ? `${formatDuration(p.heldMs)} in Prometheus` : null,
      g && g.pendingAfterMs !== null ? `${formatDuration(g.heldMs)} in gameday's evaluation` : null,
    ].filter(Boolean);
    const facts = [
      faultsMs === null ? null : `the outage lasted ${formatDuration(faultsMs)} (from the fault to its rollback)`,
      `its condition held ${held.join(', ')}` + (p.activeAtEnd === 'pending' ? ' (the drill ended first)' : ''),
    ].filter(Boolean);
    lines.push(`Your rule has ${forText}; ${facts.join('; ')}.`);
  }

  // Both saw it: by how much Prometheus lagged, and whether its scrape and evaluation account for that.
  const scrape = context.opened?.scrapeIntervalMs ?? null;
  const bucketMs = slo?.bucketMs ?? 1_000;
  const allowance = (scrape ?? 0) + rule.evaluationIntervalMs + bucketMs;
  const { pendingMs, firingMs } = rule.difference;
  const lag = pendingMs ?? firingMs;

  // Prometheus's windows held less than the rule reads: its ratio was the drill's alone, which can only make it early.
  const dataSince = context.opened?.dataSince ?? null;
  const longest = Math.max(0, ...alternatives.flatMap((alternative) => alternative.conditions.map((c) => c.windowMs)));
  const pendingAt = p.pendingAfterMs === null ? null : context.reference + p.pendingAfterMs;
  const history = dataSince !== null && pendingAt !== null ? pendingAt - dataSince : null;
  const early = g !== null && (g.pendingAfterMs === null || (lag !== null && lag < -bucketMs));
  if (history !== null && longest > history && early) {
    const peaks = rule.conditions
      .flat()
      .filter((condition) => condition.windowMs > history && condition.prometheusPeak !== null)
      .map(
        (condition) =>
          `its ${condition.window} ratio reached ${ratioText(condition.prometheusPeak!)}, gameday's ` +
          ratioText(condition.gamedayPeak ?? 0),
      );
    lines.push(
      `Prometheus had only ${formatDuration(history)} of data when it went pending, less than the rule's ` +
        `${formatDuration(longest)} window: its ratio was the drill's alone` +
        `${peaks.length > 0 ? ` (${peaks.join('; ')})` : ''}, ` +
        `while gameday counts the rest of the window as good traffic at the drill's rate, as a Prometheus that had ` +
        'been running before the drill would have seen it.',
    );
  } else if (lag !== null) {
    const parts = [
      scrape !== null ? `one scrape (${formatDuration(scrape)})` : null,
      `one evaluation (${formatDuration(rule.evaluationIntervalMs)})`,
      `gameday's ${formatDuration(bucketMs)} resolution`,
    ].filter(Boolean);
    const moments = [
      pendingMs !== null ? `went pending ${side(pendingMs)} gameday's windows crossed` : null,
      firingMs !== null ? `fired ${side(firingMs)} gameday's evaluation fires` : null,
    ].filter(Boolean);
    let line = `Prometheus ${moments.join(' and ')}: `;
    if (Math.abs(lag) <= allowance)
      line +=
        `within ${parts.join(', ')} — Prometheus counts a request once the app has answered it and a scrape has ` +
        'read it, and looks at the rule once per evaluation; gameday counts it when it was sent, by the second.';
    else {
      line += `more than ${parts.join(', ')} account for (${formatDuration(allowance)}).`;
      if (p.conditionMetAfterMs !== null)
        line +=
          ` Its own ratio met the condition by ${at(p.conditionMetAfterMs)} ` +
          `(to the query's ${formatDuration(context.observed.stepMs)} step).`;
    }
    lines.push(line);
  }

  // gameday's windows crossed, Prometheus's did not: it counted something else.
  if (g !== null && g.pendingAfterMs !== null && p.pendingAfterMs === null) {
    const peaks = rule.conditions
      .flat()
      .map((condition) =>
        condition.prometheusPeak === null
          ? `no ${condition.window} ratio at all (no events counted)`
          : `its ${condition.window} ratio peaked at ${ratioText(condition.prometheusPeak)}, gameday's at ` +
            ratioText(condition.gamedayPeak ?? 0),
      );
    lines.push(
      `Prometheus did not see what the drill's clients saw: ${peaks.join('; ')}. Its rule counts what its metrics ` +
        'count; requests that never reached a server (a region cut off from its clients) are not in them.',
    );
  }
  if (rule.verdict === 'neither fired') lines.push('Both agree: it did not fire.');
  else if (rule.verdict === 'both fired') lines.push('Both agree: it fired.');
  return lines;
}

function diff(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a - b;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
