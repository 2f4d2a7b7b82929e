import fs from 'node:fs';
import path from 'node:path';
import type { ScenarioSummary } from '../../analysis/scenario-summary';
import { summarizeScenario } from '../../analysis/summarize-scenario';
import { errorMessage } from '../../core/errors';
import { journalFileName, readJournal } from '../../core/journal';
import type { ReportOptions } from '../files';
import { Reporters, type ReportOutcome } from '../reporter';
import { NotARunError } from '../rerender';
import { scenarioFileReporters } from './files';

/**
 * `gameday report <day>`: the day's reports rebuilt from its journal alone. Each
 * experiment's own reports are rebuilt with `gameday report <its run directory>`.
 */
export async function rerenderScenario(
  runDir: string,
  options: ReportOptions = {},
): Promise<{ summary: ScenarioSummary; reports: ReportOutcome }> {
  const journal = path.join(runDir, journalFileName);
  if (!fs.existsSync(journal)) throw new NotARunError(`${runDir}: no ${journalFileName} here`);
  let summary: ScenarioSummary;
  try {
    summary = summarizeScenario(readJournal(journal));
  } catch (error) {
    throw new NotARunError(`${journal}: not a GameDay journal: ${errorMessage(error)}`);
  }
  const reports = await new Reporters(scenarioFileReporters(runDir, options)).onEnd({ summary });
  return { summary, reports };
}
