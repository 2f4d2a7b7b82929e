import { planExperiment } from '../../engine/plan';
import { loadDefinition } from '../../scenario/loader';
import type { Experiment } from '../../experiment/validate';
import { timelineLine } from './plan-line';
import { printScenarioPlan } from './plan-scenario';

/** `gameday plan <file>`: an experiment's timeline, or a GameDay's agenda; runs nothing. */
export function planCommand(file: string, options: { json: boolean }): number {
  const definition = loadDefinition(file);
  if (definition.kind === 'scenario') return printScenarioPlan(definition.scenario, options);
  return printExperimentPlan(definition.experiment, options);
}

function printExperimentPlan(experiment: Experiment, options: { json: boolean }): number {
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
  for (const step of steps) process.stdout.write(`${timelineLine(step)}\n`);
  return 0;
}
