import type { ScenarioConfig } from './schema';

/**
 * Typed identity, like defineExperiment: gives editors the scenario's types. gameday
 * validates the file when it loads it, every experiment step included.
 */
export function defineScenario<const T extends ScenarioConfig>(config: T): T {
  return config;
}
