import path from 'node:path';
import { formatDuration } from '../../core/duration';
import { dayOffset, formatPercent } from '../../analysis/format';
import type { ScenarioSummary } from '../../analysis/scenario-summary';
import { budgetText, dayInWords, decisionText, rpoText, rtoText, statusText } from './words';

/**
 * The day's report.md: what the facilitator circulates after a GameDay. Everything comes
 * from the day's summary; each experiment's own report.md, one link away, has the rest.
 */
export function renderScenarioMarkdown(summary: ScenarioSummary): string {
  const lines: string[] = [];
  lines.push(`# GameDay: ${summary.scenario} — ${statusText(summary.status)}`, '');
  if (summary.description) lines.push(`> ${summary.description}`, '');
  lines.push(`**Result:** ${statusText(summary.status)} — ${summary.reason}`, '');
  lines.push(dayInWords(summary), '');
  const took = summary.durationMs === null ? 'unfinished' : formatDuration(summary.durationMs);
  lines.push(`- Run: \`${summary.runId}\` (${summary.startedAt}, ${took})`);
  lines.push(`- Scenario file: \`${summary.file}\``);
  lines.push(`- Target: ${summary.target.kind}${summary.target.ephemeral === true ? ' (ephemeral, for the day)' : ''}`);
  if (summary.tags.length > 0) lines.push(`- Tags: ${summary.tags.join(', ')}`);
  lines.push('');

  if (summary.participants.length > 0) {
    lines.push('## Participants', '', '| name | role | Slack |', '|---|---|---|');
    for (const person of summary.participants)
      lines.push(`| ${cell(person.name)} | ${person.role} | ${person.slack ?? ''} |`);
    lines.push('');
  }

  lines.push('## Objectives of the day', '');
  if (summary.objectives.length === 0) lines.push('The scenario declares no objective: nothing was judged.', '');
  else {
    lines.push('| objective | measured | met |', '|---|---|---|');
    for (const objective of summary.objectives)
      lines.push(`| ${objective.text} | ${cell(objective.measured)} | ${mark(objective.met)} |`);
    lines.push('');
  }

  lines.push('## Agenda and what happened', '');
  lines.push('| step | kind | name | planned start | started | expected | took | outcome |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const step of summary.steps) {
    const actual = step.actual;
    const expected = step.kind === 'checkpoint' ? '—' : formatDuration(step.planned.ms);
    const took = actual?.ms == null ? '—' : formatDuration(actual.ms);
    lines.push(
      `| ${step.step} | ${step.kind} | ${cell(step.name)} | ${dayOffset(step.planned.atMs)} | ` +
        `${dayOffset(actual?.atMs ?? null)} | ${expected} | ${took} | ${statusText(step.status)} |`,
    );
  }
  lines.push('');
  const said = summary.steps.filter((step) => step.kind === 'note');
  for (const note of said) lines.push(`- Step ${note.step}, said to the team: ${note.detail}`);
  if (said.length > 0) lines.push('');

  lines.push('## Experiments', '');
  lines.push('| step | experiment | verdict | RTO | RPO | budget burned | report |', '|---|---|---|---|---|---|---|');
  for (const experiment of summary.experiments) {
    const report = experiment.runDir ? `[report](${path.posix.join(experiment.runDir, 'report.md')})` : '—';
    const lenient = experiment.continueOnFailure ? ' (continues on failure)' : '';
    lines.push(
      `| ${experiment.step} | ${cell(experiment.name)}${lenient} | ${statusText(experiment.status)} | ` +
        `${cell(rtoText(experiment))} | ${cell(rpoText(experiment))} | ${cell(budgetText(experiment))} | ${report} |`,
    );
  }
  lines.push('');
  for (const experiment of summary.experiments)
    if (experiment.reason) lines.push(`- Step ${experiment.step} (${experiment.name}): ${experiment.reason}`);
  lines.push('');

  if (summary.budget.length > 0) {
    lines.push('## Error budget burned by the day', '');
    lines.push('| SLO | window | burned (every experiment added up) | experiments |', '|---|---|---|---|');
    for (const total of summary.budget)
      lines.push(
        `| ${cell(total.slo)} | ${total.windowMs === null ? 'mixed' : formatDuration(total.windowMs)} | ` +
          `${formatPercent(total.budgetConsumedPct)} | ${total.experiments} |`,
      );
    lines.push('');
  }

  if (summary.checkpoints.length > 0) {
    lines.push('## Go/no-go decisions', '', '| step | question | decision |', '|---|---|---|');
    const dayOver = summary.status !== 'running';
    for (const checkpoint of summary.checkpoints)
      lines.push(`| ${checkpoint.step} | ${cell(checkpoint.question)} | ${cell(decisionText(checkpoint, dayOver))} |`);
    lines.push('');
  }

  if (summary.errors.length > 0) {
    lines.push('## Errors', '');
    for (const error of summary.errors) lines.push(`- ${error}`);
    lines.push('');
  }

  lines.push('## Timeline', '', '| at | event |', '|---|---|');
  for (const entry of summary.timeline) lines.push(`| ${dayOffset(entry.offsetMs)} | ${cell(entry.event)} |`);
  lines.push('');
  return lines.join('\n');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function mark(met: boolean | null): string {
  return met === null ? 'not measured' : met ? 'yes' : '**no**';
}
