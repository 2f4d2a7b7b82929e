import fs from 'node:fs';
import path from 'node:path';
import type { LabLayout, RegionLayout } from './topology';

export const stateFileName = 'state.json';
export const defaultLabDir = '.gameday/lab';

/**
 * What a running lab tells other processes about itself (`lab status`, `lab down`,
 * `gameday run`, `gameday recover`). Written by the daemon atomically on every change.
 */
export interface LabState {
  schema: 'gameday/lab/v1';
  labDir: string;
  /** Ephemeral labs belong to one `gameday run` and die with it. */
  ephemeral: boolean;
  daemonPid: number;
  startedAt: string;
  startupMs: number;
  controlUrl: string;
  dns: { host: string; port: number };
  dataRoot: string;
  logDir: string;
  layout: LabLayout;
  regions: Array<{
    name: string;
    address: string;
    role: 'primary' | 'standby';
    appUrl: string;
    pgPid: number | null;
    pgDataDir: string;
    appPid: number | null;
  }>;
}

export function resolveLabDir(labDir?: string): string {
  return path.resolve(labDir ?? process.env.GAMEDAY_LAB_DIR ?? defaultLabDir);
}

export function readLabState(labDir: string): LabState | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(labDir, stateFileName), 'utf8')) as LabState;
  } catch {
    return null;
  }
}

/** Atomic: readers never see half a file. */
export function writeLabState(state: LabState): void {
  fs.mkdirSync(state.labDir, { recursive: true });
  const file = path.join(state.labDir, stateFileName);
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(state, null, 2) + '\n');
  fs.renameSync(temporary, file);
}

export function removeLabState(labDir: string): void {
  fs.rmSync(path.join(labDir, stateFileName), { force: true });
}

export function isProcessAlive(pid: number | null | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * A process that has exited but not been reaped still answers kill(pid, 0). A killed lab
 * daemon is reparented to init, and an init that reaps lazily (or never: a container
 * whose pid 1 is not an init) would otherwise make it look alive for seconds or forever.
 */
function isZombie(pid: number): boolean {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    // No /proc (macOS): kill(0) is all we know. With /proc, it exited just now.
    return fs.existsSync('/proc/self/stat');
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  return state === 'Z' || state === 'X';
}

export function regionUrl(region: RegionLayout, layout: LabLayout): string {
  return `http://${region.address}:${layout.ports.app}`;
}
