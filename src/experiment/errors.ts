import { GamedayError } from '../core/errors';
/** One problem in an experiment file: where it is and what is valid. */
export interface ExperimentIssue {
  file: string;
  /** Field path like `faults[0].duration`; empty for the file as a whole. */
  path: string;
  message: string;
}

/** The experiment file is invalid; nothing may run. The CLI maps this to exit code 2. */
export class ExperimentValidationError extends GamedayError {
  constructor(readonly issues: ExperimentIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

export function formatIssue(issue: ExperimentIssue): string {
  return issue.path ? `${issue.file}: ${issue.path}: ${issue.message}` : `${issue.file}: ${issue.message}`;
}
