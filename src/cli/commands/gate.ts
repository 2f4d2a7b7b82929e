import path from 'node:path';
import { tryParseDuration } from '../../core/duration';
import { loadExperiment } from '../../experiment/loader';
import { applyObjectiveOverrides, type ObjectiveOverrides } from '../../experiment/overrides';
import { parseTolerances, ToleranceError, withBaseline } from '../../experiment/baseline';
import { BaselineError, findBaseline } from '../../report/baseline';
import { objectivesOf } from '../../analysis/judge';
import type { RunSummary } from '../../analysis/summary';
import { reportFiles } from '../../report/files';
import { UsageError } from '../output';
import { shownPath } from '../shown-path';
import { runWithProgress, type RunCommandOptions } from './run';

export interface GateCommandOptions extends RunCommandOptions {
  maxRto?: string;
  maxRpo?: string;
  maxBudget?: string;
  /** A run directory, or a directory of runs whose latest run of this experiment is the baseline. */
  baseline?: string;
  tolerance?: string;
}

/**
 * `gameday gate <file>`: the run command's code path with the gate's objectives laid over
 * the file's — and with --baseline, the run it must be no worse than — and a short text
 * made for CI logs (or summary.json with --json).
 */
export async function gateCommand(file: string, options: GateCommandOptions): Promise<number> {
  const overrides = parseGateFlags(options);
  if (options.tolerance !== undefined && options.baseline === undefined)
    throw new UsageError('--tolerance says how much worse than the baseline a run may be: give --baseline DIR too');
  const tolerances = options.baseline === undefined ? null : tolerancesOf(options.tolerance);
  let experiment = applyObjectiveOverrides(loadExperiment(file), overrides);
  if (options.baseline !== undefined && tolerances) {
    try {
      experiment = withBaseline(experiment, findBaseline(options.baseline, experiment.name, tolerances));
    } catch (error) {
      if (error instanceof BaselineError) throw new UsageError(error.message);
      throw error;
    }
  }
  return runWithProgress(experiment, experiment.name, options, {}, gateText);
}

function tolerancesOf(text: string | undefined) {
  try {
    return parseTolerances(text);
  } catch (error) {
    if (error instanceof ToleranceError) throw new UsageError(error.message);
    throw error;
  }
}

const objectiveCeilingMs = 86_400_000;

export function parseGateFlags(
  options: Pick<GateCommandOptions, 'maxRto' | 'maxRpo' | 'maxBudget'>,
): ObjectiveOverrides {
  const overrides: ObjectiveOverrides = {};
  const duration = (flag: string, value: string) => {
    const ms = tryParseDuration(value);
    if (ms === undefined)
      throw new UsageError(`${flag}: expected a duration like '60s', '500ms' or '1m30s', got ${JSON.stringify(value)}`);
    // The same bound as the file's objectives: past a day, an RTO or RPO objective is a typo.
    if (ms > objectiveCeilingMs) throw new UsageError(`${flag}: must be at most 24h, got ${JSON.stringify(value)}`);
    return ms;
  };
  if (options.maxRto !== undefined) overrides.rtoMs = duration('--max-rto', options.maxRto);
  if (options.maxRpo !== undefined) overrides.rpoMs = duration('--max-rpo', options.maxRpo);
  if (options.maxBudget !== undefined) {
    const match = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(options.maxBudget);
    if (!match || Number(match[1]) <= 0)
      throw new UsageError(
        `--max-budget: expected a percentage of the error budget above 0 like '10%', got ` +
          `${JSON.stringify(options.maxBudget)}`,
      );
    overrides.budgetPct = Number(match[1]);
  }
  return overrides;
}

/** Stable lines for CI logs: the verdict, one line per objective, where the reports are. */
function gateText(summary: RunSummary): string {
  const lines = [`${summary.status.toUpperCase()}  ${summary.experiment}`];
  if (summary.status !== 'passed' && summary.status !== 'failed') lines.push(`  reason ${summary.reason}`);
  for (const objective of objectivesOf(summary)) {
    const mark = objective.met === true ? 'ok  ' : objective.met === false ? 'FAIL' : 'N/A ';
    lines.push(`  ${mark} ${objective.name}: ${objective.measured} (objective ${objective.objective})`);
  }
  const baseline = summary.baseline;
  if (baseline)
    lines.push(`  baseline ${baseline.runId} (${baseline.status}, ${shownPath(path.resolve(baseline.dir))})`);
  lines.push(`  junit ${shownPath(path.join(summary.runDir, reportFiles.junit))}`);
  lines.push(`  report ${shownPath(path.join(summary.runDir, reportFiles.html))}`);
  return lines.join('\n') + '\n';
}
