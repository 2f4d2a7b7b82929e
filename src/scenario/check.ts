import { checkTargetReadiness, type ReadinessReport } from '../engine/readiness';
import type { Experiment } from '../experiment/validate';
import type { Target } from '../targets';
import { loadDefinition, type Definition } from './loader';

/** A readiness report for a file: whose experiments it holds the target to. */
export interface FileReadiness extends ReadinessReport {
  file: string;
  /** The experiment's name, or the GameDay's. */
  name: string;
  experiments: string[];
}

/**
 * The readiness of the target an experiment or a GameDay file names, for its experiments
 * (a GameDay's: every experiment step): what `gameday check <file>` prints, and what a
 * schedule's precondition can ask before it starts a drill. Throws ExperimentValidationError
 * for an invalid file, ReadinessError for a target without regions, and what opening the
 * target throws (target busy, an account not on the allow-list).
 */
export async function checkFileReadiness(
  file: string,
  options: { onProgress?: (message: string) => void } = {},
): Promise<FileReadiness> {
  return checkDefinitionReadiness(loadDefinition(file), options);
}

export async function checkDefinitionReadiness(
  definition: Definition,
  options: { onProgress?: (message: string) => void } = {},
): Promise<FileReadiness> {
  const { target, experiments, name, file } = subjectOf(definition);
  const report = await checkTargetReadiness(target, experiments, { label: name, onProgress: options.onProgress });
  return { ...report, file, name, experiments: experiments.map((experiment) => experiment.name) };
}

function subjectOf(definition: Definition): { target: Target; experiments: Experiment[]; name: string; file: string } {
  if (definition.kind === 'experiment') {
    const { experiment } = definition;
    return { target: experiment.target, experiments: [experiment], name: experiment.name, file: experiment.file };
  }
  const { scenario } = definition;
  const experiments = scenario.steps.flatMap((step) => (step.kind === 'experiment' ? [step.experiment] : []));
  return { target: scenario.target, experiments, name: scenario.name, file: scenario.file };
}
