import fs from 'node:fs';
import path from 'node:path';
import { baselineRecordOf } from '../analysis/baseline';
import { summarize } from '../analysis/summarize';
import { isScenarioJournal } from '../analysis/summarize-scenario';
import type { RunSummary } from '../analysis/summary';
import { errorMessage, GamedayError } from '../core/errors';
import type { BaselineMetric, BaselineRecord, Tolerance } from '../core/events';
import { journalFileName, readJournal } from '../core/journal';
import { readRuns } from './history';

export class BaselineError extends GamedayError {}

/** Only a run that went to its verdict measured what a baseline holds. */
const verdicts = new Set(['passed', 'failed']);

/**
 * The run `gameday gate --baseline` compares with: the run directory given (a run of the
 * same experiment that reached a verdict), or in a directory of runs (a history, e.g. the
 * reports main's pipeline keeps) the latest run of the same experiment that did.
 */
export function findBaseline(
  given: string,
  experiment: string,
  tolerance: Record<BaselineMetric, Tolerance>,
): BaselineRecord {
  if (!fs.existsSync(given) || !fs.statSync(given).isDirectory())
    throw new BaselineError(`--baseline: ${given} is not a directory (a run directory, or a directory of runs)`);
  if (fs.existsSync(path.join(given, journalFileName))) {
    const summary = runSummary(given);
    if (summary.experiment !== experiment)
      throw new BaselineError(
        `--baseline: ${given} is a run of ${JSON.stringify(summary.experiment)}, not of ${JSON.stringify(experiment)}`,
      );
    if (!verdicts.has(summary.status))
      throw new BaselineError(
        `--baseline: ${given} ended ${summary.status} (${summary.reason}): only a run that reached a verdict ` +
          '(passed or failed) measured what a baseline needs',
      );
    return baselineRecordOf(summary, given, tolerance);
  }
  const runs = readRuns(given).flatMap((run) => ('summary' in run ? [{ ...run }] : []));
  const candidates = runs
    .filter((run) => run.summary.experiment === experiment && verdicts.has(run.summary.status))
    .sort((a, b) => a.summary.startedAt.localeCompare(b.summary.startedAt));
  const latest = candidates.at(-1);
  if (!latest) {
    const same = runs.filter((run) => run.summary.experiment === experiment).length;
    throw new BaselineError(
      `--baseline: no run of ${JSON.stringify(experiment)} in ${given} reached a verdict ` +
        `(${runs.length} run${runs.length === 1 ? '' : 's'} there, ${same} of this experiment)`,
    );
  }
  return baselineRecordOf(latest.summary, path.join(given, latest.dir), tolerance);
}

function runSummary(runDir: string): RunSummary {
  let events;
  try {
    events = readJournal(path.join(runDir, journalFileName));
  } catch (error) {
    throw new BaselineError(`--baseline: ${runDir}: cannot read its journal: ${errorMessage(error)}`);
  }
  if (isScenarioJournal(events))
    throw new BaselineError(
      `--baseline: ${runDir} is a GameDay's directory; give one of its experiments' run directories inside it, ` +
        'or the directory of runs it is in',
    );
  try {
    return summarize(events);
  } catch (error) {
    throw new BaselineError(`--baseline: ${runDir}: not a run journal: ${errorMessage(error)}`);
  }
}
