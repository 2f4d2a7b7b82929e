import { errorMessage } from '../core/errors';
import { ExperimentValidationError, formatIssue } from '../experiment/errors';
import { exitCodes } from './exit-codes';
import { ConsentRequiredError } from '../engine/guardrails';
import { GamedayError } from '../core/errors';
import { NotifySetupError } from '../notify';

/** Thrown by commands for a bad invocation (exit 2), printed without a stack. */
export class UsageError extends GamedayError {}

/**
 * The one place that turns failures into messages and exit codes. Known errors get a
 * clear message and no stack; only a bug in gameday shows a stack (with GAMEDAY_DEBUG).
 */
export function reportFailure(error: unknown): number {
  if (error instanceof ExperimentValidationError) {
    const count = error.issues.length;
    process.stderr.write(`invalid ${error.subject} (${count} problem${count === 1 ? '' : 's'}):\n`);
    for (const issue of error.issues) process.stderr.write(`  ${formatIssue(issue)}\n`);
    return exitCodes.invalid;
  }
  if (error instanceof NotifySetupError) {
    const count = error.problems.length;
    process.stderr.write(
      `gameday: cannot notify as asked (${count} problem${count === 1 ? '' : 's'}); nothing was run:\n`,
    );
    for (const problem of error.problems) process.stderr.write(`  ${problem.where}: ${problem.message}\n`);
    process.stderr.write('  (--no-notify runs without notifying anyone)\n');
    return exitCodes.invalid;
  }
  if (error instanceof UsageError || error instanceof ConsentRequiredError) {
    process.stderr.write(`gameday: ${error.message}\n`);
    return exitCodes.invalid;
  }
  const message = errorMessage(error);
  process.stderr.write(`gameday: error: ${message}\n`);
  if (process.env.GAMEDAY_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return exitCodes.error;
}
