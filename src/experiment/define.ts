import type {
  ExecFaultConfig,
  ExperimentConfig,
  HttpProbeConfig,
  StopConditionConfig,
} from './schema';

/**
 * Typed identity: gives editors the experiment's types and completion. Validation
 * happens when gameday loads the file, so a plain object literal works the same.
 */
export function defineExperiment<const T extends ExperimentConfig>(config: T): T {
  return config;
}

type Without<T, K extends keyof T> = Omit<T, K>;

/** Fault constructors: `faults.exec({...})` reads better than `{ kind: 'exec', ... }`. */
export const faults = {
  exec: (config: Without<ExecFaultConfig, 'kind'>): ExecFaultConfig => ({ kind: 'exec', ...config }),
};

/** Probe constructors. */
export const probes = {
  http: (config: Without<HttpProbeConfig, 'kind'>): HttpProbeConfig => ({ kind: 'http', ...config }),
};

/** Stop-condition constructors. */
export const stopWhen = {
  errorRatioAbove: (above: number, window?: string): StopConditionConfig => ({ kind: 'errorRatio', above, window }),
  commandFails: (run: string, options: { every?: string; timeout?: string } = {}): StopConditionConfig => ({
    kind: 'command',
    run,
    ...options,
  }),
};
