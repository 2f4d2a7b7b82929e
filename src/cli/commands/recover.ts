import path from 'node:path';
import { RecoverError, recoverRun, runDirsUnder, type RecoverReport } from '../../engine/recover';
import { recoverScenario, type ScenarioRecoverReport } from '../../scenario/recover';
import { scenarioStart } from '../../scenario/run-dirs';
import { exitCodes } from '../exit-codes';
import { UsageError } from '../output';

export interface RecoverCommandOptions {
  all: boolean;
  reports: string;
  json: boolean;
}

/** `gameday recover [RUN_DIR..] [--all]`: undo what dead runs (and dead GameDays' experiments) left injected. */
export async function recoverCommand(runDirs: string[], options: RecoverCommandOptions): Promise<number> {
  const dirs = options.all ? runDirsUnder(options.reports) : runDirs.map((dir) => path.resolve(dir));
  if (dirs.length === 0) {
    throw new UsageError(
      options.all
        ? `no run directories under ${options.reports}`
        : 'name run directories (reports/<run-id>) or pass --all',
    );
  }
  const reports: Array<RecoverReport | ScenarioRecoverReport> = [];
  for (const dir of dirs) {
    try {
      reports.push(scenarioStart(dir) ? await recoverScenario(dir) : await recoverRun(dir));
    } catch (error) {
      if (error instanceof RecoverError) throw new UsageError(error.message);
      throw error;
    }
  }
  const runs = reports.flatMap((report) => ('runs' in report ? report.runs : [report]));
  if (options.json) process.stdout.write(JSON.stringify(reports, null, 2) + '\n');
  else {
    for (const report of reports) {
      if (!('runs' in report)) {
        printRun(report);
        continue;
      }
      const name = path.relative(process.cwd(), report.runDir) || report.runDir;
      if (report.releasedLock) process.stdout.write(`${name}: released its stale lock ${report.releasedLock}\n`);
      if (report.running) process.stdout.write(`${name}: ${report.note}\n`);
      else if (report.runs.length === 0) process.stdout.write(`${name}: no experiment of the day had started\n`);
      for (const run of report.runs) printRun(run);
    }
  }
  return runs.every((report) => report.faults.every((fault) => fault.ok)) ? 0 : exitCodes.error;
}

function printRun(report: RecoverReport): void {
  const name = path.relative(process.cwd(), report.runDir) || report.runDir;
  if (report.releasedLock) process.stdout.write(`${name}: released its stale lock ${report.releasedLock}\n`);
  if (report.running) process.stdout.write(`${name}: ${report.note}\n`);
  else if (report.clean) process.stdout.write(`${name}: nothing to recover\n`);
  else
    for (const fault of report.faults)
      process.stdout.write(
        `${name}: ${fault.ok ? 'reverted' : 'FAILED to revert'} ${fault.fault} ` +
          `(${fault.rollback})${fault.error ? `: ${fault.error}` : ''}\n`,
      );
}
