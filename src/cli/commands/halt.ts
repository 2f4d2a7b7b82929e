import { formatDuration, tryParseDuration } from '../../core/duration';
import { maxReasonLength } from '../../engine/halt';
import { haltRuns, releaseRuns, type HaltProgress } from '../../engine/halt-runs';
import { exitCodes } from '../exit-codes';
import { UsageError } from '../output';
import { shownPath } from '../shown-path';

export interface HaltCommandOptions {
  reason?: string;
  release: boolean;
  /** Default 60s. */
  wait?: string;
  json: boolean;
}

const maxWaitMs = 3_600_000;

/**
 * `gameday halt [--reason TEXT]`: the safety lever — every run on this machine rolls back
 * and ends `halted`, new runs are refused; `gameday halt --release` lifts it.
 */
export async function haltCommand(options: HaltCommandOptions): Promise<number> {
  if (options.release) return release(options.json);
  const reason = options.reason === undefined ? null : options.reason.trim();
  if (reason === '') throw new UsageError('--reason: say why gameday is halted, or leave --reason out');
  if (reason !== null && [...reason].length > maxReasonLength)
    throw new UsageError(`--reason: ${[...reason].length} characters; at most ${maxReasonLength}`);
  const wait = options.wait ?? '60s';
  const waitMs = tryParseDuration(wait);
  if (waitMs === undefined || waitMs > maxWaitMs)
    throw new UsageError(
      `--wait: expected a duration from '0s' to '1h' like '60s' or '2m', got ${JSON.stringify(wait)}`,
    );

  const say = (line: string) => {
    if (!options.json) process.stdout.write(`${line}\n`);
  };
  const outcome = await haltRuns({ reason, waitMs }, (progress) => say(progressLine(progress, waitMs)));
  if (options.json) process.stdout.write(JSON.stringify(outcome, null, 2) + '\n');
  if (outcome.runs.length === 0) say('no gameday run was running on this machine');
  say('new runs are refused until: gameday halt --release');
  const stoppedCleanly =
    outcome.runs.every((run) => run.outcome === 'finished' && run.status !== 'error') &&
    outcome.fis.every((sweep) => sweep.error === null);
  return stoppedCleanly ? exitCodes.passed : exitCodes.error;
}

function progressLine(progress: HaltProgress, waitMs: number): string {
  switch (progress.kind) {
    case 'pulled': {
      const { since, by, host, reason } = progress.state;
      return (
        `gameday ${progress.already ? 'was already halted' : 'is halted'} since ${since} by ${by} on ${host}: ` +
        `${reason ?? 'no reason given'}`
      );
    }
    case 'halting': {
      const { runId, pid, experiment, runDir } = progress.run;
      return `stopping run ${runId} (pid ${pid}, ${JSON.stringify(experiment)}, ${shownPath(runDir)})`;
    }
    case 'stopped': {
      const run = progress.run;
      if (run.outcome === 'died')
        return (
          `run ${run.runId}: its process ${run.pid} is gone without finishing; undo what it left with: ` +
          `gameday recover ${shownPath(run.runDir)}`
        );
      if (run.outcome === 'running')
        return `run ${run.runId}: still running after ${formatDuration(waitMs)} (pid ${run.pid}); see its journal`;
      const after = run.stoppedAfterMs === null ? '' : ` ${formatDuration(run.stoppedAfterMs)} after the halt`;
      return `run ${run.runId}: ${run.status}${after}: ${run.reason}`;
    }
    case 'fis': {
      const { region, endpoint, stopped, error } = progress.sweep;
      const where = `FIS ${region}${endpoint ? ` (${endpoint})` : ''}`;
      if (error) return `${where}: could not stop gameday's experiments: ${error}`;
      if (stopped.length === 0) return `${where}: no gameday experiment left running`;
      return stopped
        .map((experiment) => `${where}: stopped ${experiment.id} (run ${experiment.runId}, fault ${experiment.fault})`)
        .join('\n');
    }
  }
}

function release(json: boolean): number {
  const released = releaseRuns();
  if (json) {
    process.stdout.write(JSON.stringify(released, null, 2) + '\n');
    return exitCodes.passed;
  }
  if (!released) {
    process.stdout.write('gameday is not halted; nothing to release\n');
    return exitCodes.passed;
  }
  const { lifted } = released;
  const what = lifted
    ? `the halt since ${lifted.since} by ${lifted.by} (${lifted.reason ?? 'no reason given'}), ` +
      `after ${formatDuration(Date.parse(released.released.since) - Date.parse(lifted.since))}`
    : 'an unreadable halt file';
  process.stdout.write(`released ${what}; runs may start again\n`);
  for (const run of released.live)
    process.stdout.write(`run ${run.runId} is still going (rolling back); its journal records the release\n`);
  return exitCodes.passed;
}
