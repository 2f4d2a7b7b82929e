import path from 'node:path';
import { AwsClients, describeAwsError } from '../aws/clients';
import { activeManagedExperiments, stopExperiment } from '../aws/fis/experiment';
import { sleep } from '../core/clock';
import type { AwsConnectionRecord, JournalEvent, RunStatus, TargetDescription } from '../core/events';
import { journalFileName, JournalTail } from '../core/journal';
import { descriptionReader } from '../targets/descriptions';
import { haltFile, pullLever, releaseLever, type HaltedState, type ReleasedState } from './halt';
import { isGone, listRuns, type LiveRun } from './live-runs';

/** What became of a run the lever reached. */
export interface HaltedRun {
  runId: string;
  runDir: string;
  pid: number;
  experiment: string;
  /**
   * finished: its journal says run.finished (rolled back; `status` says how it ended); running: still going when
   * the wait ran out; died: its process is gone without finishing (killed before or during the halt).
   */
  outcome: 'finished' | 'running' | 'died';
  status: RunStatus | null;
  reason: string | null;
  /** From the halt to the run's run.finished, by the run's clock. */
  stoppedAfterMs: number | null;
}

/** gameday's FIS experiments found still active after the runs stopped, in one region of one account. */
export interface FisSweep {
  region: string;
  endpoint: string | null;
  stopped: Array<{ id: string; runId: string; fault: string }>;
  error: string | null;
}

export interface HaltOutcome {
  file: string;
  state: HaltedState;
  /** The lever was already pulled: its state stays as it was. */
  already: boolean;
  runs: HaltedRun[];
  fis: FisSweep[];
}

export type HaltProgress =
  | { kind: 'pulled'; state: HaltedState; already: boolean }
  | { kind: 'halting'; run: LiveRun }
  | { kind: 'stopped'; run: HaltedRun }
  | { kind: 'fis'; sweep: FisSweep };

const fisStopTimeoutMs = 120_000;

/** What the halt needs from a run's journal, read as it grows: how it ended, and where it started FIS experiments. */
class Followed {
  private readonly tail: JournalTail;
  private target: TargetDescription | null = null;
  readonly fis = new Map<string, { connection: AwsConnectionRecord; region: string }>();
  finished: Extract<JournalEvent, { type: 'run.finished' }> | null = null;

  constructor(readonly run: LiveRun) {
    this.tail = new JournalTail(path.join(run.runDir, journalFileName));
  }

  read(): void {
    for (const event of this.tail.read()) {
      if (event.type === 'target.opened') this.target = event.target;
      else if (event.type === 'run.finished') this.finished = event;
      else if (event.type === 'fault.injecting' && event.rollback.kind === 'fis') {
        const { connection, region } = event.rollback;
        this.fis.set(JSON.stringify([connection, region]), { connection, region });
      }
    }
  }

  /** An ephemeral lab is gone with its run: its FIS is no longer there to ask. */
  get targetGone(): boolean {
    return this.target !== null && descriptionReader(this.target).isGone?.(this.target) === true;
  }

  result(outcome: HaltedRun['outcome'], haltedAt: number): HaltedRun {
    const { runId, runDir, pid, experiment } = this.run;
    const finished = this.finished;
    return {
      runId,
      runDir,
      pid,
      experiment,
      outcome,
      status: finished?.status ?? null,
      reason: finished?.reason ?? null,
      stoppedAfterMs: finished ? Math.max(0, Math.round(finished.t - haltedAt)) : null,
    };
  }
}

/**
 * `gameday halt`: pulls the lever, then waits (up to `waitMs`) for every live run on this
 * machine to see it, roll back and finish, reporting each as it does. The runs undo their
 * own faults, each in its own journal; what is left after them — a FIS experiment of a run
 * that hung or died (gameday tags its experiments) — is stopped here, in every region
 * and account those runs started FIS experiments in.
 */
export async function haltRuns(
  options: { reason: string | null; waitMs: number },
  onProgress: (progress: HaltProgress) => void = () => undefined,
): Promise<HaltOutcome> {
  const haltedAt = Date.now();
  const file = haltFile();
  const { state, already } = pullLever(options.reason, file);
  onProgress({ kind: 'pulled', state, already });
  const { live, dead } = listRuns();
  const runs: HaltedRun[] = [];
  const followed = live.map((run) => new Followed(run));
  for (const run of followed) onProgress({ kind: 'halting', run: run.run });

  // Killed before the halt: their entries were left behind. One that never finished may have left faults.
  const deadRuns = dead.map((run) => new Followed(run));
  for (const run of deadRuns) {
    run.read();
    if (run.finished) continue;
    const result = run.result('died', haltedAt);
    runs.push(result);
    onProgress({ kind: 'stopped', run: result });
  }

  const deadline = haltedAt + options.waitMs;
  let waiting = [...followed];
  for (;;) {
    for (const run of waiting) {
      run.read();
      let outcome: HaltedRun['outcome'] | null = run.finished ? 'finished' : null;
      if (!outcome && isGone(run.run)) {
        run.read(); // it may have written run.finished between the read and its exit
        outcome = run.finished ? 'finished' : 'died';
      }
      if (!outcome) continue;
      const result = run.result(outcome, haltedAt);
      runs.push(result);
      onProgress({ kind: 'stopped', run: result });
    }
    waiting = waiting.filter((run) => !runs.some((result) => result.runId === run.run.runId));
    if (waiting.length === 0 || Date.now() >= deadline) break;
    await sleep(100);
  }
  for (const run of waiting) runs.push(run.result('running', haltedAt));

  const fis = await sweepFis([...followed, ...deadRuns], onProgress);
  return { file, state, already, runs, fis };
}

async function sweepFis(runs: Followed[], onProgress: (progress: HaltProgress) => void): Promise<FisSweep[]> {
  const places = new Map<string, { connection: AwsConnectionRecord; region: string }>();
  for (const run of runs) {
    if (run.targetGone) continue;
    for (const [key, place] of run.fis) places.set(key, place);
  }
  const sweeps: FisSweep[] = [];
  for (const { connection, region } of places.values()) {
    const sweep: FisSweep = { region, endpoint: connection.endpoint ?? null, stopped: [], error: null };
    const clients = new AwsClients(connection);
    try {
      const fis = clients.fis(region);
      for (const experiment of await activeManagedExperiments(fis)) {
        await stopExperiment(fis, experiment.id, fisStopTimeoutMs);
        sweep.stopped.push({ id: experiment.id, runId: experiment.runId, fault: experiment.fault });
      }
    } catch (error) {
      sweep.error = describeAwsError(error);
    } finally {
      clients.destroy();
    }
    sweeps.push(sweep);
    onProgress({ kind: 'fis', sweep });
  }
  return sweeps;
}

/** `gameday halt --release`: lifts the lever; null when gameday was not halted. The live runs will journal it. */
export function releaseRuns(): { released: ReleasedState; lifted: HaltedState | null; live: LiveRun[] } | null {
  const lifted = releaseLever();
  if (!lifted) return null;
  return { ...lifted, live: listRuns().live };
}
