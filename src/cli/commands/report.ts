import fs from 'node:fs';
import path from 'node:path';
import { evidenceFileName } from '../../report/file-names';
import { formatDuration } from '../../core/duration';
import { writeHistory } from '../../report/history';
import { scoreText } from '../../report/history-score';
import { NotARunError, rerenderRun } from '../../report/rerender';
import { rerenderScenario } from '../../report/scenario/rerender';
import { scenarioStart } from '../../scenario/run-dirs';
import { exitCodes } from '../exit-codes';
import { UsageError } from '../output';
import { shownPath } from '../shown-path';

export interface ReportCommandOptions {
  history?: string;
  out?: string;
  pdf: boolean;
  json: boolean;
}

/**
 * `gameday report <run-dir>`: every report rebuilt from the run's journal;
 * `gameday report --history <dir>`: the trend page across the runs in a directory.
 */
export async function reportCommand(runDir: string | undefined, options: ReportCommandOptions): Promise<number> {
  if (options.history !== undefined) {
    if (runDir !== undefined) throw new UsageError('give a run directory or --history <dir>, not both');
    if (!fs.existsSync(options.history) || !fs.statSync(options.history).isDirectory())
      throw new UsageError(
        `--history: ${options.history} is not a directory (expected the directory run directories ` +
          `are created in, e.g. reports/)`,
      );
    const { history, files } = await writeHistory(options.history, options.out);
    if (options.json) process.stdout.write(JSON.stringify(history, null, 2) + '\n');
    else {
      const runs = history.experiments.reduce((sum, group) => sum + group.runs.length, 0);
      process.stdout.write(
        `history of ${runs} run${runs === 1 ? '' : 's'} (${history.experiments.length} ` +
          `experiment${history.experiments.length === 1 ? '' : 's'})\n`,
      );
      for (const service of history.services) {
        const stale = service.evidence.filter((entry) => entry.stale).length;
        const parts = (['rto', 'rpo', 'budget'] as const)
          .filter((metric) => service.byObjective[metric] !== null)
          .map(
            (metric) =>
              `${metric === 'budget' ? 'budget' : metric.toUpperCase()} ${scoreText(service.byObjective[metric])}`,
          );
        process.stdout.write(
          `  score ${service.service}${service.tagged ? '' : ' (untagged)'}: ${scoreText(service.score)}` +
            `${parts.length > 0 ? ` (${parts.join(', ')})` : ''}${stale > 0 ? `; ${stale} stale` : ''}\n`,
        );
      }
      for (const file of files) process.stdout.write(`  ${shownPath(file)}\n`);
      for (const group of history.experiments.filter((entry) => entry.stale)) {
        const latest = group.runs[group.runs.length - 1].startedAt;
        process.stdout.write(
          `  stale: ${group.experiment}: its latest drill ran ${latest}, longer ago than its staleAfter ` +
            `${formatDuration(group.staleAfterMs!)}\n`,
        );
      }
    }
    for (const entry of history.skipped) process.stderr.write(`gameday: skipped ${entry.dir}: ${entry.reason}\n`);
    return exitCodes.passed;
  }
  if (runDir === undefined)
    throw new UsageError('name a run directory (gameday report reports/<run-id>) or --history <dir>');
  if (options.out !== undefined)
    throw new UsageError("--out goes with --history; a run's reports are written into its run directory");
  // A GameDay's directory holds the day's journal; its experiments' runs are directories inside it.
  const rerender = scenarioStart(runDir) ? rerenderScenario : rerenderRun;
  const sealed = fs.existsSync(path.join(runDir, evidenceFileName));
  const { summary, reports } = await rerender(runDir, { pdf: options.pdf }).catch((error: unknown) => {
    throw error instanceof NotARunError ? new UsageError(error.message) : error;
  });
  for (const problem of reports.problems)
    process.stderr.write(`gameday: ${problem}${problem.startsWith('report.pdf') ? ' (or pass --no-pdf)' : ''}\n`);
  // The evidence vouches for the reports as the run wrote them; a re-render is not that.
  if (sealed)
    process.stderr.write(
      `gameday: note: ${evidenceFileName} kept as the run sealed it; gameday verify names each report this ` +
        're-render changed\n',
    );
  if (options.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  else for (const file of reports.written) process.stdout.write(`wrote ${shownPath(file)}\n`);
  return reports.problems.length > 0 ? exitCodes.error : exitCodes.passed;
}
