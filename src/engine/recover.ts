import { errorMessage } from '../core/errors';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeRollback, undoneLast } from '../core/rollback-record';
import { revertRecord } from '../faults/revert';
import type { EventOf, JournalEvent, RollbackRecord, TargetDescription } from '../core/events';
import { Journal, journalFileName, readJournal } from '../core/journal';
import { isProcessAlive } from '../core/process';
import { releaseLockOfDeadRun } from '../targets/lock';
import { descriptionReader } from '../targets/descriptions';
import { GamedayError } from '../core/errors';
import { inboxDirName } from './notes';

export interface RecoveredFault {
  fault: string;
  rollback: string;
  ok: boolean;
  error?: string;
}

export interface RecoverReport {
  runDir: string;
  /** Nothing to do: every fault the run injected was reverted. */
  clean: boolean;
  /** The run's own process is still alive: it will roll back itself, so it is left alone. */
  running: boolean;
  faults: RecoveredFault[];
  note: string | null;
  /** The dead run's lock on its target, removed. */
  releasedLock: string | null;
}

/**
 * `gameday recover`: undoes what a run injected and never reverted — because it was
 * killed (kill -9, OOM, a lost machine) before its rollback ran. Everything it needs is in
 * the run's journal: each fault's rollback was written there, as data, before the fault
 * was injected. Newest first, like the live rollback; idempotent, because every revert
 * is (a removed toxic, a stopped FIS experiment, a restored health check are fine to
 * undo again) and each recovery is journaled, so a second recover finds nothing to do.
 */
export async function recoverRun(runDir: string): Promise<RecoverReport> {
  const file = path.join(runDir, journalFileName);
  if (!fs.existsSync(file))
    throw new RecoverError(`${runDir} has no ${journalFileName}; give a run directory (reports/<run-id>)`);
  const events = readJournal(file);
  const started = events.find((e): e is EventOf<'run.started'> => e.type === 'run.started');
  const finished = events.some((e) => e.type === 'run.finished');
  if (started && !finished && started.pid !== process.pid && isProcessAlive(started.pid) && sameHost(started.host)) {
    return {
      runDir,
      clean: false,
      running: true,
      faults: [],
      note: `the run is still going (pid ${started.pid}); it rolls back by itself`,
      releasedLock: null,
    };
  }

  // A dead run takes no more notes; a note left in its inbox was never acknowledged to its sender.
  fs.rmSync(path.join(runDir, inboxDirName), { recursive: true, force: true });
  const target = events.find((e): e is EventOf<'target.opened'> => e.type === 'target.opened')?.target;
  const releasedLock = started ? releaseLock(target, started.runId) : null;
  const pending = pendingRollbacks(events);
  if (pending.length === 0) return { runDir, clean: true, running: false, faults: [], note: null, releasedLock };

  const targetGone = target ? descriptionReader(target).isGone?.(target) === true : false;
  const journal = Journal.reopen(runDir, events);
  const faults: RecoveredFault[] = [];
  try {
    for (const { fault, rollback } of undoOrder(pending)) {
      const description = describeRollback(rollback);
      // An ephemeral lab dies with its run (its daemon watches the run's stdin): nothing of it is left to undo.
      if (targetGone && touchesOnlyTheLab(rollback)) {
        journal.append({
          type: 'fault.reverted',
          fault,
          at: Date.now(),
          detail: { recovered: true, note: 'the ephemeral lab is gone with its run' },
        });
        faults.push({ fault, rollback: description, ok: true, error: undefined });
        continue;
      }
      try {
        const detail = await revertRecord(rollback);
        journal.append({
          type: 'fault.reverted',
          fault,
          at: Date.now(),
          detail: { recovered: true, ...(detail ?? {}) },
        });
        faults.push({ fault, rollback: description, ok: true });
      } catch (error) {
        const message = errorMessage(error);
        journal.append({ type: 'fault.revert-failed', fault, error: `recover: ${message}` });
        faults.push({ fault, rollback: description, ok: false, error: message });
      }
    }
    if (!finished) {
      const ok = faults.every((fault) => fault.ok);
      journal.append({
        type: 'run.finished',
        status: ok ? 'aborted' : 'error',
        reason: ok
          ? 'the run died; gameday recover undid every fault it had injected'
          : 'the run died; gameday recover could not undo every fault (see fault.revert-failed)',
      });
    }
  } finally {
    journal.close();
  }
  return { runDir, clean: false, running: false, faults, note: null, releasedLock };
}

function releaseLock(target: TargetDescription | undefined, runId: string): string | null {
  const file = target ? (descriptionReader(target).lockFile?.(target) ?? null) : null;
  return file && releaseLockOfDeadRun(file, runId) ? file : null;
}

/** Every run directory under a reports directory, oldest first. */
export function runDirsUnder(reportsDir: string): string[] {
  if (!fs.existsSync(reportsDir)) return [];
  return fs
    .readdirSync(reportsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(reportsDir, entry.name, journalFileName)))
    .map((entry) => path.join(reportsDir, entry.name))
    .sort();
}

/** Newest first, as the live rollback undoes them; a failback after everything else, as it needs its region back. */
function undoOrder<T extends { rollback: RollbackRecord }>(pending: T[]): T[] {
  const newestFirst = [...pending].reverse();
  return [
    ...newestFirst.filter((entry) => !undoneLast(entry.rollback)),
    ...newestFirst.filter((entry) => undoneLast(entry.rollback)),
  ];
}

/** Faults whose rollback was registered and never reported done, in injection order. */
function pendingRollbacks(events: readonly JournalEvent[]): Array<{ fault: string; rollback: RollbackRecord }> {
  const pending = new Map<string, RollbackRecord>();
  for (const event of events) {
    if (event.type === 'fault.injecting') pending.set(event.fault, event.rollback);
    else if (event.type === 'fault.reverted') pending.delete(event.fault);
  }
  return [...pending.entries()].map(([fault, rollback]) => ({ fault, rollback }));
}

function touchesOnlyTheLab(rollback: RollbackRecord): boolean {
  return (
    rollback.kind === 'lab' ||
    ((rollback.kind === 'fis' || rollback.kind === 'route53-health-check') &&
      rollback.connection.labCredentials === true)
  );
}

function sameHost(host: string): boolean {
  return host === os.hostname();
}

export class RecoverError extends GamedayError {}
