import type { RunSummary } from '../analysis/summary';
import { formatDuration } from '../core/duration';
import {
  afterText,
  alertsPreamble,
  conditionsText,
  differenceText,
  gamedayText,
  labelsText,
  prometheusText,
  resolvedText,
} from './alerts';

/** report.md's section on the team's alert rules: the alerts raised, each rule beside gameday's evaluation. */
export function alertsMarkdown(summary: RunSummary): string[] {
  const alerts = summary.alerts;
  if (!alerts) return [];
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const lines = ['## Your alert rules', '', alertsPreamble(alerts), ''];
  if (alerts.error) lines.push(`Prometheus could not be read completely: ${alerts.error}`, '');
  lines.push('### Alerts raised', '');
  if (alerts.alerts.length === 0) lines.push('No alert went pending or fired during the drill.', '');
  else {
    lines.push('| alert | labels | pending at | firing at | resolved | pending for | firing for |');
    lines.push('|---|---|---|---|---|---|---|');
    for (const alert of alerts.alerts)
      lines.push(
        `| ${cell(alert.alertname)} | ${cell(labelsText(alert.labels))} | ${afterText(alert.pendingAfterMs)} | ` +
          `${alert.firingAfterMs === null ? 'never' : afterText(alert.firingAfterMs)} | ${resolvedText(alert)} | ` +
          `${formatDuration(alert.pendingMs)} | ${formatDuration(alert.firingMs)} |`,
      );
    lines.push('');
  }
  lines.push("### Each rule beside gameday's evaluation of its windows", '');
  lines.push(
    '| rule | condition | for | Prometheus: pending / firing | gameday: pending / firing | Prometheus − gameday | ' +
      'verdict |',
  );
  lines.push('|---|---|---|---|---|---|---|');
  for (const rule of alerts.rules)
    lines.push(
      `| ${cell(rule.name)} | ${cell(conditionsText(rule))} | ${rule.forMs > 0 ? formatDuration(rule.forMs) : '—'} | ` +
        `${prometheusText(rule)} | ${gamedayText(rule)} | ${differenceText(rule)} | ${rule.verdict} |`,
    );
  lines.push('');
  for (const rule of alerts.rules)
    lines.push(`**${rule.name}** (\`${rule.file}\`, group \`${rule.group}\`): ${rule.explanation.join(' ')}`, '');
  return lines;
}
