import { GamedayError } from '../core/errors';
/** One problem in an experiment (or scenario) file: where it is and what is valid. */
export interface ExperimentIssue {
  file: string;
  /** Field path like `faults[0].duration`; empty for the file as a whole. */
  path: string;
  message: string;
}

/**
 * The file is invalid; nothing may run. The CLI maps this to exit code 2. `subject` is what
 * was being read: a scenario's problems include those of the experiment files it names.
 */
export class ExperimentValidationError extends GamedayError {
  constructor(
    readonly issues: ExperimentIssue[],
    readonly subject: 'experiment' | 'scenario' = 'experiment',
  ) {
    super(issues.map(formatIssue).join('\n'));
  }
}

export function formatIssue(issue: ExperimentIssue): string {
  return issue.path ? `${issue.file}: ${issue.path}: ${issue.message}` : `${issue.file}: ${issue.message}`;
}
