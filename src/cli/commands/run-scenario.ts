import path from 'node:path';
import { formatPercent } from '../../analysis/format';
import type { ScenarioSummary } from '../../analysis/scenario-summary';
import { formatDuration } from '../../core/duration';
import { newRunId } from '../../engine/run-id';
import { reportFiles } from '../../report/files';
import type { ReportOutcome } from '../../report/reporter';
import { decisionText, rpoText, rtoText, statusText } from '../../report/scenario/words';
import { runScenario } from '../../scenario/run';
import type { Scenario } from '../../scenario/validate';
import { approver } from '../approve';
import { drillReporters } from '../drill-reporters';
import { operatorName, terminalAsk } from '../checkpoint-prompt';
import { ScenarioProgress } from '../scenario-progress';
import { interruptController } from '../signals';
import { shownPath } from '../shown-path';
import type { RunCommandOptions } from './run-options';

/**
 * `gameday run <scenario>`: the GameDay with live progress, checkpoints asked at the
 * terminal (or answered by --yes, or by `gameday approve`), Ctrl-C wired to the running
 * experiment's rollback; prints the day's result and returns its exit code.
 */
export async function runScenarioCommand(scenario: Scenario, options: RunCommandOptions): Promise<number> {
  const runId = newRunId(scenario.name);
  const runDir = path.resolve(options.out ?? path.join(options.reports, runId));
  // Built before anything starts: a notifier that cannot deliver (no SLACK_BOT_TOKEN) refuses the day.
  const files = drillReporters({ pdf: options.pdf, notify: options.notify, by: operatorName() }).scenario(
    runDir,
    scenario,
  );
  const ask = options.yes ? undefined : terminalAsk();
  const progress = new ScenarioProgress(runDir, { answers: options.yes ? 'yes-flag' : ask ? 'terminal' : 'approve' });
  const interrupt = interruptController((message) => progress.line(message));
  try {
    const result = await runScenario(scenario, {
      runId,
      runDir,
      signal: interrupt.signal,
      reporters: [progress.reporter(), ...files.reporters],
      stepReporters: (step) => [progress.stepReporter(step), ...files.stepReporters(step)],
      answerers: { yes: options.yes ? { by: operatorName() } : undefined, ask },
      approve: approver(options.approve, progress),
      consent: { yes: options.yes, ci: process.env.CI },
    });
    for (const problem of result.reports.problems) process.stderr.write(`gameday: ${problem}\n`);
    if (options.json) process.stdout.write(JSON.stringify(result.summary, null, 2) + '\n');
    else process.stdout.write(dayText(result.summary, result.reports));
    return interrupt.exitCode(result.status);
  } finally {
    interrupt.dispose();
  }
}

function dayText(summary: ScenarioSummary, reports: ReportOutcome): string {
  const lines = [`${statusText(summary.status)}  GameDay ${summary.scenario}: ${summary.reason}`];
  const took = summary.durationMs === null ? 'unfinished' : formatDuration(summary.durationMs);
  lines.push(`  day ${took} (agenda ${formatDuration(summary.expectedMs)} + decisions), ${summary.steps.length} steps`);
  for (const step of summary.steps) {
    const label = `  step ${String(step.step).padStart(2)} ${step.kind.padEnd(10)}`;
    const took = step.actual?.ms == null ? '' : ` (${formatDuration(step.actual.ms)})`;
    if (step.kind === 'experiment') {
      const experiment = summary.experiments.find((entry) => entry.step === step.step)!;
      const figures = experiment.status === 'skipped' ? '' : `: RTO ${rtoText(experiment)}; RPO ${rpoText(experiment)}`;
      lines.push(`${label} ${statusText(experiment.status)} ${step.name}${took}${figures}`);
    } else if (step.kind === 'checkpoint') {
      const checkpoint = summary.checkpoints.find((entry) => entry.step === step.step)!;
      lines.push(
        `${label} ${step.status === 'skipped' ? 'SKIPPED ' : ''}${step.name}: ${decisionText(checkpoint, true)}`,
      );
    } else if (step.kind === 'check' && step.status !== 'skipped')
      lines.push(`${label} ${statusText(step.status)} ${step.name}${took}: ${step.reason ?? ''}`);
    else lines.push(`${label} ${step.status === 'skipped' ? 'SKIPPED ' : ''}${step.name}${took}`);
  }
  for (const total of summary.budget)
    lines.push(
      `  budget ${total.slo}: ${formatPercent(total.budgetConsumedPct)} over the day ` +
        `(${total.experiments} experiment${total.experiments === 1 ? '' : 's'})`,
    );
  for (const objective of summary.objectives)
    lines.push(
      `  objective ${objective.text}: ${objective.measured} ` +
        `(${objective.met === null ? 'not measured' : objective.met ? 'met' : 'MISSED'})`,
    );
  const written = [reportFiles.html, reportFiles.markdown, reportFiles.pdf, reportFiles.junit].filter((file) =>
    reports.written.includes(path.join(summary.runDir, file)),
  );
  if (written.length > 0) {
    const others = written.length > 1 ? ` (also ${written.slice(1).join(', ')})` : '';
    lines.push(
      `  report ${shownPath(path.join(summary.runDir, written[0]))}${others}; each experiment's in its run dir`,
    );
  }
  return lines.join('\n') + '\n';
}
