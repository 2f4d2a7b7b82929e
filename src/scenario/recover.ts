import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EventOf } from '../core/events';
import { Journal, journalFileName, readJournal } from '../core/journal';
import { isProcessAlive } from '../core/process';
import { recoverRun, type RecoverReport } from '../engine/recover';
import { descriptionReader } from '../targets/descriptions';
import { releaseLockOfDeadRun } from '../targets/lock';

export interface ScenarioRecoverReport {
  runDir: string;
  /** The day's process is still alive: it rolls back by itself, so it is left alone. */
  running: boolean;
  note: string | null;
  /** Each experiment step's run that was started, recovered from its own journal. */
  runs: RecoverReport[];
  /** The dead day's lock on its target, removed. */
  releasedLock: string | null;
}

/**
 * `gameday recover <day>`: a GameDay killed with kill -9 leaves its running experiment's
 * faults in place, recorded in that experiment's own journal inside the day's directory.
 * Each experiment run the day started is recovered as any run is (newest first, idempotent),
 * the day's lock on its target is released, and the day's journal is finished.
 */
export async function recoverScenario(runDir: string): Promise<ScenarioRecoverReport> {
  const events = readJournal(path.join(runDir, journalFileName));
  const started = events.find((event): event is EventOf<'scenario.started'> => event.type === 'scenario.started');
  if (!started) throw new Error(`${runDir}: not a GameDay's journal`);
  const finished = events.some((event) => event.type === 'scenario.finished');
  if (!finished && started.host === os.hostname() && isProcessAlive(started.pid) && started.pid !== process.pid)
    return {
      runDir,
      running: true,
      note: `the GameDay is still going (pid ${started.pid}); it rolls back by itself`,
      runs: [],
      releasedLock: null,
    };
  const runs: RecoverReport[] = [];
  for (const event of events) {
    if (event.type !== 'step.started' || !event.runDir) continue;
    const stepDir = path.join(runDir, event.runDir);
    if (fs.existsSync(path.join(stepDir, journalFileName))) runs.push(await recoverRun(stepDir));
  }
  const target = events.find((event): event is EventOf<'target.opened'> => event.type === 'target.opened')?.target;
  const lockFile = target ? (descriptionReader(target).lockFile?.(target) ?? null) : null;
  const releasedLock = lockFile && releaseLockOfDeadRun(lockFile, started.runId) ? lockFile : null;
  if (!finished) {
    const ok = runs.every((run) => run.faults.every((fault) => fault.ok));
    const journal = Journal.reopen(runDir, events);
    journal.append({
      type: 'scenario.finished',
      status: ok ? 'aborted' : 'error',
      reason: ok
        ? 'the GameDay died; gameday recover undid every fault its experiments had injected'
        : "the GameDay died; gameday recover could not undo every fault (see each experiment's fault.revert-failed)",
    });
    journal.close();
  }
  return { runDir, running: false, note: null, runs, releasedLock };
}
