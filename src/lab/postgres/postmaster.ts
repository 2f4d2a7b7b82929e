import fs from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from '../state';
import { stopSignals, type PgStopMode } from './stop-mode';

/**
 * Finding and stopping postmasters by pid and data directory, for a process other than the
 * one that started them (`gameday lab down` after a crash, `gameday recover`).
 */

const pollIntervalMs = 25;

/** The postmaster pid recorded in a data directory, if that process is still alive. */
export function readPostmasterPid(dataDir: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: alive but not ours to signal (only possible when not root); still running.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

/**
 * Stop a postmaster left behind by another process (a crashed lab), found by the pid the lab
 * persisted or by the data directory's postmaster.pid. The process's command line must name
 * that data directory, so a recycled pid never gets a stranger killed. Returns whether a
 * postmaster was stopped.
 */
export async function stopOrphanPostmaster(
  dataDir: string,
  options: { pid?: number; mode?: PgStopMode; timeoutMs?: number } = {},
): Promise<boolean> {
  // A remembered pid may be stale (the server was restarted since); postmaster.pid is then the truth.
  const candidates = [options.pid, readPostmasterPid(dataDir)].filter((p): p is number => p !== undefined);
  const pid = candidates.find((candidate) => isPostmasterOf(candidate, path.resolve(dataDir)));
  if (pid === undefined) return false;
  // An exited but unreaped postmaster (its parent, the daemon, was killed) is not alive.
  const alive = () => isProcessAlive(pid);
  const timeoutMs = options.timeoutMs ?? 15_000;
  for (const signal of stopSignals(options.mode ?? 'immediate')) {
    try {
      process.kill(pid, signal);
    } catch {
      return true;
    }
    const deadline = Date.now() + timeoutMs;
    while (alive() && Date.now() < deadline) await delay(pollIntervalMs);
    if (!alive()) return true;
  }
  return !alive();
}

function isPostmasterOf(pid: number, dataDir: string): boolean {
  let argv: string[];
  try {
    argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    // No /proc (macOS) or no such process: fall back to trusting postmaster.pid's owner check.
    return readPostmasterPid(dataDir) === pid;
  }
  const flag = argv.indexOf('-D');
  return flag >= 0 && path.basename(argv[0]) === 'postgres' && path.resolve(argv[flag + 1] ?? '') === dataDir;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
