/**
 * The one place the journal-fixture unit tests reach the analysis code through: the
 * journal reader, the summary built from a journal, the objectives and verdict judged
 * from it and the reports rendered from it.
 */
export { summarize, RunSummarizer } from '../../src/analysis/summarize';
export { judge, objectivesOf } from '../../src/analysis/judge';
export { renderJunit } from '../../src/report/junit';
export { renderMarkdown } from '../../src/report/markdown';
export { readJournal } from '../../src/core/journal';
export { formatDuration } from '../../src/core/duration';

export type { RunSummary } from '../../src/analysis/summary';
export type { Objective } from '../../src/analysis/judge';
export type { CheckRow, EventOf, JournalEvent, LedgerRow, SampleRow } from '../../src/core/events';
