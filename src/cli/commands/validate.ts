import { formatDuration } from '../../core/duration';
import { ExperimentValidationError } from '../../experiment/errors';
import { loadExperiment } from '../../experiment/loader';
import { exitCodes } from '../exit-codes';
import { reportFailure } from '../output';

/** Checks every file given (not just up to the first bad one) and reports each. */
export function validateCommand(files: string[]): number {
  let exitCode: number = exitCodes.passed;
  for (const file of files) {
    try {
      const experiment = loadExperiment(file);
      const faultCount = experiment.faults.length;
      process.stdout.write(
        `OK ${experiment.file}: ${experiment.name} (${faultCount} ` +
          `fault${faultCount === 1 ? '' : 's'}, ${formatDuration(experiment.duration)})\n`,
      );
    } catch (error) {
      if (!(error instanceof ExperimentValidationError)) throw error;
      exitCode = reportFailure(error);
    }
  }
  return exitCode;
}
