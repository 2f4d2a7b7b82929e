import { displayPath, loadDefaultExport } from '../experiment/loader';
import { validateExperiment, type Experiment } from '../experiment/validate';
import { isScenarioDefinition } from '../experiment/detect';
import { validateScenario, type Scenario } from './validate';

/** What a file given to `validate`, `plan` or `run` defines, told by what it exports. */
export type Definition = { kind: 'experiment'; experiment: Experiment } | { kind: 'scenario'; scenario: Scenario };

/** Loads an experiment or a GameDay scenario file and validates it whole. Throws ExperimentValidationError. */
export function loadDefinition(file: string): Definition {
  const exported = loadDefaultExport(file);
  const shown = displayPath(file);
  if (isScenarioDefinition(exported)) return { kind: 'scenario', scenario: validateScenario(exported, shown) };
  return { kind: 'experiment', experiment: validateExperiment(exported, shown) };
}
