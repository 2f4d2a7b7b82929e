import type { AlertRuleSummary, AlertsSummary, AlertSummary, RuleConditionSummary } from '../analysis/alerts';
import { formatDuration } from '../core/duration';

/* How the team's alert rules read in every report: the same words for report.md, report.html and the CLI. */

/** +1.9s / −0.4s: from the first fault (or the start of observation, as the summary says). */
export function afterText(ms: number | null): string {
  return ms === null ? '—' : `${ms < 0 ? '−' : '+'}${formatDuration(Math.abs(ms))}`;
}

/** `1m & 10s > 1.44% (14.4×)`, alternatives joined with `or`. */
export function conditionsText(rule: AlertRuleSummary): string {
  if (rule.conditions.length === 0) return 'not a burn-rate threshold';
  return rule.conditions
    .map((alternative) => {
      const windows = [...alternative].sort((a, b) => b.windowMs - a.windowMs).map((condition) => condition.window);
      const threshold = thresholdOf(alternative);
      return `${windows.join(' & ')} > ${threshold}`;
    })
    .join(' or ');
}

function thresholdOf(alternative: RuleConditionSummary[]): string {
  const thresholds = [...new Set(alternative.map((condition) => condition.threshold))];
  const factors = [...new Set(alternative.map((condition) => condition.factor))];
  const factor = factors.length === 1 && factors[0] !== null ? ` (${factors[0]}×)` : '';
  return `${thresholds.map((threshold) => `${Number((threshold * 100).toPrecision(3))}%`).join('/')}${factor}`;
}

/** `+1.0s / +4.0s`, with what was still going at the end. */
export function outcomeText(outcome: { pendingAfterMs: number | null; firingAfterMs: number | null }): string {
  if (outcome.pendingAfterMs === null && outcome.firingAfterMs === null) return 'never pending';
  const firing = outcome.firingAfterMs === null ? 'never fired' : afterText(outcome.firingAfterMs);
  return `${afterText(outcome.pendingAfterMs)} / ${firing}`;
}

export function prometheusText(rule: AlertRuleSummary): string {
  const end = rule.prometheus.activeAtEnd ? ` (${rule.prometheus.activeAtEnd} at the end)` : '';
  return `${outcomeText(rule.prometheus)}${end}`;
}

export function gamedayText(rule: AlertRuleSummary): string {
  if (!rule.gameday) return 'no evaluation';
  const after = rule.gameday.firingAfterDrill ? ' (after the drill)' : '';
  return `${outcomeText(rule.gameday)}${after}`;
}

export function differenceText(rule: AlertRuleSummary): string {
  const { pendingMs, firingMs } = rule.difference;
  const shown = [
    pendingMs === null ? null : `pending ${afterText(pendingMs)}`,
    firingMs === null ? null : `firing ${afterText(firingMs)}`,
  ].filter(Boolean);
  return shown.length > 0 ? shown.join(', ') : '—';
}

export function labelsText(labels: Record<string, string>): string {
  return (
    Object.entries(labels)
      .map(([label, value]) => `${label}=${value}`)
      .join(', ') || '—'
  );
}

export function resolvedText(alert: AlertSummary): string {
  if (alert.activeAtEnd) return `still ${alert.activeAtEnd}`;
  return afterText(alert.resolvedAfterMs);
}

/** Which Prometheus, how often it scraped and evaluated, what times count from. */
export function alertsPreamble(alerts: AlertsSummary): string {
  const which = alerts.source === 'lab' ? "the lab's Prometheus" : 'your Prometheus';
  const cadence = [
    alerts.scrapeIntervalMs === null ? null : `scraping every ${formatDuration(alerts.scrapeIntervalMs)}`,
    alerts.evaluationIntervalMs === null
      ? null
      : `evaluating rules every ${formatDuration(alerts.evaluationIntervalMs)}`,
  ].filter(Boolean);
  const since = alerts.dataSince
    ? `; its data begins ${alerts.dataSince}${alerts.startedForRun ? ', when this run started it' : ''}`
    : '';
  const compared = alerts.slo
    ? `gameday evaluates each rule's windows on ${alerts.slo}'s requests, as it evaluates that SLO's burn rate`
    : "no SLO was named to evaluate the rules' windows on (alerts.slo), so gameday lists what Prometheus did";
  return (
    `Asked ${which} at ${alerts.url}${cadence.length > 0 ? ` (${cadence.join(', ')})` : ''}${since}. ` +
    `Times are from the ${alerts.reference === 'first fault' ? 'first fault becoming active' : 'observation start'}; ` +
    `${compared}.`
  );
}

/** One rule in a line, for the CLI: what Prometheus did, what gameday's evaluation says, the verdict. */
export function ruleLine(rule: AlertRuleSummary): string {
  const forText = rule.forMs > 0 ? `, for: ${formatDuration(rule.forMs)}` : '';
  return (
    `rule ${rule.name} (${conditionsText(rule)}${forText}): Prometheus ${prometheusText(rule)}; ` +
    `gameday ${gamedayText(rule)}; ${rule.verdict}`
  );
}
