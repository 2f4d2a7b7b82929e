import { formatDuration } from '../core/duration';
import { ageText, scoreFormula, type ObjectiveEvidence, type ServiceScore } from '../analysis/score';
import { formatPercent } from '../analysis/format';
import { chartWidth, palette, type ChartSpec } from './html/charts';
import { escapeHtml, row, table } from './html/markup';
import { renderSvg } from './html/vega';

/**
 * The history page's resilience scores: each service's score now and per objective, its
 * course over time, the evidence it stands on with what is stale, and the formula.
 */
export async function scoreSection(services: readonly ServiceScore[]): Promise<string> {
  if (services.length === 0) return '';
  const summaryRows = services.map((service) => {
    const stale = service.evidence.filter((entry) => entry.stale).length;
    return row(service.score === null ? 'unmeasured' : stale > 0 ? 'missed' : 'met', [
      escapeHtml(service.service) +
        (service.tagged ? '' : ' <span class="muted">(no service tag: its experiment)</span>'),
      `<strong>${scoreText(service.score)}</strong>`,
      scoreText(service.byObjective.rto),
      scoreText(service.byObjective.rpo),
      scoreText(service.byObjective.budget),
      `${service.evidence.length} objective${service.evidence.length === 1 ? '' : 's'}` +
        (stale > 0 ? `, <span class="stale">${stale} stale</span>` : ''),
    ]);
  });
  const details = await Promise.all(services.map(serviceDetail));
  const lines = scoreFormula.map((line) => `<li><code>${escapeHtml(line)}</code></li>`);
  const formula = `<ul class="formula">${lines.join('')}</ul>`;
  return (
    `<section id="score"><h2>Resilience score</h2>
<p class="note">From what clients saw in each drill — RTO, RPO, error budget burned — against the objectives, ` +
    `discounted by the age of the evidence. 100: every objective held by drills run within their staleAfter.</p>
${table(['service', 'score now', 'RTO', 'RPO', 'budget', 'evidence'], summaryRows, 'score')}
${formula}
${details.join('\n')}
</section>`
  );
}

async function serviceDetail(service: ServiceScore): Promise<string> {
  const spec = scoreChart(service);
  const chart = spec ? `<figure class="chart">${await renderSvg(spec)}</figure>` : '';
  const rows = service.evidence.map((entry) =>
    row(entry.stale ? 'missed' : 'met', [
      escapeHtml(entry.experiment),
      escapeHtml(entry.name),
      escapeHtml(`${entry.startedAt} (${ageText(entry.ageMs)} ago)`),
      escapeHtml(`${measuredText(entry)} (objective ${amountText(entry, entry.objective)})`),
      entry.value.toFixed(2),
      entry.stale
        ? `<span class="stale">${entry.freshness.toFixed(2)} STALE</span> ` +
          `(staleAfter ${escapeHtml(formatDuration(entry.staleAfterMs))})`
        : `${entry.freshness.toFixed(2)}`,
      entry.counts.toFixed(2),
    ]),
  );
  return `<h3>${escapeHtml(service.service)}: ${scoreText(service.score)}</h3>
<p class="facts">${escapeHtml(service.experiments.join(', '))}</p>
${chart}
${table(['experiment', 'objective', 'latest drill', 'measured', 'value', 'freshness', 'counts'], rows)}`;
}

/** The service's score and each objective's over time, out of 100: a marker where a drill or staleness changed it. */
export function scoreChart(service: ServiceScore): ChartSpec | null {
  const rows = service.history.flatMap((point) => {
    const series = [
      { name: 'score', value: point.score },
      { name: 'RTO', value: point.byObjective.rto },
      { name: 'RPO', value: point.byObjective.rpo },
      { name: 'budget', value: point.byObjective.budget },
    ];
    return series.flatMap(({ name, value }) =>
      value === null ? [] : [{ at: point.at, value, series: name, why: point.why }],
    );
  });
  if (rows.length === 0) return null;
  const x = { field: 'at', type: 'temporal', title: null, axis: { format: '%b %d %H:%M', labelAngle: -30 } };
  const y = { field: 'value', type: 'quantitative', title: 'score', scale: { domain: [0, 100] } };
  const color = {
    field: 'series',
    type: 'nominal',
    scale: { domain: ['score', 'RTO', 'RPO', 'budget'], range: [palette.step, palette.rto, palette.note, palette.ok] },
    legend: { orient: 'right', title: null },
  };
  return {
    width: chartWidth - 220,
    height: 140,
    title: { text: `Score over time: ${service.service}`, anchor: 'start' },
    data: { values: rows },
    layer: [
      {
        mark: { type: 'line', interpolate: 'linear' },
        encoding: {
          x,
          y,
          color,
          strokeWidth: { condition: { test: "datum.series === 'score'", value: 3 }, value: 1.5 },
        },
      },
      {
        transform: [{ filter: "datum.why !== 'curve'" }],
        mark: { type: 'point', filled: true, size: 40 },
        encoding: {
          x,
          y,
          color,
          tooltip: [
            { field: 'at', type: 'temporal' },
            { field: 'series' },
            { field: 'why' },
            { field: 'value', format: '.1f' },
          ],
        },
      },
    ],
  };
}

export function scoreText(score: number | null): string {
  return score === null ? '—' : score.toFixed(0);
}

function measuredText(entry: ObjectiveEvidence): string {
  if (entry.measured === null)
    return entry.metric === 'rto' ? 'not recovered' : entry.metric === 'rpo' ? 'not measured or split brain' : '—';
  return amountText(entry, entry.measured);
}

function amountText(entry: ObjectiveEvidence, amount: number): string {
  return entry.metric === 'budget' ? formatPercent(amount) : formatDuration(amount);
}
