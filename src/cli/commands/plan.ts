import { planExperiment } from '../../engine/plan';
import { loadExperiment } from '../../experiment/loader';

export function planCommand(file: string, options: { json: boolean }): number {
  const experiment = loadExperiment(file);
  const steps = planExperiment(experiment);
  if (options.json) {
    process.stdout.write(
      JSON.stringify(
        { experiment: experiment.name, file: experiment.file, durationMs: experiment.duration, steps },
        null,
        2,
      ) + '\n',
    );
    return 0;
  }
  process.stdout.write(`plan for ${experiment.name} (${experiment.file}); nothing has been run\n\n`);
  for (const step of steps) {
    const at = `${step.atMs < 0 ? '-' : '+'}${(Math.abs(step.atMs) / 1000).toFixed(1)}s`.padStart(8);
    process.stdout.write(`${at}  ${step.phase.padEnd(12)} ${step.action}\n`);
  }
  return 0;
}
