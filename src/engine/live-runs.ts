import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isProcessAlive, processStartTime } from '../core/process';
import { stateDir, writeFileAtomically } from './state-dir';

/**
 * The runs going on on this machine, one file each in the state directory: what
 * `gameday halt` stops and `gameday note` writes to (`latest`). A run's lock cannot tell
 * this: an `aws` target has no lock file, and a lab's lock lives in that lab's directory.
 * A run removes its file when it ends; a run killed with -9 cannot, so a reader treats
 * an entry whose process is gone as dead (and removes it once it has said so).
 */
export interface LiveRun {
  runId: string;
  runDir: string;
  experiment: string;
  pid: number;
  /** The kernel's start time of `pid` (Linux): a recycled pid is not this run. */
  pidStartedAt: string | null;
  host: string;
  startedAt: string;
}

export function liveRunsDir(): string {
  return path.join(stateDir(), 'runs');
}

const registered = new Set<string>();
let exitHookInstalled = false;

/** Adds this process's run to the registry; the returned function removes it (and process exit does, at the latest). */
export function registerLiveRun(run: Pick<LiveRun, 'runId' | 'runDir' | 'experiment'>): () => void {
  const entry: LiveRun = {
    ...run,
    pid: process.pid,
    pidStartedAt: processStartTime(process.pid),
    host: os.hostname(),
    startedAt: new Date().toISOString(),
  };
  const file = path.join(liveRunsDir(), `${run.runId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
  writeFileAtomically(file, JSON.stringify(entry, null, 2) + '\n');
  registered.add(file);
  if (!exitHookInstalled) {
    process.on('exit', () => {
      for (const left of registered) fs.rmSync(left, { force: true });
    });
    exitHookInstalled = true;
  }
  return () => {
    if (registered.delete(file)) fs.rmSync(file, { force: true });
  };
}

/**
 * Every registered run, oldest first: the live ones, and those whose process is gone
 * without removing its entry (killed, crashed). Dead entries are removed as they are read:
 * the caller is the one to say so.
 */
export function listRuns(): { live: LiveRun[]; dead: LiveRun[] } {
  const dir = liveRunsDir();
  const live: LiveRun[] = [];
  const dead: LiveRun[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((entry) => entry.endsWith('.json'));
  } catch {
    return { live, dead };
  }
  for (const entry of names) {
    const file = path.join(dir, entry);
    const run = readEntry(file);
    // Unreadable: written by something else, or torn by a full disk; no run can be found from it.
    if (!run) continue;
    if (isGone(run)) {
      fs.rmSync(file, { force: true });
      dead.push(run);
    } else live.push(run);
  }
  const byStart = (a: LiveRun, b: LiveRun) => a.startedAt.localeCompare(b.startedAt);
  return { live: live.sort(byStart), dead: dead.sort(byStart) };
}

function readEntry(file: string): LiveRun | null {
  try {
    const run = JSON.parse(fs.readFileSync(file, 'utf8')) as LiveRun;
    const valid =
      typeof run.runId === 'string' &&
      typeof run.runDir === 'string' &&
      typeof run.pid === 'number' &&
      typeof run.host === 'string' &&
      typeof run.startedAt === 'string';
    return valid ? { ...run, experiment: String(run.experiment ?? '') } : null;
  } catch {
    return null;
  }
}

/** Gone when it ran on this host and its pid is dead or now belongs to another process; another host's is kept. */
export function isGone(run: Pick<LiveRun, 'pid' | 'pidStartedAt' | 'host'>): boolean {
  if (run.host !== os.hostname()) return false;
  if (!isProcessAlive(run.pid)) return true;
  const started = processStartTime(run.pid);
  return run.pidStartedAt !== null && started !== null && started !== run.pidStartedAt;
}
