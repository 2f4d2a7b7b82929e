import path from 'node:path';
import { formatDuration } from '../../core/duration';
import { gamedayVersion } from '../../core/version';
import { dayOffset, formatPercent } from '../../analysis/format';
import type { ScenarioSummary } from '../../analysis/scenario-summary';
import { escapeHtml, evidenceLine, row, table } from '../html/markup';
import { htmlDocument } from '../html/page';
import { budgetText, dayInWords, decisionText, rpoText, rtoText, statusText } from './words';

/**
 * The day's report.html, self-contained like a run's (inline CSS and SVG, nothing loaded),
 * each experiment linked to its own report.html in its run directory. `leadership` is the
 * one-page variant the PDF is printed from: the words, the objectives, the experiments,
 * the decisions and the agenda chart.
 */
export function renderScenarioPage(
  summary: ScenarioSummary,
  agendaSvg: string | null,
  variant: 'full' | 'leadership' = 'full',
  evidence: string | null = null,
): string {
  const sections =
    variant === 'leadership'
      ? [objectivesSection(summary), experimentsSection(summary, false), checkpointsSection(summary), chart(agendaSvg)]
      : [
          objectivesSection(summary),
          chart(agendaSvg),
          agendaSection(summary),
          experimentsSection(summary, true),
          budgetSection(summary),
          checkpointsSection(summary),
          participantsSection(summary),
          timelineSection(summary),
        ];
  const body = [
    header(summary),
    `<p class="plain">${escapeHtml(dayInWords(summary))}</p>`,
    ...sections,
    `<footer>${evidenceLine(evidence)}gameday ${escapeHtml(gamedayVersion)} · GameDay ${escapeHtml(summary.runId)} ` +
      `· rendered from the day's journal; each experiment's full report is in its own run directory; ` +
      'this page loads nothing from the network.</footer>',
  ];
  return htmlDocument(`GameDay: ${summary.scenario} — ${statusText(summary.status)}`, body.join('\n'), variant);
}

function header(summary: ScenarioSummary): string {
  const facts = [
    `GameDay <code>${escapeHtml(summary.runId)}</code>`,
    escapeHtml(summary.startedAt),
    summary.durationMs === null ? 'unfinished' : escapeHtml(formatDuration(summary.durationMs)),
    `expected ${escapeHtml(formatDuration(summary.expectedMs))} + decisions`,
    `target ${escapeHtml(summary.target.kind)}`,
    `file <code>${escapeHtml(summary.file)}</code>`,
  ];
  const badge = summary.status === 'running' ? 'running' : summary.status;
  return `<header>
<h1><span class="badge ${badge}">${statusText(summary.status)}</span> ${escapeHtml(summary.scenario)}</h1>
${summary.description ? `<p class="description">${escapeHtml(summary.description)}</p>` : ''}
<p class="facts">${facts.join(' · ')}</p>
</header>`;
}

function objectivesSection(summary: ScenarioSummary): string {
  const reason = `<p class="reason">${escapeHtml(summary.reason)}</p>`;
  if (summary.objectives.length === 0)
    return (
      `<section id="objectives"><h2>Objectives of the day</h2>${reason}` +
      '<p class="muted">The scenario declares no objective: nothing was judged.</p></section>'
    );
  const rows = summary.objectives.map((objective) =>
    row(metClass(objective.met), [
      escapeHtml(objective.text),
      escapeHtml(objective.measured),
      { html: objective.met === null ? 'not measured' : objective.met ? 'yes' : 'NO', className: 'met' },
    ]),
  );
  return (
    `<section id="objectives"><h2>Verdict: ${statusText(summary.status)}</h2>${reason}` +
    `${table(['objective of the day', 'measured', 'met'], rows, 'verdict')}</section>`
  );
}

function chart(svg: string | null): string {
  const content =
    svg === null
      ? '<p class="muted">The agenda chart could not be drawn.</p>'
      : `<figure class="chart" data-chart="agenda">${svg}</figure>`;
  return `<section id="agenda-chart"><h2>Agenda and what happened</h2>${content}</section>`;
}

function agendaSection(summary: ScenarioSummary): string {
  const rows = summary.steps.map((step) =>
    row(stepClass(step.status), [
      String(step.step),
      escapeHtml(step.kind),
      escapeHtml(step.name) + (step.detail && step.detail !== step.name ? muted(step.detail) : ''),
      dayOffset(step.planned.atMs),
      dayOffset(step.actual?.atMs ?? null),
      step.kind === 'checkpoint' ? '—' : escapeHtml(formatDuration(step.planned.ms)),
      step.actual?.ms == null ? '—' : escapeHtml(formatDuration(step.actual.ms)),
      { html: escapeHtml(statusText(step.status)), className: 'met' },
    ]),
  );
  const headers = ['step', 'kind', 'name', 'planned', 'started', 'expected', 'took', 'outcome'];
  return `<section id="agenda"><h2>Steps</h2>${table(headers, rows)}</section>`;
}

function experimentsSection(summary: ScenarioSummary, withReasons: boolean): string {
  const rows = summary.experiments.map((experiment) => {
    const link = experiment.runDir
      ? `<a href="${escapeHtml(path.posix.join(experiment.runDir, 'report.html'))}">report</a>`
      : '—';
    const lenient = experiment.continueOnFailure ? ' <span class="muted">(continues on failure)</span>' : '';
    const name = escapeHtml(experiment.name) + lenient;
    const reason = withReasons && experiment.reason ? muted(experiment.reason) : '';
    return row(stepClass(experiment.status), [
      String(experiment.step),
      name + reason,
      { html: escapeHtml(statusText(experiment.status)), className: 'met' },
      escapeHtml(rtoText(experiment)),
      escapeHtml(rpoText(experiment)),
      escapeHtml(budgetText(experiment)),
      link,
    ]);
  });
  const headers = ['step', 'experiment', 'verdict', 'RTO', 'RPO', 'budget burned', 'report'];
  return `<section id="experiments"><h2>Experiments</h2>${table(headers, rows)}</section>`;
}

function budgetSection(summary: ScenarioSummary): string {
  if (summary.budget.length === 0)
    return (
      '<section id="budget"><h2>Error budget</h2>' +
      '<p class="muted">No experiment of the day measured an SLO.</p></section>'
    );
  const rows = summary.budget.map((total) =>
    row('', [
      escapeHtml(total.slo),
      total.windowMs === null ? 'mixed windows' : escapeHtml(formatDuration(total.windowMs)),
      escapeHtml(formatPercent(total.budgetConsumedPct)),
      String(total.experiments),
    ]),
  );
  return (
    '<section id="budget"><h2>Error budget burned by the day</h2>' +
    table(['SLO', 'window', 'burned (every experiment added up)', 'experiments'], rows) +
    '</section>'
  );
}

function checkpointsSection(summary: ScenarioSummary): string {
  if (summary.checkpoints.length === 0) return '';
  const rows = summary.checkpoints.map((checkpoint) =>
    row(checkpoint.answer === 'no' ? 'missed' : checkpoint.answer === 'yes' ? 'met' : 'unmeasured', [
      String(checkpoint.step),
      escapeHtml(checkpoint.question),
      escapeHtml(decisionText(checkpoint, summary.status !== 'running')),
    ]),
  );
  const decisions = table(['step', 'question', 'decision'], rows);
  return `<section id="checkpoints"><h2>Go/no-go decisions</h2>${decisions}</section>`;
}

function participantsSection(summary: ScenarioSummary): string {
  if (summary.participants.length === 0) return '';
  const rows = summary.participants.map((person) =>
    row('', [escapeHtml(person.name), escapeHtml(person.role), escapeHtml(person.slack ?? '')]),
  );
  return `<section id="participants"><h2>Participants</h2>${table(['name', 'role', 'Slack'], rows)}</section>`;
}

function timelineSection(summary: ScenarioSummary): string {
  const rows = summary.timeline.map((entry) => row('', [dayOffset(entry.offsetMs), escapeHtml(entry.event)]));
  return `<section id="timeline"><h2>Timeline</h2>${table(['at', 'event'], rows)}</section>`;
}

/** A second line in a cell, for what the first says in short. */
function muted(text: string): string {
  return `<br><span class="muted">${escapeHtml(text)}</span>`;
}

function metClass(met: boolean | null): string {
  return met === null ? 'unmeasured' : met ? 'met' : 'missed';
}

function stepClass(status: string): string {
  if (status === 'passed' || status === 'done') return 'met';
  if (status === 'skipped' || status === 'pending' || status === 'running') return 'unmeasured';
  return 'missed';
}
