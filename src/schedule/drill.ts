import { errorMessage } from '../core/errors';
import type { RunStatus } from '../core/events';
import type { Consent } from '../engine/guardrails';
import { RecoverError, recoverRun } from '../engine/recover';
import { runExperiment, type RunOptions } from '../engine/run';
import type { Experiment } from '../experiment/validate';
import type { Reporter } from '../report/reporter';
import type { CheckpointAnswerers } from '../scenario/checkpoint';
import { recoverScenario } from '../scenario/recover';
import { runScenario, type ScenarioOutcome, type ScenarioRunOptions } from '../scenario/run';
import { scenarioStart } from '../scenario/run-dirs';
import type { Scenario } from '../scenario/validate';
import type { ScheduledEntry } from './entries';

/**
 * The reporters a scheduled drill gets, built by the caller (the CLI): the same files, and
 * notifiers, that `gameday run` attaches, so a drill reports the same whoever started it.
 */
export interface DrillReporters {
  experiment(runDir: string, experiment: Experiment): Reporter[];
  scenario(
    runDir: string,
    scenario: Scenario,
  ): {
    reporters: Reporter<ScenarioOutcome>[];
    stepReporters: NonNullable<ScenarioRunOptions['stepReporters']>;
  };
}

/** What every drill of a scheduler is run with, as `gameday run` would run it. */
export interface DrillOptions {
  reporters: DrillReporters;
  consent: Consent;
  /** A manual failover's go-ahead; without one it is declined (nobody is at a scheduler's terminal). */
  approve?: RunOptions['approve'];
  /** How a GameDay's checkpoints are answered besides `gameday approve` and their timeouts. */
  answerers?: CheckpointAnswerers;
}

/**
 * Runs an entry's experiment or GameDay through the same library functions as `gameday
 * run`; aborting `signal` rolls it back and lets it report. Never throws: what kept it
 * from starting (consent, a run directory it could not create) is its reason.
 */
export async function runDrill(
  entry: ScheduledEntry,
  run: { runId: string; runDir: string },
  signal: AbortSignal,
  options: DrillOptions,
): Promise<{ status: RunStatus; reason: string }> {
  try {
    if (entry.definition.kind === 'experiment') {
      const result = await runExperiment(entry.definition.experiment, {
        ...run,
        signal,
        reporters: options.reporters.experiment(run.runDir, entry.definition.experiment),
        approve: options.approve,
        consent: options.consent,
      });
      return { status: result.status, reason: result.summary.reason };
    }
    const { reporters, stepReporters } = options.reporters.scenario(run.runDir, entry.definition.scenario);
    const result = await runScenario(entry.definition.scenario, {
      ...run,
      signal,
      reporters,
      stepReporters,
      answerers: options.answerers,
      approve: options.approve,
      consent: options.consent,
    });
    return { status: result.status, reason: result.summary.reason };
  } catch (error) {
    return { status: 'error', reason: `the drill could not run: ${errorMessage(error)}` };
  }
}

/**
 * Undoes what a drill left injected when its scheduler was killed in the middle of it, from
 * the drill's journal, as `gameday recover` does; says what it did.
 */
export async function recoverDrill(runDir: string): Promise<{ ok: boolean; said: string }> {
  try {
    const runs = scenarioStart(runDir) ? (await recoverScenario(runDir)).runs : [await recoverRun(runDir)];
    const faults = runs.flatMap((run) => run.faults);
    const failed = faults.filter((fault) => !fault.ok);
    if (failed.length > 0)
      return {
        ok: false,
        said:
          `FAILED to revert ${failed.map((fault) => `${fault.fault}: ${fault.error}`).join('; ')}; ` +
          `run \`gameday recover ${runDir}\``,
      };
    if (faults.length === 0) return { ok: true, said: 'nothing was left injected' };
    return { ok: true, said: `reverted ${faults.map((fault) => `${fault.fault} (${fault.rollback})`).join(', ')}` };
  } catch (error) {
    // No journal: it was killed before the drill wrote anything, so nothing was injected.
    if (error instanceof RecoverError) return { ok: true, said: `nothing to recover: ${error.message}` };
    return { ok: false, said: `recovery failed: ${errorMessage(error)}; run \`gameday recover ${runDir}\`` };
  }
}
