import path from 'node:path';
import { formatDuration } from '../../core/duration';
import { answerCheckpoint, CheckpointError } from '../../scenario/approve';
import { latestScenarioRunDir } from '../../scenario/run-dirs';
import { operatorName } from '../checkpoint-prompt';
import { exitCodes } from '../exit-codes';
import { UsageError } from '../output';
import { shownPath } from '../shown-path';

export interface ApproveCommandOptions {
  /** --no: the answer is no, and the day ends. */
  no: boolean;
  /** Who answers; default: this terminal's user. */
  as?: string;
  reports: string;
}

/** `gameday approve <run|latest> [--no] [--as NAME]`: answers the checkpoint a running GameDay waits at. */
export async function approveCommand(run: string, options: ApproveCommandOptions): Promise<number> {
  const runDir = run === 'latest' ? latestScenarioRunDir(options.reports) : path.resolve(run);
  if (runDir === null) throw new UsageError(`latest: no GameDay run directory under ${options.reports}`);
  const answer = options.no ? 'no' : 'yes';
  const by = options.as ?? operatorName();
  const answered = await answerCheckpoint(runDir, { answer, by }).catch((error: unknown) => {
    throw error instanceof CheckpointError ? new UsageError(error.message) : error;
  });
  process.stdout.write(
    `${shownPath(runDir)}: step ${answered.step} answered ${answered.answer} by ${answered.by} ` +
      `(${formatDuration(answered.decisionMs)} after it was asked)` +
      `${answered.answer === 'no' ? '; the day ends there' : '; the day goes on'}\n`,
  );
  return exitCodes.passed;
}
