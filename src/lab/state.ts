import fs from 'node:fs';
import path from 'node:path';
import type { LabLayout, RegionLayout } from './topology';

export { isProcessAlive } from '../core/process';

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
  /** The lab's Prometheus while it runs (started on demand): where it answers, and its process for `lab down`. */
  prometheus?: { url: string; pid: number; dataDir: string; startedAt: number } | null;
  /** Where clients enter (the `app` endpoint); absent in the state of a lab older than strategies. */
  entry?: { kind: string; url: string };
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

export function regionUrl(region: RegionLayout, layout: LabLayout): string {
  return `http://${region.address}:${layout.ports.app}`;
}
