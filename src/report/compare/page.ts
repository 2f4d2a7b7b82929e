import type { CompareSummary } from '../../analysis/compare';
import { gamedayVersion } from '../../core/version';
import { escapeHtml, row, table } from '../html/markup';
import { htmlDocument } from '../html/page';
import {
  budgetText,
  comparisonInWords,
  conflictsText,
  idleText,
  latencyText,
  phasesText,
  rpoText,
  rtoText,
  staleText,
  writesText,
} from './words';

/**
 * compare.html, self-contained like a run's report (inline CSS and SVG, nothing loaded):
 * the chart, the table, each strategy linked to its run's own report.html.
 */
export function renderComparePage(summary: CompareSummary, chartSvg: string | null): string {
  const rows = summary.strategies.map((entry) =>
    row(entry.status, [
      `<code>${escapeHtml(entry.strategy)}</code>`,
      escapeHtml(entry.status),
      escapeHtml(rtoText(entry)),
      escapeHtml(phasesText(entry)),
      escapeHtml(rpoText(entry)),
      escapeHtml(writesText(entry)),
      escapeHtml(conflictsText(entry)),
      escapeHtml(budgetText(entry)),
      escapeHtml(latencyText(entry)),
      escapeHtml(staleText(entry)),
      escapeHtml(idleText(entry)),
      `<a href="${escapeHtml(entry.report)}">report</a>`,
    ]),
  );
  for (const skipped of summary.skipped)
    rows.push(
      row('skipped', [`<code>${escapeHtml(skipped.strategy)}</code>`, `not run: ${escapeHtml(skipped.reason)}`]),
    );
  const words = comparisonInWords(summary.strategies);
  const body = [
    `<header><h1>Failover strategies compared: ${escapeHtml(summary.experiment)}</h1>` +
      `<p class="facts">comparison <code>${escapeHtml(summary.runId)}</code> · ${escapeHtml(summary.startedAt)} · ` +
      `file <code>${escapeHtml(summary.file)}</code></p></header>`,
    words.length > 0 ? `<p class="plain">${words.map(escapeHtml).join(' ')}</p>` : '',
    '<section id="chart"><h2>RTO against RPO</h2>' +
      (chartSvg
        ? `<figure class="chart">${chartSvg}</figure><p class="note">Lower left recovers faster and loses less; ` +
          'the larger the point, the more the standby side costs while it waits.</p>'
        : '<p class="muted">No strategy has an RTO to draw.</p>') +
      '</section>',
    '<section id="strategies"><h2>Each strategy</h2>' +
      table(
        [
          'strategy',
          'verdict',
          'RTO',
          'RTO phases',
          'RPO',
          'writes',
          'conflicting writes',
          'error budget burned',
          'steady-state p99',
          'stale reads',
          'idle cost (standby vs active)',
          'run',
        ],
        rows,
      ) +
      '</section>',
    `<footer>gameday ${escapeHtml(gamedayVersion)} · every strategy ran the same experiment on a lab of its own; ` +
      "each row's figures come from that run's summary.json; this page loads nothing from the network.</footer>",
  ];
  return htmlDocument(`Strategies compared: ${summary.experiment}`, body.join('\n'));
}
