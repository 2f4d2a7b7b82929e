/**
 * gameday's public API. Experiment files import from here:
 *   import { defineExperiment, faults, probes } from 'gameday';
 */
export { defineExperiment, faults, probes, stopWhen } from './experiment/define';
export { defineScenario } from './scenario/define';
export type { ScenarioConfig, StepConfig, Participant, ScenarioObjective } from './scenario/schema';
export type { Scenario, ScenarioStep } from './scenario/validate';
export { validateScenario } from './scenario/validate';
export { loadDefinition, type Definition } from './scenario/loader';
export { runScenario, type ScenarioRunOptions, type ScenarioResult, type ScenarioOutcome } from './scenario/run';
export { planScenario, type ScenarioPlan, type AgendaStep } from './scenario/plan';
export { answerCheckpoint } from './scenario/approve';
export { checkFileReadiness, checkDefinitionReadiness, type FileReadiness } from './scenario/check';
export { checkReadiness, checkTargetReadiness, type ReadinessReport, type ReadinessCheck } from './engine/readiness';
export { summarizeScenario, ScenarioSummarizer } from './analysis/summarize-scenario';
export type { ScenarioSummary } from './analysis/scenario-summary';
export { scenarioFileReporters } from './report/scenario/files';
export type { ExperimentConfig } from './experiment/schema';
export type {
  ScheduleConfig,
  PreconditionConfig,
  PreconditionFunction,
  PreconditionContext,
} from './experiment/schedule';
export type { FaultConfig } from './faults';
export type {
  HttpProbeConfig,
  LedgerProbeConfig,
  DnsProbeConfig,
  SqlProbeConfig,
  PrometheusProbeConfig,
  FunctionProbeConfig,
  ProbeFunction,
  ProbeFunctionContext,
  BrowserProbeConfig,
  BrowserJourney,
  BrowserJourneyContext,
} from './probes';
export type { StopConditionConfig } from './experiment/stop-conditions';
export type { AlertsConfig } from './experiment/alerts';
export type { AnnotationsConfig } from './experiment/annotations';
export type { FailoverFunctionHook } from './failover/spec';
export type { Experiment } from './experiment/validate';
export { validateExperiment } from './experiment/validate';
export { loadExperiment } from './experiment/loader';
export { ExperimentValidationError, formatIssue, type ExperimentIssue } from './experiment/errors';
export { parseDuration, formatDuration } from './core/duration';
export { runExperiment, type RunOptions, type RunResult } from './engine/run';
export { planExperiment, type PlanStep } from './engine/plan';
export type { JournalEvent, RunStatus } from './core/events';
export { readJournal } from './core/journal';
export { summarize, RunSummarizer } from './analysis/summarize';
export type { RunSummary } from './analysis/summary';
export { judge, objectivesOf, type Objective } from './analysis/judge';
export type { Reporter, RunOutcome } from './report/reporter';
export { fileReporters } from './report/files';
export { renderMarkdown } from './report/markdown';
export { computeRto, type OutcomeSample, type RtoResult, type RecoveryCriteria } from './measure/rto';
export { computeRpo } from './measure/rpo';
export { rtoPhases, rtoBounds } from './measure/phases';
export { impactEpisodes, type ImpactEpisodeMeasure } from './measure/episodes';
