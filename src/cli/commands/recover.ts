import path from 'node:path';
import { RecoverError, recoverRun, runDirsUnder } from '../../engine/recover';
import { exitCodes } from '../exit-codes';
import { UsageError } from '../output';

export interface RecoverCommandOptions {
  all: boolean;
  reports: string;
  json: boolean;
}

/** `gameday recover [RUN_DIR..] [--all]`: undo what dead runs left injected. */
export async function recoverCommand(runDirs: string[], options: RecoverCommandOptions): Promise<number> {
  const dirs = options.all ? runDirsUnder(options.reports) : runDirs.map((dir) => path.resolve(dir));
  if (dirs.length === 0) {
    throw new UsageError(
      options.all
        ? `no run directories under ${options.reports}`
        : 'name run directories (reports/<run-id>) or pass --all',
    );
  }
  const reports = [];
  for (const dir of dirs) {
    try {
      reports.push(await recoverRun(dir));
    } catch (error) {
      if (error instanceof RecoverError) throw new UsageError(error.message);
      throw error;
    }
  }
  if (options.json) process.stdout.write(JSON.stringify(reports, null, 2) + '\n');
  else {
    for (const report of reports) {
      const name = path.relative(process.cwd(), report.runDir) || report.runDir;
      if (report.releasedLock) process.stdout.write(`${name}: released its stale lock ${report.releasedLock}\n`);
      if (report.running) process.stdout.write(`${name}: ${report.note}\n`);
      else if (report.clean) process.stdout.write(`${name}: nothing to recover\n`);
      else {
        for (const fault of report.faults) {
          process.stdout.write(
            `${name}: ${fault.ok ? 'reverted' : 'FAILED to revert'} ${fault.fault} ` +
              `(${fault.rollback})${fault.error ? `: ${fault.error}` : ''}\n`,
          );
        }
      }
    }
  }
  return reports.every((report) => report.faults.every((fault) => fault.ok)) ? 0 : exitCodes.error;
}
