import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from '../../src/core/process';

// Tests must not leave processes behind: these find the ones a test started, by what the OS shows.

/** One live process, as /proc shows it. */
export interface Proc {
  pid: number;
  ppid: number;
  argv: string[];
}

/** Every live (non-zombie) process, from /proc. */
export function processes(): Proc[] {
  const out: Proc[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' || fields[0] === 'X') continue;
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[argv.length - 1] === '') argv.pop();
      out.push({ pid: Number(entry), ppid: Number(fields[1]), argv });
    } catch {
      // exited while we looked
    }
  }
  return out;
}

export const isDaemon = (p: Proc) => p.argv.some((arg) => /lab[/\\]daemon\.(js|ts)$/.test(arg));
export const isApp = (p: Proc) => p.argv.some((arg) => /lab[/\\]app[/\\]main\.(js|ts)$/.test(arg));

/** What identifies one lab's processes, captured (from its state.json) while it runs. */
export interface LabSnapshot {
  labDir: string;
  daemonPid: number;
  dataRoot: string;
  appPort: number;
  addresses: string[];
  pids: Set<number>;
}

/** Reads the lab's state.json; throws while it is not written yet (or torn). */
export function labSnapshot(labDir: string): LabSnapshot {
  const state = JSON.parse(fs.readFileSync(path.join(labDir, 'state.json'), 'utf8'));
  const pids = new Set<number>([state.daemonPid]);
  for (const region of state.regions) {
    if (region.pgPid) pids.add(region.pgPid);
    if (region.appPid) pids.add(region.appPid);
  }
  return {
    labDir,
    daemonPid: state.daemonPid,
    dataRoot: state.dataRoot,
    appPort: state.layout.ports.appInternal,
    addresses: state.regions.map((region: { address: string }) => region.address),
    pids,
  };
}

export type LabProcess = { pid: number; what: string };

/**
 * The processes still alive that belong to this lab: its daemon (its argv names the lab
 * dir), postmasters of its data root, and apps on its ports (apps of another lab that
 * happens to reuse the ports, parented by that lab's daemon, are not ours).
 */
export function labProcesses(lab: LabSnapshot): LabProcess[] {
  const all = processes();
  const byPid = new Map(all.map((p) => [p.pid, p]));
  const found: LabProcess[] = [];
  for (const p of all) {
    if (p.pid === process.pid) continue;
    const line = p.argv.join(' ');
    if (isDaemon(p) && (p.pid === lab.daemonPid || line.includes(lab.labDir))) {
      found.push({ pid: p.pid, what: `daemon: ${line.slice(0, 160)}` });
      continue;
    }
    const dataDirFlag = p.argv.indexOf('-D');
    if (
      path.basename(p.argv[0] ?? '') === 'postgres' &&
      dataDirFlag >= 0 &&
      (p.argv[dataDirFlag + 1] ?? '').startsWith(lab.dataRoot + path.sep)
    ) {
      found.push({ pid: p.pid, what: `postgres: ${line}` });
      continue;
    }
    if (isApp(p)) {
      const config = appConfig(p);
      const parent = byPid.get(p.ppid);
      const ownedByAnotherLab =
        parent !== undefined &&
        isDaemon(parent) &&
        parent.pid !== lab.daemonPid &&
        !parent.argv.join(' ').includes(lab.labDir);
      const onOurPorts = config !== null && config.port === lab.appPort && lab.addresses.includes(config.host ?? '');
      if ((lab.pids.has(p.pid) || onOurPorts) && !ownedByAnotherLab)
        found.push({ pid: p.pid, what: `app: ${line.slice(0, 160)}` });
    }
  }
  return found;
}

/** A lab app's config: the JSON argument it was started with. */
function appConfig(p: Proc): { host?: string; port?: number } | null {
  const arg = p.argv.find((a) => a.startsWith('{'));
  if (!arg) return null;
  try {
    return JSON.parse(arg);
  } catch {
    return null;
  }
}

/** One line per process, for assertion messages. */
export function describeProcesses(left: LabProcess[]): string {
  return left.map((p) => `  ${p.pid} ${p.what}`).join('\n');
}

/** Cleanup of last resort: SIGKILL whatever of the lab still runs. */
export function killLabProcesses(lab: LabSnapshot): void {
  for (const p of labProcesses(lab)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/**
 * Whether `pid` is running. Exited but not yet reaped counts as gone: a child of this test
 * process stays a zombie until Node handles its SIGCHLD, which a loaded machine delays past
 * the assertion.
 */
export function processAlive(pid: number | undefined): boolean {
  return isProcessAlive(pid);
}

/** Postmasters whose data directory is under `dir`, by command line (other labs may run beside us). */
export function postmastersUnder(dir: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', `postgres -D ${dir}`], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}
