import type { RunSummary } from '../../analysis/summary';
import { formatDuration } from '../../core/duration';
import {
  afterText,
  alertsPreamble,
  conditionsText,
  differenceText,
  gamedayText,
  labelsText,
  prometheusText,
  resolvedText,
} from '../alerts';
import { escapeHtml, row, table } from './markup';

/** report.html's section on the team's alert rules; empty when the experiment names none. */
export function alertsSection(summary: RunSummary): string {
  const alerts = summary.alerts;
  if (!alerts) return '';
  const error = alerts.error
    ? `<p class="missed">Prometheus could not be read completely: ${escapeHtml(alerts.error)}</p>`
    : '';
  const raised =
    alerts.alerts.length === 0
      ? '<p class="muted">No alert went pending or fired during the drill.</p>'
      : table(
          ['alert', 'labels', 'pending at', 'firing at', 'resolved', 'pending for', 'firing for'],
          alerts.alerts.map((alert) =>
            row(alert.firingAfterMs !== null ? 'missed' : '', [
              escapeHtml(alert.alertname),
              escapeHtml(labelsText(alert.labels)),
              escapeHtml(afterText(alert.pendingAfterMs)),
              escapeHtml(alert.firingAfterMs === null ? 'never' : afterText(alert.firingAfterMs)),
              escapeHtml(resolvedText(alert)),
              escapeHtml(formatDuration(alert.pendingMs)),
              escapeHtml(formatDuration(alert.firingMs)),
            ]),
          ),
        );
  const rules = table(
    [
      'rule',
      'condition',
      'for',
      'Prometheus: pending / firing',
      'gameday: pending / firing',
      'Prometheus − gameday',
      'verdict',
    ],
    alerts.rules.map((rule) =>
      row('', [
        escapeHtml(rule.name),
        escapeHtml(conditionsText(rule)),
        escapeHtml(rule.forMs > 0 ? formatDuration(rule.forMs) : '—'),
        escapeHtml(prometheusText(rule)),
        escapeHtml(gamedayText(rule)),
        escapeHtml(differenceText(rule)),
        escapeHtml(rule.verdict),
      ]),
    ),
  );
  const why = alerts.rules
    .map(
      (rule) =>
        `<p><strong>${escapeHtml(rule.name)}</strong> <span class="muted">(${escapeHtml(rule.file)}, group ` +
        `${escapeHtml(rule.group)})</span>: ${withCode(rule.explanation.join(' '))}</p>`,
    )
    .join('');
  return `<section id="alerts"><h2>Your alert rules</h2>
<p>${escapeHtml(alertsPreamble(alerts))}</p>${error}
<h3>Alerts raised</h3>
${raised}
<h3>Each rule beside gameday's evaluation of its windows</h3>
${rules}
${why}
</section>`;
}

/** Escaped text whose `backticked` parts (a rule's `for: 2m`, a PromQL expression) read as code. */
function withCode(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}
