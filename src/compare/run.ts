import fs from 'node:fs';
import path from 'node:path';
import { compareRun, compareSchemaId, type CompareSummary } from '../analysis/compare';
import { errorMessage, GamedayError } from '../core/errors';
import type { RunStatus } from '../core/events';
import { runExperiment } from '../engine/run';
import type { Experiment } from '../experiment/validate';
import { probeSchema } from '../probes';
import type { Reporter } from '../report/reporter';

/** The experiment cannot be compared across strategies (not a lab experiment). */
export class CompareError extends GamedayError {}

export interface CompareOptions {
  runId: string;
  /** The comparison's directory: compare.json, compare.md, compare.html, and one run directory per strategy. */
  runDir: string;
  strategies: string[];
  /** Aborting it interrupts the strategy running (it rolls back as any run does); the rest are skipped. */
  signal?: AbortSignal;
  /** Each strategy's run's reporters (its report files, live progress), given where it runs. */
  runReporters?: (run: { strategy: string; index: number; total: number; runDir: string }) => Reporter[];
  /** Told the comparison as it stands after each strategy, and at the end: the comparison's files. */
  onComparison?: (summary: CompareSummary, done: boolean) => Promise<void> | void;
}

export interface CompareResult {
  /** passed: every strategy ran to a verdict (whatever it was); otherwise how the comparison stopped. */
  status: RunStatus;
  reason: string;
  summary: CompareSummary;
}

/**
 * Runs the same experiment — its faults, traffic, ledger and probes — against each strategy,
 * one lab after another: every strategy on an ephemeral lab of its own, built for it and
 * removed after, so no strategy inherits another's state. Each run is a full run (its
 * journal and reports in `<runDir>/<NN>-<strategy>/`). A run that ends in error, is
 * halted or is interrupted ends the comparison; a strategy that misses the experiment's
 * objectives, or whose run a stop condition or its steady state aborted, is a finding,
 * and the comparison goes on.
 */
export async function runComparison(experiment: Experiment, options: CompareOptions): Promise<CompareResult> {
  if (experiment.target.kind !== 'lab')
    throw new CompareError(
      `gameday compare builds each strategy as a lab; the experiment's target is ${experiment.target.kind}`,
    );
  fs.mkdirSync(options.runDir, { recursive: true });
  const summary: CompareSummary = {
    schema: compareSchemaId,
    runId: options.runId,
    experiment: experiment.name,
    file: experiment.file,
    startedAt: new Date().toISOString(),
    endedAt: null,
    strategies: [],
    skipped: [],
  };
  const total = options.strategies.length;
  let stop: { status: RunStatus; reason: string } | null = null;
  for (const [index, strategy] of options.strategies.entries()) {
    if (stop === null && options.signal?.aborted) stop = { status: 'aborted', reason: 'interrupted' };
    if (stop !== null) {
      summary.skipped.push({ strategy, reason: stop.reason });
      continue;
    }
    const dirName = `${String(index + 1).padStart(2, '0')}-${strategy}`;
    const runDir = path.join(options.runDir, dirName);
    try {
      const result = await runExperiment(variantFor(experiment, strategy, runDir), {
        runId: `${options.runId}-${dirName}`,
        runDir,
        signal: options.signal,
        reporters: options.runReporters?.({ strategy, index: index + 1, total, runDir }) ?? [],
      });
      summary.strategies.push(compareRun(strategy, dirName, result.summary));
      // A run aborted by its own stop condition or steady state is a finding about its strategy; one the operator
      // interrupted, halted, or that could not run, ends the comparison.
      const interrupted = options.signal?.aborted === true;
      if (result.status === 'error' || result.status === 'halted' || interrupted)
        stop = { status: interrupted ? 'aborted' : result.status, reason: `${strategy}: ${result.summary.reason}` };
    } catch (error) {
      stop = { status: 'error', reason: `${strategy}: ${errorMessage(error)}` };
      summary.skipped.push({ strategy, reason: stop.reason });
    }
    await options.onComparison?.(summary, false);
  }
  summary.endedAt = new Date().toISOString();
  await options.onComparison?.(summary, true);
  return {
    status: stop?.status ?? 'passed',
    reason: stop?.reason ?? `${summary.strategies.length} strategies measured against the same experiment`,
    summary,
  };
}

/**
 * The experiment on a lab built as `strategy`: an ephemeral lab of its own (a lab the file names by `dir` is not
 * used: it is built as one strategy), measured with what a comparison needs besides the experiment's own probes —
 * stale reads (read-your-writes), the idle cost (resources) and conflicting writes (consistency: a figure only where
 * every region writes) — when the experiment does not measure them already.
 */
function variantFor(experiment: Experiment, strategy: string, runDir: string): Experiment {
  const probes = [...experiment.probes];
  for (const kind of ['readYourWrites', 'resources', 'consistency'] as const)
    if (!probes.some((probe) => probe.kind === kind)) probes.push(probeSchema.parse({ kind }));
  // No lab is running in a directory that does not exist yet: the run starts an ephemeral one.
  const target = { ...experiment.target, strategy, dir: path.join(runDir, 'lab') } as Experiment['target'];
  return { ...experiment, target, probes };
}
