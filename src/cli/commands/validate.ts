import { loadExperiment } from '../../experiment/loader';
import { formatDuration } from '../../experiment/duration';

export function validateCommand(files: string[]): number {
  for (const file of files) {
    const experiment = loadExperiment(file);
    process.stdout.write(
      `OK ${experiment.file}: ${experiment.name} (${experiment.faults.length} fault${experiment.faults.length === 1 ? '' : 's'}, ${formatDuration(experiment.duration)})\n`,
    );
  }
  return 0;
}
