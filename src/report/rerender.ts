import fs from 'node:fs';
import path from 'node:path';
import { RunSummarizer } from '../analysis/summarize';
import type { RunSummary } from '../analysis/summary';
import { errorMessage, GamedayError } from '../core/errors';
import { forEachJournalEvent, journalFileName } from '../core/journal';
import { fileReporters, type ReportOptions } from './files';
import { Reporters, type ReportOutcome } from './reporter';

/** The directory holds no readable run journal. */
export class NotARunError extends GamedayError {}

/**
 * `gameday report <run-dir>`: every report of a run rebuilt from its journal alone, with
 * today's summary and renderers, so an older run reads like a new one.
 */
export async function rerenderRun(
  runDir: string,
  options: ReportOptions = {},
): Promise<{ summary: RunSummary; reports: ReportOutcome }> {
  const journal = path.join(runDir, journalFileName);
  if (!fs.existsSync(journal))
    throw new NotARunError(`${runDir}: no ${journalFileName} here (expected a run directory such as reports/<run-id>)`);
  let summary: RunSummary;
  try {
    // Event by event: a long drill's journal is far larger than what its summary keeps.
    const summarizer = new RunSummarizer();
    forEachJournalEvent(journal, (event) => summarizer.add(event));
    summary = summarizer.result();
    // What the summary was measured from is not needed for its reports, and it is the most of the memory.
    summarizer.release();
  } catch (error) {
    throw new NotARunError(`${journal}: not a run journal: ${errorMessage(error)}`);
  }
  const reports = await new Reporters(fileReporters(runDir, options)).onEnd({
    status: summary.status,
    reason: summary.reason,
    summary,
    runDir,
  });
  return { summary, reports };
}
