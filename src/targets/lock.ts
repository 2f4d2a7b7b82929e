import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ManagedExperiment } from '../aws/fis/experiment';
import { isProcessAlive, processStartTime } from '../core/process';
import { GamedayError } from '../core/errors';

/**
 * One run per target at a time. Two drills injecting into the same lab or service at
 * once would undo each other's faults and measure each other's outages, so the second
 * is refused before it touches anything. The lock is a file naming its holder; a holder
 * that died (kill -9, a crash) leaves it behind, and the next run takes it over once the
 * holder's pid is gone on this host.
 */

export const labLockFileName = 'run.lock';
export const defaultLocksDir = '.gameday/locks';

export interface LockHolder {
  pid: number;
  /** The kernel's start time of `pid` (Linux): a recycled pid is not the holder. */
  pidStartedAt: string | null;
  host: string;
  runId: string;
  runDir: string;
  experiment: string;
  /** What is locked, in words ("the lab in /x"). */
  target: string;
  startedAt: string;
}

export type LockRequest = Pick<LockHolder, 'runId' | 'runDir' | 'experiment' | 'target'>;

export interface HeldLock {
  file: string;
  holder: LockHolder;
  /** The dead holder whose stale lock this run took over, if any. */
  tookOver: LockHolder | null;
  release(): void;
}

/** Another live run holds the target. */
export class LockHeldError extends GamedayError {
  constructor(
    readonly holder: LockHolder,
    readonly file: string,
  ) {
    super(
      `${holder.target} is in use by ${describeHolder(holder)}; nothing was injected. Wait for it to ` +
        `finish${holder.host === os.hostname() ? '' : `, or if that run is gone from ${holder.host}, remove ${file}`}`,
    );
  }
}

export function describeHolder(holder: LockHolder): string {
  return (
    `run ${holder.runId} (pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}, ` +
    `experiment ${JSON.stringify(holder.experiment)}, run dir ${holder.runDir})`
  );
}

/** The lock of a lab: in its directory, beside state.json. */
export function labLockFile(labDir: string): string {
  return path.join(labDir, labLockFileName);
}

/**
 * The lock of an endpoints target: keyed by its URLs, so any two runs against the same set of URLs exclude each other.
 */
export function endpointsLockFile(
  endpoints: Record<string, string>,
  locksDir = process.env.GAMEDAY_LOCKS_DIR ?? defaultLocksDir,
): string {
  const urls = [...new Set(Object.values(endpoints))].sort();
  const hash = createHash('sha256').update(urls.join('\n')).digest('hex').slice(0, 16);
  return path.resolve(locksDir, `endpoints-${hash}.lock`);
}

const held = new Set<HeldLock>();
let exitHookInstalled = false;

/**
 * Takes the lock or throws LockHeldError. The file appears complete or not at all: it is
 * written under a temporary name and hard-linked into place, and link(2) fails if the
 * name exists — the atomic create-if-absent (`wx` without the window in which a reader
 * sees an empty file).
 */
export function acquireLock(file: string, request: LockRequest): HeldLock {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const holder: LockHolder = {
    ...request,
    pid: process.pid,
    pidStartedAt: processStartTime(process.pid),
    host: os.hostname(),
    startedAt: new Date().toISOString(),
  };
  let tookOver: LockHolder | null = null;
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(file, holder)) break;
    const current = readLock(file);
    if (current && !isStale(current)) throw new LockHeldError(current, file);
    if (attempt >= 3) throw new Error(`could not take the lock ${file}: it keeps changing`);
    // Stale (or unreadable, e.g. torn by a full disk): remove exactly that one, then try again.
    if (removeIfUnchanged(file, current)) tookOver = current;
  }
  const lock: HeldLock = {
    file,
    holder,
    tookOver,
    release: () => {
      if (!held.delete(lock)) return;
      const current = readLock(file);
      // A lock taken over from us (we looked dead) is no longer ours to remove.
      if (current && current.pid === holder.pid && current.runId === holder.runId) fs.rmSync(file, { force: true });
    },
  };
  held.add(lock);
  if (!exitHookInstalled) {
    // Last resort for exit paths no finally reaches (process.exit, an uncaught exception).
    process.on('exit', () => {
      for (const lock of [...held]) lock.release();
    });
    exitHookInstalled = true;
  }
  return lock;
}

export function readLock(file: string): LockHolder | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
    return typeof parsed.pid === 'number' && typeof parsed.runId === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

/** A lock is stale when its holder ran on this host and is gone (or its pid now belongs to another process). */
export function isStale(holder: LockHolder): boolean {
  if (holder.host !== os.hostname()) return false;
  if (!isProcessAlive(holder.pid)) return true;
  const started = processStartTime(holder.pid);
  return holder.pidStartedAt !== null && started !== null && started !== holder.pidStartedAt;
}

function tryCreate(file: string, holder: LockHolder): boolean {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(holder, null, 2) + '\n');
  try {
    fs.linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

/**
 * Removes the stale lock only if it is still the one judged stale: two runs taking over at
 * once must not remove the lock the faster one just created. Renaming it away first makes
 * the check and the removal one step.
 */
function removeIfUnchanged(file: string, judged: LockHolder | null): boolean {
  const aside = `${file}.${process.pid}.${Date.now()}.stale`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return false; // someone else removed it meanwhile
  }
  const moved = readLock(aside);
  const same =
    moved === null ? judged === null : judged !== null && moved.pid === judged.pid && moved.runId === judged.runId;
  if (same) {
    fs.rmSync(aside, { force: true });
    return true;
  }
  // We moved a live lock created in between: put it back (unless yet another appeared).
  try {
    fs.linkSync(aside, file);
  } catch {
    // the name is taken again; that holder wins
  }
  fs.rmSync(aside, { force: true });
  return false;
}

/**
 * An AWS account has no file to lock, so the marker is what gameday leaves there anyway:
 * its FIS experiments, tagged gameday:managed-by. One still active in any target region
 * means another run is injecting (or died without `gameday recover`).
 */
export async function assertNoActiveAwsRun(
  listActive: (region: string) => Promise<ManagedExperiment[]>,
  regions: string[],
  account: string,
): Promise<void> {
  for (const region of regions) {
    const [active] = await listActive(region);
    if (!active) continue;
    throw new AwsTargetBusyError(
      `AWS account ${account} is in use by run ${active.runId}: its FIS experiment ${active.id} ` +
        `(fault ${active.fault}) is ${active.status} in ` +
        `${region}${active.createdAt ? ` since ${active.createdAt}` : ''}; nothing was injected. ` +
        `Wait for it to end, or if that run is dead, run \`gameday recover\` on its run directory`,
    );
  }
}

export class AwsTargetBusyError extends GamedayError {}

/**
 * `gameday recover` of a dead run also removes that run's lock, so the target is free
 * again at once (the next run would take it over anyway). Only the run's own lock, and
 * only once its process is gone.
 */
export function releaseLockOfDeadRun(file: string, runId: string): boolean {
  const holder = readLock(file);
  if (!holder || holder.runId !== runId || !isStale(holder)) return false;
  return removeIfUnchanged(file, holder);
}
