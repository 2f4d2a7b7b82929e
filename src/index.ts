/**
 * gameday's public API. Experiment files import from here:
 *   import { defineExperiment, faults, probes } from 'gameday';
 */
export { defineExperiment, faults, probes, stopWhen } from './experiment/define';
export type {
  ExperimentConfig,
  FaultConfig,
  HttpProbeConfig,
  LedgerProbeConfig,
  DnsProbeConfig,
  SqlProbeConfig,
  FunctionProbeConfig,
  ProbeFunction,
  ProbeFunctionContext,
  StopConditionConfig,
  FailoverFunctionHook,
} from './experiment/schema';
export type { Experiment } from './experiment/validate';
export { validateExperiment } from './experiment/validate';
export { loadExperiment } from './experiment/loader';
export { ExperimentValidationError, formatIssue, type ExperimentIssue } from './experiment/errors';
export { parseDuration, formatDuration } from './core/duration';
export { runExperiment, type RunOptions, type RunResult } from './engine/run';
export { planExperiment, type PlanStep } from './engine/plan';
export type { JournalEvent, RunStatus } from './core/events';
export { readJournal } from './core/journal';
export { buildSummary, type RunSummary } from './report/summary';
export { renderMarkdown } from './report/markdown';
export { computeRto, type OutcomeSample, type RtoResult, type RecoveryCriteria } from './measure/rto';
export { computeRpo } from './measure/rpo';
export { rtoPhases, rtoFloorMs } from './measure/phases';
