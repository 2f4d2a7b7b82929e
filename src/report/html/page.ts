import { alertsSection } from './alerts';
import { formatDuration } from '../../core/duration';
import { gamedayVersion } from '../../core/version';
import {
  boundsText,
  causeText,
  failbackText,
  formatPercent,
  formatRatio,
  journeysText,
  rtoClock,
  rtoMeasured,
} from '../../analysis/format';
import { objectivesOf, type Objective } from '../../analysis/judge';
import { plainWordsSummary } from '../plain-words';
import type { RunSummary } from '../../analysis/summary';
import type { RunCharts } from './charts';
import { escapeHtml, evidenceLine, row, table } from './markup';

export { escapeHtml };

/** Rendered SVG per chart of RunCharts; null where the run had nothing to draw. */
export type RenderedCharts = { [K in keyof RunCharts]: string | null };

/**
 * report.html: one self-contained file (inline CSS, inline SVG, no script, no link) so it
 * opens from an artifact store or an email attachment with no network. `leadership` is
 * the one-page variant the PDF is printed from: the words, the verdict and three charts.
 */
export function renderRunPage(
  summary: RunSummary,
  charts: RenderedCharts,
  variant: 'full' | 'leadership' = 'full',
  evidence: string | null = null,
): string {
  const objectives = objectivesOf(summary);
  const body = [
    header(summary),
    `<p class="plain">${escapeHtml(plainWordsSummary(summary))}</p>`,
    verdictTable(objectives, summary),
    ...(variant === 'leadership' ? leadershipSections(summary, charts) : fullSections(summary, charts)),
    `<footer>${evidenceLine(evidence)}gameday ${escapeHtml(gamedayVersion)} · run ${escapeHtml(summary.runId)} · ` +
      `rendered from the run journal; this page loads nothing from the network.</footer>`,
  ];
  return htmlDocument(`GameDay: ${summary.experiment} — ${statusWord(summary.status)}`, body.join('\n'), variant);
}

export function htmlDocument(title: string, body: string, variant: 'full' | 'leadership' = 'full'): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${styles}</style>
</head>
<body class="${variant}">
${body}
</body>
</html>
`;
}

function header(summary: RunSummary): string {
  const facts = [
    `run <code>${escapeHtml(summary.runId)}</code>`,
    escapeHtml(summary.startedAt),
    summary.durationMs === null ? 'unfinished' : escapeHtml(formatDuration(summary.durationMs)),
    `target ${escapeHtml(summary.target.kind)}`,
    `file <code>${escapeHtml(summary.file)}</code>`,
  ];
  return `<header>
<h1><span class="badge ${summary.status}">${statusWord(summary.status)}</span> ${escapeHtml(summary.experiment)}</h1>
${summary.description ? `<p class="description">${escapeHtml(summary.description)}</p>` : ''}
<p class="facts">${facts.join(' · ')}</p>
</header>`;
}

function verdictTable(objectives: Objective[], summary: RunSummary): string {
  const rows = objectives.map((objective) =>
    row(metClass(objective.met), [
      escapeHtml(objective.name),
      escapeHtml(objective.measured),
      escapeHtml(objective.objective),
      { html: metWord(objective.met), className: 'met' },
    ]),
  );
  const judged =
    rows.length === 0
      ? '<p class="muted">The experiment declares no objective: nothing was judged.</p>'
      : table(['objective', 'measured', 'target', 'met'], rows, 'verdict');
  const reason = `<p class="reason">${escapeHtml(summary.reason)}</p>`;
  return `<section id="verdict"><h2>Verdict: ${statusWord(summary.status)}</h2>${reason}${judged}</section>`;
}

function leadershipSections(summary: RunSummary, charts: RenderedCharts): string[] {
  return [
    section('timeline', 'What customers saw', charts.timeline, 'No traffic was recorded, so there is no timeline.'),
    charts.journeys === null ? '' : section('journeys', 'Journeys', charts.journeys, '', journeysWords(summary)),
    section('rto', 'Recovery time', charts.phases, rtoMissing(summary)),
    summary.slos.length > 0 ? section('budget', 'Error budget', charts.budget, '') + assumption(summary) : '',
  ];
}

function fullSections(summary: RunSummary, charts: RenderedCharts): string[] {
  return [
    section(
      'timeline',
      'Timeline',
      charts.timeline,
      'No traffic was recorded, so there is no timeline.',
      legendNote(summary),
    ),
    journeysSection(summary, charts),
    notesSection(summary),
    section(
      'regions',
      'Traffic by region',
      charts.regions,
      'The service does not say which region served a request (no x-gameday-region header), so there ' +
        'is no regional split.',
    ),
    section('rto', 'Recovery time (RTO)', charts.phases, rtoMissing(summary), rtoNotes(summary)),
    failoverTable(summary),
    section(
      'ledger',
      'Write ledger (RPO)',
      charts.ledger,
      summary.rpo
        ? 'The ledger sent no writes.'
        : 'The experiment has no write ledger, so data loss (RPO) was not measured.',
      ledgerNotes(summary),
    ),
    objectsSection(summary),
    sloSections(summary, charts),
    alertsSection(summary),
    faultTable(summary),
    trafficTable(summary),
  ];
}

function section(id: string, title: string, svg: string | null, missing: string, after = ''): string {
  const content =
    svg === null
      ? `<p class="muted">${escapeHtml(missing)}</p>`
      : `<figure class="chart" data-chart="${id}">${svg}</figure>`;
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2>${content}${after}</section>`;
}

function legendNote(summary: RunSummary): string {
  const parts = ['shaded red: a fault was active'];
  if (summary.rto.ms) parts.push('amber strip along the top: the RTO, from the fault that hurt to recovery');
  if (summary.failover) parts.push('dashed blue lines: where each failover step ended');
  if (summary.notes.length > 0) parts.push('dotted purple lines: notes written during the run, numbered as below');
  return `<p class="note">${escapeHtml(parts.join('; '))}.</p>`;
}

/** The journeys in one sentence, slowest recovery first. */
function journeysWords(summary: RunSummary): string {
  return `<p class="journeys">${escapeHtml(capitalized(journeysText(summary.journeys ?? [])))}.</p>`;
}

/**
 * Every journey: its recovery in words, its outcome over time, its RTO against its
 * objective with its criterion; and each browser probe's steps and failed journeys, each
 * linked to the screenshot and trace it left in the run directory.
 */
function journeysSection(summary: RunSummary, charts: RenderedCharts): string {
  const journeys = summary.journeys ?? [];
  if (!journeys.some((journey) => journey.name !== summary.traffic.probe)) return '';
  const rows = journeys.map((journey) =>
    row(metClass(journey.rto.met), [
      `${escapeHtml(journey.name)}${journey.headline ? ' <span class="muted">(headline)</span>' : ''}`,
      escapeHtml(journey.kind),
      `${journey.failed} of ${journey.samples}`,
      escapeHtml(rtoMeasured(journey.rto)),
      journey.rto.objectiveMs === null ? '—' : `≤ ${escapeHtml(formatDuration(journey.rto.objectiveMs))}`,
      escapeHtml(criterionText(journey.rto.criteria)),
      { html: journey.rto.objectiveMs === null ? '—' : metWord(journey.rto.met), className: 'met' },
    ]),
  );
  const chart =
    charts.journeys === null ? '' : `<figure class="chart" data-chart="journeys">${charts.journeys}</figure>`;
  const browsers = summary.probes
    .filter((probe) => probe.steps)
    .map(browserProbeHtml)
    .join('');
  return `<section id="journeys"><h2>Journeys</h2>${journeysWords(summary)}${chart}
${table(['journey', 'kind', 'failed', 'RTO', 'objective', 'recovered when', 'met'], rows)}${browsers}</section>`;
}

function browserProbeHtml(probe: RunSummary['probes'][number]): string {
  const ms = (value: number | null) => (value === null ? '—' : `${value} ms`);
  const steps = (probe.steps ?? []).map((step) =>
    row(step.failed > 0 ? 'missed' : '', [
      escapeHtml(step.name),
      String(step.samples),
      String(step.failed),
      ms(step.latencyMs.p50),
      ms(step.latencyMs.p99),
    ]),
  );
  const link = (href: string | null, text: string) =>
    href === null ? '' : `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
  const failures = (probe.failures ?? []).map((failure) =>
    row('', [
      offsetText(failure.atMs),
      escapeHtml(failure.step ?? ''),
      escapeHtml(failure.error),
      escapeHtml(failure.region),
      [link(failure.screenshot, 'screenshot'), link(failure.trace, 'trace')].filter(Boolean).join(' · ') || '—',
    ]),
  );
  const lookups = probe.lookups
    ? ` Chromium asked the target's DNS for the site's address in ${probe.lookups.journeys} of ${probe.requests} ` +
      `journeys; the others used an answer it had cached.`
    : '';
  const how = probe.detail ? `${capitalized(probe.detail)}.` : '';
  const omitted = probe.failuresOmitted
    ? `<p class="note">${probe.failuresOmitted} failures in between left out.</p>`
    : '';
  return `<h3>Browser probe <code>${escapeHtml(probe.probe)}</code></h3>
<p class="note">${escapeHtml(`${probe.url}: ${probe.requests} journeys, ${probe.errors} failed. ${how}${lookups}`)}</p>
${table(['step', 'runs', 'failed', 'p50', 'p99'], steps)}${
    failures.length === 0
      ? ''
      : `<p class="note">Failed journeys; each screenshot and trace is in the run directory (open a trace with ` +
        `<code>npx playwright show-trace</code>).</p>` +
        table(['due (+s)', 'step', 'error', 'region', 'evidence'], failures)
  }${omitted}`;
}

function criterionText(criteria: { successRatio: number; windowMs: number }): string {
  return `≥ ${formatRatio(criteria.successRatio)} over every ${formatDuration(criteria.windowMs)}`;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * What people wrote during the run (`gameday note`): findings and action items with their
 * owners, and plain notes, numbered as the timeline marks them. Their text is whatever was
 * typed at a terminal, so it is escaped like everything else on the page.
 */
function notesSection(summary: RunSummary): string {
  if (summary.notes.length === 0) return '';
  const kinds = { note: 'note', finding: 'finding', action: 'action item' } as const;
  const rows = summary.notes.map((note, index) =>
    row(note.kind === 'note' ? '' : note.kind, [
      `#${index + 1}`,
      offsetText(note.offsetMs),
      escapeHtml(kinds[note.kind]),
      escapeHtml(note.text),
      escapeHtml(note.owner ?? ''),
      escapeHtml(note.author),
    ]),
  );
  const findings = summary.notes.filter((note) => note.kind === 'finding').length;
  const actions = summary.notes.filter((note) => note.kind === 'action').length;
  const counted = `<p class="note">${findings} finding${findings === 1 ? '' : 's'}, ${actions} action item${
    actions === 1 ? '' : 's'
  }, written with <code>gameday note</code> while the run went on.</p>`;
  const notes = table(['#', '+s', 'kind', 'text', 'owner', 'by'], rows, 'notes');
  return `<section id="notes"><h2>Findings, action items and notes</h2>${counted}${notes}</section>`;
}

function rtoMissing(summary: RunSummary): string {
  const { rto } = summary;
  if (rto.recovered === false)
    return `Clients had not recovered when the run ended (at least ${formatDuration(rto.atLeastMs ?? 0)}).`;
  return `RTO was not measured${rto.note ? `: ${rto.note}` : ''}.`;
}

function rtoNotes(summary: RunSummary): string {
  const { rto } = summary;
  const notes = [rtoClock(rto)];
  if (rto.bounds) notes.push(`RTO ${boundsText(rto.bounds)}.`);
  if (rto.note) notes.push(`Note: ${rto.note}.`);
  return notes.map((note) => `<p class="note">${escapeHtml(note)}</p>`).join('') + impactTable(summary);
}

/** Every time clients were hurt, each with its cause, and the failback's cost. */
function impactTable(summary: RunSummary): string {
  if (summary.impact.length === 0 && !summary.failback) return '';
  const rows = summary.impact.map((episode) =>
    row(episode.cause?.kind === 'fault' ? '' : 'muted', [
      escapeHtml(causeText(episode)),
      offsetText(episode.onsetMs),
      episode.impactMs === null ? 'not recovered' : formatDuration(episode.impactMs),
      episode.rtoMs === null ? '—' : formatDuration(episode.rtoMs),
      `${episode.failedRequests} / ${episode.requests}`,
      episode.latencyMs.p99 === null ? '—' : `${episode.latencyMs.p99} ms`,
    ]),
  );
  const episodes =
    rows.length === 0
      ? ''
      : table(['impact from', 'onset (+s)', 'lasted', 'RTO from cause', 'failed / requests', 'p99'], rows);
  const failback = summary.failback ? `<p class="note">${escapeHtml(failbackText(summary.failback))}.</p>` : '';
  return `<h3>Impact</h3>${episodes}${failback}`;
}

function failoverTable(summary: RunSummary): string {
  const failover = summary.failover;
  if (!failover) return '';
  const rows = failover.steps.map((step) =>
    row(step.status === 'failed' ? 'missed' : '', [
      escapeHtml(step.name),
      escapeHtml(step.status),
      offsetText(step.startedAtMs),
      step.ms === null ? '—' : escapeHtml(formatDuration(step.ms)),
      escapeHtml(step.error ?? ''),
    ]),
  );
  const outcome =
    failover.ok === null ? 'did not finish' : failover.ok ? 'completed' : `failed: ${failover.reason ?? ''}`;
  const moved = `<p>${escapeHtml(`${failover.from ?? '?'} → ${failover.to ?? '?'}: ${outcome}`)}</p>`;
  const steps = table(['step', 'status', 'started (+s)', 'took', 'error'], rows);
  return `<section id="failover"><h2>Failover runbook</h2>${moved}${steps}</section>`;
}

function ledgerNotes(summary: RunSummary): string {
  const rpo = summary.rpo;
  if (!rpo) return '';
  const notes = [
    `RPO ${rpo.ms === null ? 'not measured' : formatDuration(rpo.ms)}: the span of acknowledged history lost.`,
  ];
  if (rpo.lostSeqs.length > 0)
    notes.push(
      `Lost seqs${rpo.lostWrites > rpo.lostSeqs.length ? ` (first ${rpo.lostSeqs.length})` : ''}: ` +
        `${rpo.lostSeqs.join(', ')}.`,
    );
  if (rpo.splitBrain)
    notes.push(
      `Split brain: ${rpo.staleWriterAcks} writes acknowledged by a superseded writer, ` +
        `${rpo.duplicateWrites} present twice.`,
    );
  if (rpo.writers.length > 0) notes.push(`Writers, in the order they acknowledged: ${rpo.writers.join(', ')}.`);
  if (rpo.note) notes.push(`Note: ${rpo.note}.`);
  return notes.map((note) => `<p class="note">${escapeHtml(note)}</p>`).join('');
}

/** The object ledger beside the write ledger: object RPO, dangling references, and the replication lag by second. */
function objectsSection(summary: RunSummary): string {
  const objects = summary.objects;
  if (!objects) return '';
  const where = objects.destination.bucket
    ? `s3://${objects.bucket} replicating to s3://${objects.destination.bucket} (${objects.destination.region})`
    : `s3://${objects.bucket}`;
  const notes = [
    `${where}: object RPO ${objects.ms === null ? 'not measured' : formatDuration(objects.ms)}, ` +
      `${objects.lostObjects} of ${objects.ackedObjects} acknowledged objects lost.`,
  ];
  if (objects.lostSeqs.length > 0) notes.push(`Lost seqs: ${objects.lostSeqs.join(', ')}.`);
  if (objects.danglingReferences !== null)
    notes.push(
      `Dangling references: ${objects.danglingReferences} of ${objects.referencesChecked} referenced objects are ` +
        `missing from ${objects.destination.bucket}` +
        `${objects.danglingKeys.length > 0 ? ` (${objects.danglingKeys.slice(0, 5).join(', ')}…)` : ''}.`,
    );
  if (objects.note) notes.push(`Note: ${objects.note}.`);
  const rows = objects.lag.timeline.map((second) =>
    row(second.unreplicated > 0 ? 'missed' : '', [
      escapeHtml(`+${second.offsetS}s`),
      escapeHtml(second.maxLagMs === null ? '—' : formatDuration(second.maxLagMs)),
      escapeHtml(String(second.unreplicated)),
    ]),
  );
  const lag = rows.length > 0 ? table(['acknowledged in', 'longest replication lag', 'never replicated'], rows) : '';
  const body = notes.map((note) => `<p class="note">${escapeHtml(note)}</p>`).join('');
  return `<section id="objects"><h2>Object ledger (object RPO)</h2>${body}${lag}</section>`;
}

function sloSections(summary: RunSummary, charts: RenderedCharts): string {
  if (summary.slos.length === 0) {
    const none = '<p class="muted">The experiment declares no SLO, so no error budget was counted.</p>';
    return `<section id="slos"><h2>SLOs</h2>${none}</section>`;
  }
  const alertRows = summary.slos.flatMap((slo) =>
    slo.alerts.map((alert) =>
      row(alert.fired ? 'missed' : '', [
        escapeHtml(slo.name),
        escapeHtml(`${alert.long} / ${alert.short}`),
        `×${alert.factor}`,
        alert.fired ? `fired after ${escapeHtml(formatDuration(alert.firedAfterMs ?? 0))}` : 'would not fire',
      ]),
    ),
  );
  const sloRows = summary.slos.map((slo) =>
    row(metClass(slo.met), [
      escapeHtml(slo.name),
      `${escapeHtml(slo.sli)}${slo.thresholdMs !== null ? ` ≤ ${escapeHtml(formatDuration(slo.thresholdMs))}` : ''}`,
      `${slo.objective}% over ${escapeHtml(formatDuration(slo.windowMs))}`,
      `${slo.badEvents} of ${slo.events}`,
      slo.budgetConsumedPct === null ? 'not measured' : escapeHtml(formatPercent(slo.budgetConsumedPct)),
      slo.peakBurnRate === null ? '—' : `×${Number(slo.peakBurnRate.toPrecision(3))}`,
    ]),
  );
  const budget = charts.budget === null ? '' : `<figure class="chart" data-chart="budget">${charts.budget}</figure>`;
  const burn =
    charts.burn === null
      ? '<p class="muted">No burn-rate timeline: no requests were counted.</p>'
      : `<figure class="chart" data-chart="burn">${charts.burn}</figure>`;
  return `<section id="slos"><h2>SLOs and error budget</h2>
${table(['SLO', 'SLI', 'objective', 'bad requests', 'budget burned', 'peak burn'], sloRows)}
${budget}
${burn}
<h3>Would the pages have fired? (multi-window, multi-burn-rate alerts)</h3>
${table(['SLO', 'long / short window', 'factor', 'during this drill'], alertRows)}
${assumption(summary)}
</section>`;
}

function assumption(summary: RunSummary): string {
  const texts = [...new Set(summary.slos.map((slo) => slo.assumption))];
  return texts.map((text) => `<p class="assumption"><strong>Assumption:</strong> ${escapeHtml(text)}.</p>`).join('');
}

function faultTable(summary: RunSummary): string {
  if (summary.faults.length === 0)
    return '<section id="faults"><h2>Faults</h2><p class="muted">No fault was injected.</p></section>';
  const rows = summary.faults.map((fault) =>
    row(fault.error ? 'missed' : '', [
      escapeHtml(fault.name),
      escapeHtml(fault.kind),
      offsetText(fault.injectedAtMs),
      offsetText(fault.revertedAtMs),
      fault.activeMs === null ? '—' : escapeHtml(formatDuration(fault.activeMs)),
      `<code>${escapeHtml(fault.rollback)}</code>`,
      escapeHtml(fault.error ?? ''),
    ]),
  );
  const faults = table(['fault', 'kind', 'injected (+s)', 'reverted (+s)', 'active', 'rollback', 'error'], rows);
  return `<section id="faults"><h2>Faults</h2>${faults}</section>`;
}

function trafficTable(summary: RunSummary): string {
  const t = summary.traffic;
  const latency = (value: number | null) => (value === null ? '—' : `${value} ms`);
  const regions = Object.entries(t.regions)
    .map(([region, count]) => `${region} ${count}`)
    .join(', ');
  const servedBy = regions ? `; served by ${escapeHtml(regions)}` : '';
  const counts = row('', [
    String(t.requests),
    String(t.errors),
    formatRatio(t.successRatio),
    latency(t.latencyMs.p50),
    latency(t.latencyMs.p90),
    latency(t.latencyMs.p99),
    latency(t.latencyMs.max),
  ]);
  const periods = (
    [
      ['before the faults', t.latencyByPeriod.beforeFaults],
      ['while faults were active', t.latencyByPeriod.duringFaults],
      ['after the faults', t.latencyByPeriod.afterFaults],
    ] as const
  ).map(([name, period]) =>
    row('', [
      name,
      String(period.requests),
      latency(period.p50),
      latency(period.p90),
      latency(period.p99),
      latency(period.max),
    ]),
  );
  const byPeriod =
    t.latencyByPeriod.duringFaults.requests > 0
      ? table(['latency', 'requests', 'p50', 'p90', 'p99', 'max'], periods)
      : '';
  return `<section id="traffic"><h2>Traffic</h2><p><code>${escapeHtml(t.probe)}</code>: ${escapeHtml(t.url)} \
at ${t.rate}/s (open model)${servedBy}</p>
${table(['requests', 'errors', 'success', 'p50', 'p90', 'p99', 'max'], [counts])}${byPeriod}</section>`;
}

function offsetText(ms: number | null): string {
  return ms === null ? '—' : (ms / 1000).toFixed(2);
}

export function statusWord(status: RunSummary['status']): string {
  return status === 'running' ? 'UNFINISHED' : status.toUpperCase();
}

function metClass(met: boolean | null): string {
  return met === null ? 'unmeasured' : met ? 'met' : 'missed';
}

function metWord(met: boolean | null): string {
  return met === null ? 'not measured' : met ? 'yes' : 'NO';
}

export const styles = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body {
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: #263238;
  max-width: 980px;
  margin: 24px auto;
  padding: 0 20px;
  background: #fff;
}
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 26px 0 8px; border-bottom: 1px solid #eceff1; padding-bottom: 4px; }
h3 { font-size: 14px; margin: 16px 0 6px; }
.badge {
  display: inline-block;
  padding: 2px 8px;
  border-radius: 4px;
  color: #fff;
  font-size: 14px;
  vertical-align: 3px;
  background: #546e7a;
}
.badge.passed { background: #2e7d32; }
.badge.failed { background: #c62828; }
.badge.aborted { background: #ef6c00; }
.badge.error { background: #6a1b9a; }
.badge.halted { background: #37474f; }
table.notes td { white-space: pre-wrap; overflow-wrap: anywhere; }
tr.finding td:nth-child(3), tr.action td:nth-child(3) { color: #6a1b9a; font-weight: 700; }
.description { margin: 4px 0; color: #455a64; }
.facts, .muted, footer, .note { color: #607d8b; font-size: 12px; }
.plain {
  font-size: 17px;
  line-height: 1.5;
  background: #f5f7f8;
  border-left: 4px solid #1565c0;
  padding: 10px 14px;
  margin: 16px 0;
}
.reason { color: #455a64; font-size: 12px; margin: 0 0 8px; }
.journeys { font-size: 15px; margin: 6px 0; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 6px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eceff1; vertical-align: top; }
th { color: #546e7a; font-weight: 600; }
tr.missed td { background: #ffebee; } tr.missed td.met { color: #c62828; font-weight: 700; }
tr.met td.met { color: #2e7d32; font-weight: 700; } tr.unmeasured td.met { color: #ef6c00; font-weight: 700; }
figure.chart { margin: 8px 0; overflow-x: auto; } figure.chart svg { max-width: 100%; height: auto; }
.assumption { font-size: 12px; background: #fffde7; padding: 6px 10px; border-radius: 4px; }
code { font-size: 12px; background: #f5f7f8; padding: 0 3px; border-radius: 3px; word-break: break-all; }
footer { margin: 30px 0 10px; border-top: 1px solid #eceff1; padding-top: 8px; }
footer .evidence { margin: 0 0 4px; color: #37474f; }
.stale { color: #c62828; font-weight: 700; }
ul.formula { margin: 6px 0 10px; padding-left: 20px; } ul.formula code { word-break: normal; }
body.leadership { margin: 0 auto; max-width: 800px; }
body.leadership h2 { margin: 14px 0 6px; }
body.leadership .reason { display: none; }
@media print { body { margin: 0; max-width: none; } section { break-inside: avoid; } }
`;
