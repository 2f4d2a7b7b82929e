import { ExperimentValidationError } from '../../src/experiment/errors';
import { validateExperiment } from '../../src/experiment/validate';

/** Every problem the validator reports for `input`, as `path: message`; [] when it is valid. */
export function issuesOf(input: unknown): string[] {
  try {
    validateExperiment(input, 'x.ts');
  } catch (error) {
    if (error instanceof ExperimentValidationError)
      return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}
