/**
 * The one place the journal-fixture unit tests reach the analysis code through: the
 * journal reader, the summary built from a journal, the objectives judged from it and the
 * reports rendered from it. When the code moves (summary → analysis/), only these paths
 * change; the tests keep importing from here.
 */
export { buildSummary as summarize } from '../../src/report/summary';
export { objectivesOf } from '../../src/report/objectives';
export { renderJunit } from '../../src/report/junit';
export { renderMarkdown } from '../../src/report/markdown';
export { readJournal } from '../../src/engine/journal';

export type { RunSummary } from '../../src/report/summary';
export type { Objective } from '../../src/report/objectives';
export type { CheckRow, EventOf, JournalEvent, LedgerRow, SampleRow } from '../../src/engine/events';
