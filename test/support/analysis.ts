/**
 * The one place the journal-fixture unit tests reach the analysis code through: the
 * journal reader, the summary built from a journal (a run's or a GameDay's), the
 * objectives and verdict judged from it and the reports rendered from it.
 */
export { summarize, RunSummarizer } from '../../src/analysis/summarize';
export { judge, objectivesOf } from '../../src/analysis/judge';
export { renderJunit } from '../../src/report/junit';
export { renderMarkdown } from '../../src/report/markdown';
export { readJournal } from '../../src/core/journal';
export { formatDuration } from '../../src/core/duration';
export { summarizeScenario, ScenarioSummarizer } from '../../src/analysis/summarize-scenario';
export { judgeDay, judgeObjectives } from '../../src/analysis/judge-scenario';
export { renderScenarioMarkdown } from '../../src/report/scenario/markdown';
export { renderScenarioJunit } from '../../src/report/scenario/junit';

export type { RunSummary } from '../../src/analysis/summary';
export type { ScenarioExperimentSummary, ScenarioSummary } from '../../src/analysis/scenario-summary';
export type { Objective } from '../../src/analysis/judge';
export type { CheckRow, EventOf, JournalEvent, JourneyRow, LedgerRow, SampleRow } from '../../src/core/events';
