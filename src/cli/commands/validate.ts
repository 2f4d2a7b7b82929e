import { formatDuration } from '../../core/duration';
import { ExperimentValidationError } from '../../experiment/errors';
import { loadDefinition } from '../../scenario/loader';
import { planScenario } from '../../scenario/plan';
import type { Scenario } from '../../scenario/validate';
import { exitCodes } from '../exit-codes';
import { reportFailure } from '../output';

/** Checks every file given (not just up to the first bad one), experiment or scenario, and reports each. */
export function validateCommand(files: string[]): number {
  let exitCode: number = exitCodes.passed;
  for (const file of files) {
    try {
      const definition = loadDefinition(file);
      if (definition.kind === 'scenario') {
        process.stdout.write(`OK ${definition.scenario.file}: ${scenarioLine(definition.scenario)}\n`);
        continue;
      }
      const experiment = definition.experiment;
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

/** 'GameDay x (9 steps: 4 experiments, 3 checkpoints, 1 wait, 1 note; expected 2m40s plus decisions)'. */
function scenarioLine(scenario: Scenario): string {
  const counts = new Map<string, number>();
  for (const step of scenario.steps) counts.set(step.kind, (counts.get(step.kind) ?? 0) + 1);
  const kinds = [...counts].map(([kind, count]) => `${count} ${kind}${count === 1 ? '' : 's'}`).join(', ');
  const plan = planScenario(scenario);
  const decisions = plan.checkpoints > 0 ? ' plus decisions' : '';
  return (
    `GameDay ${scenario.name} (${scenario.steps.length} step${scenario.steps.length === 1 ? '' : 's'}: ${kinds}; ` +
    `expected ${formatDuration(plan.expectedMs)}${decisions})`
  );
}
