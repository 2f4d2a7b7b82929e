import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GamedayError, errorMessage } from '../core/errors';
import { isProcessAlive, processStartTime } from '../core/process';
import { slugOf } from '../core/slug';
import { stateDir, writeFileAtomically } from '../engine/state-dir';

/**
 * What a scheduler knows of one entry (a scheduled file's experiment or GameDay) across
 * restarts, one file each under `$GAMEDAY_STATE_DIR/schedules/`: the last due time it
 * decided on (the cursor), the next it will act on, the drill it claimed before starting it,
 * the last run and skip, and its recent decisions. Written whole and atomically before each
 * action it records, so a restart resumes from what was decided, never from what was meant.
 */

export type DecisionKind = 'scheduled' | 'started' | 'skipped' | 'queued' | 'finished' | 'interrupted';
export type SkipCause = 'halted' | 'blackout' | 'overlap' | 'precondition' | 'missed' | 'stopped';

/** One decision, as the log line says it and the state keeps it. */
export interface Decision {
  /** When it was decided, ISO. */
  at: string;
  /** The entry, as its file is shown. */
  entry: string;
  kind: DecisionKind;
  /** The due time it is about, ISO; null for one about several (missed ones say their span in `reason`). */
  due: string | null;
  cause?: SkipCause;
  /** Several due times decided at once (missed ones): the first, the last, how many. */
  span?: { first: string; last: string; count: number; capped: boolean };
  reason: string;
  runDir?: string;
  status?: string;
}

/** Written before a drill starts: a restart that finds it knows that due time was taken, and what to recover. */
export interface Claim {
  due: string;
  startedAt: string;
  runDir: string;
  pid: number;
  pidStartedAt: string | null;
  host: string;
}

export interface EntryState {
  version: 1;
  file: string;
  name: string;
  kind: 'experiment' | 'scenario';
  /** When a scheduler first took the entry on: where `every` counts from. */
  since: string;
  /** The latest due time decided on (started, skipped or queued); null until the first. */
  cursor: string | null;
  /** The next due time and the moment drawn for it inside its window. */
  next: { due: string; at: string } | null;
  running: Claim | null;
  /** A due time waiting for the drill going to end (overlap: 'queue'). */
  queued: string | null;
  lastRun: {
    due: string;
    startedAt: string;
    finishedAt: string | null;
    runDir: string;
    status: string;
    reason: string;
  } | null;
  lastSkip: { due: string | null; at: string; cause: SkipCause; reason: string } | null;
  /** The latest decisions, oldest first. */
  decisions: Decision[];
}

export const keptDecisions = 50;

export class ScheduleStateError extends GamedayError {}

export function schedulesDir(): string {
  return path.join(stateDir(), 'schedules');
}

/** One entry's identity: its file and the name of what it defines (a renamed drill is a new entry). */
export function entryKey(file: string, name: string): string {
  const slug = slugOf(name, 'entry');
  const hash = createHash('sha256')
    .update(`${path.resolve(file)}\n${name}`)
    .digest('hex')
    .slice(0, 12);
  return `${slug}-${hash}`;
}

export function stateFile(key: string): string {
  return path.join(schedulesDir(), `${key}.json`);
}

/**
 * The entry's state, or null before any scheduler took it on. A file that cannot be read is
 * an error, not a fresh start: the scheduler would no longer know which due times ran.
 */
export function readState(key: string): EntryState | null {
  const file = stateFile(key);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ScheduleStateError(`${file} cannot be read: ${errorMessage(error)}`);
  }
  try {
    const state = JSON.parse(text) as EntryState;
    if (state.version !== 1 || typeof state.since !== 'string' || !Array.isArray(state.decisions))
      throw new Error('not a schedule state (version 1)');
    return state;
  } catch (error) {
    throw new ScheduleStateError(
      `${file} is not a schedule state (${errorMessage(error)}); move it away to start this entry afresh ` +
        '(its record of past runs goes with it)',
    );
  }
}

export function writeState(key: string, state: EntryState): void {
  writeFileAtomically(stateFile(key), JSON.stringify(state, null, 2) + '\n');
}

/** Adds a decision to the state's record (the newest `keptDecisions`) and its last skip. */
export function remember(state: EntryState, decision: Decision): void {
  state.decisions.push(decision);
  if (state.decisions.length > keptDecisions) state.decisions.splice(0, state.decisions.length - keptDecisions);
  if (decision.kind === 'skipped')
    state.lastSkip = { due: decision.due, at: decision.at, cause: decision.cause!, reason: decision.reason };
}

/** Who holds an entry: a long-running scheduler, or one `schedule run --once`. */
export interface Holder {
  pid: number;
  pidStartedAt: string | null;
  host: string;
  mode: 'scheduler' | 'once';
  since: string;
}

/**
 * One process at a time acts on an entry: a lock file beside its state, created exclusively.
 * A lock whose process is gone (killed, crashed) is taken over; one held on another host is
 * respected, as the state directory may be shared.
 */
export function lockEntry(key: string, mode: Holder['mode']): { release: () => void } | { heldBy: Holder } {
  const file = path.join(schedulesDir(), `${key}.lock`);
  fs.mkdirSync(schedulesDir(), { recursive: true });
  const holder: Holder = {
    pid: process.pid,
    pidStartedAt: processStartTime(process.pid),
    host: os.hostname(),
    mode,
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(holder) + '\n', { flag: 'wx' });
      return { release: () => releaseIfOurs(file) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const current = readHolder(file);
    if (current && !holderGone(current)) return { heldBy: current };
    // Gone (or torn): removed, then created afresh above; two takers race on `wx`, and one loses.
    fs.rmSync(file, { force: true });
  }
  const current = readHolder(file);
  if (current) return { heldBy: current };
  throw new ScheduleStateError(`${file} could not be taken`);
}

/** Who holds an entry, as messages and `schedule list` say it. */
export function holderText(holder: Holder): string {
  const what = holder.mode === 'scheduler' ? '`gameday schedule run`' : '`gameday schedule run --once`';
  return `${what} (pid ${holder.pid} on ${holder.host}, since ${holder.since})`;
}

/** The live process that holds an entry now, if one does. */
export function holderOf(key: string): Holder | null {
  const holder = readHolder(path.join(schedulesDir(), `${key}.lock`));
  return holder && !holderGone(holder) ? holder : null;
}

function readHolder(file: string): Holder | null {
  try {
    const holder = JSON.parse(fs.readFileSync(file, 'utf8')) as Holder;
    return typeof holder.pid === 'number' && typeof holder.host === 'string' ? holder : null;
  } catch {
    return null;
  }
}

export function holderGone(holder: Pick<Holder, 'pid' | 'pidStartedAt' | 'host'>): boolean {
  if (holder.host !== os.hostname()) return false;
  if (!isProcessAlive(holder.pid)) return true;
  const started = processStartTime(holder.pid);
  return holder.pidStartedAt !== null && started !== null && started !== holder.pidStartedAt;
}

function releaseIfOurs(file: string): void {
  const current = readHolder(file);
  if (current && current.pid === process.pid && current.host === os.hostname()) fs.rmSync(file, { force: true });
}
