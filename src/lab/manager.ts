import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { LabClient } from './client';
import type { DaemonConfig } from './daemon';
import { stopOrphanPostmaster } from './postgres';
import { nodeEntry } from '../core/node-entry';
import { isProcessAlive, readLabState, removeLabState, type LabState } from './state';
import type { LabOptions } from './topology';

export class LabStartError extends Error {
  constructor(
    message: string,
    readonly logFile: string,
  ) {
    super(message);
    this.name = 'LabStartError';
  }
}

export interface RunningLab {
  state: LabState;
  client: LabClient;
  /** Only for labs this process started ephemerally: stops and removes it. */
  stop(): Promise<void>;
}

const startTimeoutMs = 120_000;

/**
 * Starts the lab daemon and resolves once it reports ready. Detached labs (`lab up`)
 * outlive this process; ephemeral ones (`gameday run`) are tied to it by a stdin pipe.
 */
export async function startLab(
  options: LabOptions & { labDir?: string; ephemeral: boolean; preferredPort?: number; prometheus?: boolean },
): Promise<RunningLab> {
  const labDir = options.labDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-lab-run-'));
  fs.mkdirSync(path.join(labDir, 'logs'), { recursive: true });
  const logFile = path.join(labDir, 'logs', 'daemon.log');
  const config: DaemonConfig = { ...options, labDir, ephemeral: options.ephemeral };
  const entry = nodeEntry(path.join(__dirname, 'daemon'));
  const log = fs.openSync(logFile, 'a');
  const child = spawn(entry.command, [...entry.args, JSON.stringify(config)], {
    detached: !options.ephemeral,
    stdio: [options.ephemeral ? 'pipe' : 'ignore', 'pipe', log],
  });
  fs.closeSync(log);

  const message = await firstLine(child, startTimeoutMs).catch((error: Error) => {
    child.kill('SIGTERM');
    throw new LabStartError(`${error.message}; see ${logFile}`, logFile);
  });
  if ('failed' in message) throw new LabStartError(`the lab did not start: ${message.failed}; see ${logFile}`, logFile);
  const state = message.ready;

  child.stdout!.destroy();
  if (!options.ephemeral) child.unref();
  return {
    state,
    client: LabClient.of(state),
    stop: async () => {
      if (!options.ephemeral) return;
      const exited = new Promise<void>((resolve) =>
        child.exitCode !== null ? resolve() : child.once('exit', () => resolve()),
      );
      child.stdin?.end();
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function firstLine(child: ChildProcess, timeoutMs: number): Promise<{ ready: LabState } | { failed: string }> {
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    const timer = setTimeout(
      () => reject(new Error(`the lab did not come up within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    lines.once('line', (line) => {
      clearTimeout(timer);
      lines.close();
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`unexpected output from the lab daemon: ${line.slice(0, 200)}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the lab daemon exited with code ${code} before it was ready`));
    });
  });
}

/** The lab running in `labDir`, if its daemon is alive and answering. */
export async function findRunningLab(labDir: string): Promise<RunningLab | null> {
  const state = readLabState(labDir);
  if (!state || !isProcessAlive(state.daemonPid)) return null;
  const client = LabClient.of(state);
  try {
    await client.status();
  } catch {
    return null;
  }
  return { state, client, stop: async () => undefined };
}

/**
 * Stops the lab in `labDir` and removes its data: politely through the daemon when it
 * answers; otherwise (daemon killed) by stopping the processes the state file names,
 * so nothing is ever left running.
 */
export async function stopLab(labDir: string): Promise<{ stopped: boolean; orphansKilled: number }> {
  const state = readLabState(labDir);
  if (!state) return { stopped: false, orphansKilled: 0 };
  if (isProcessAlive(state.daemonPid) && isOurDaemon(state.daemonPid, state.labDir)) {
    try {
      process.kill(state.daemonPid, 'SIGTERM');
    } catch {
      // raced with its exit
    }
    await waitFor(() => !isProcessAlive(state.daemonPid), 30_000);
    try {
      if (isProcessAlive(state.daemonPid)) process.kill(state.daemonPid, 'SIGKILL');
    } catch {
      // raced with its exit
    }
  }
  let orphansKilled = 0;
  const prometheus = state.prometheus;
  if (prometheus && isProcessAlive(prometheus.pid) && isOurPrometheus(prometheus.pid, prometheus.dataDir)) {
    process.kill(prometheus.pid, 'SIGKILL');
    orphansKilled++;
  }
  for (const region of state.regions) {
    if (region.appPid && isProcessAlive(region.appPid) && isOurApp(region.appPid)) {
      process.kill(region.appPid, 'SIGKILL');
      orphansKilled++;
    }
    if (
      region.pgDataDir &&
      (await stopOrphanPostmaster(region.pgDataDir, { pid: region.pgPid ?? undefined, mode: 'immediate' }).catch(
        () => false,
      ))
    ) {
      orphansKilled++;
    }
  }
  fs.rmSync(state.dataRoot, { recursive: true, force: true });
  removeLabState(labDir);
  fs.rmSync(path.join(labDir, 'logs'), { recursive: true, force: true });
  return { stopped: true, orphansKilled };
}

/** The pid in a stale state file may since belong to a stranger: signal only our daemon for this lab. */
function isOurDaemon(pid: number, labDir: string): boolean {
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    // No /proc (macOS): trust the state file, as before. With /proc, it has just exited.
    return !fs.existsSync('/proc/self/cmdline');
  }
  return /daemon\.(js|ts)\0/.test(cmdline) && cmdline.includes(`"labDir":${JSON.stringify(labDir)}`);
}

function isOurPrometheus(pid: number, dataDir: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`--storage.tsdb.path=${dataDir}`);
  } catch {
    return false;
  }
}

function isOurApp(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${path.sep}app${path.sep}main`);
  } catch {
    return false;
  }
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}
