import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * What the lab's processes consume, read from /proc: for each process tree the lab
 * started (a region's PostgreSQL postmaster with its backends, its app), every live
 * process's CPU time and resident memory. CPU counts a process's own time plus what its
 * exited children left it (cutime, cstime: a PostgreSQL backend's CPU, once its client
 * disconnects, is its postmaster's), so a tree's CPU is counted once. Memory is each
 * process's private pages (RssAnon) and its shared memory (RssShmem), kept apart because
 * every PostgreSQL process maps the same shared buffers: a sum would count them once per
 * backend. Linux only; elsewhere nothing is read. Every file is read asynchronously: the
 * lab daemon that reads them also carries every region's traffic through its proxies,
 * and a walk of /proc must not hold that traffic up while it measures.
 */
export interface ProcessUsage {
  pid: number;
  /** The command name (/proc/<pid>/comm), e.g. postgres, node. */
  name: string;
  /** utime + stime + cutime + cstime, in ms. */
  cpuMs: number;
  /** RssAnon, bytes. */
  privateBytes: number;
  /** RssShmem, bytes. */
  sharedBytes: number;
}

interface ProcEntry extends ProcessUsage {
  ppid: number;
}

let ticksPerSecond: number | null = null;

/** USER_HZ: the unit of /proc/<pid>/stat's times (100 on every Linux we know, asked once to be sure). */
function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2_000 }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

async function readEntry(pid: number, ticks: number): Promise<ProcEntry | null> {
  try {
    const stat = await fs.promises.readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces or parentheses: fields start after the last ')'.
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime..cstime fields 14..17.
    const ppid = Number(fields[1]);
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
    const status = await fs.promises.readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return {
      pid,
      ppid,
      name,
      cpuMs: Math.round(((utime + stime + cutime + cstime) * 1000) / ticks),
      privateBytes: kb('RssAnon') * 1024,
      sharedBytes: kb('RssShmem') * 1024,
    };
  } catch {
    // Exited while we read.
    return null;
  }
}

/** Files read at once: enough to finish quickly, few enough to leave the thread pool to the rest of the lab. */
const concurrentReads = 4;

/** One reading of every process on the machine, asked for the trees the lab started. */
export interface ProcessTable {
  /** Every live process in the trees rooted at `roots` (absent roots are skipped), roots first. */
  trees(roots: readonly number[]): ProcessUsage[];
}

export async function readProcessTable(): Promise<ProcessTable> {
  const children = new Map<number, number[]>();
  const entries = new Map<number, ProcEntry>();
  if (fs.existsSync('/proc/self/stat')) {
    const ticks = clockTicks();
    const pids = (await fs.promises.readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
    let next = 0;
    const read = async () => {
      while (next < pids.length) {
        const entry = await readEntry(pids[next++], ticks);
        if (entry) entries.set(entry.pid, entry);
      }
    };
    await Promise.all(Array.from({ length: concurrentReads }, read));
    for (const entry of entries.values()) {
      const siblings = children.get(entry.ppid);
      if (siblings) siblings.push(entry.pid);
      else children.set(entry.ppid, [entry.pid]);
    }
  }
  return {
    trees(roots) {
      const found: ProcessUsage[] = [];
      const seen = new Set<number>();
      const visit = (pid: number) => {
        const entry = entries.get(pid);
        if (!entry || seen.has(pid)) return;
        seen.add(pid);
        const { ppid: _ppid, ...usage } = entry;
        found.push(usage);
        for (const child of children.get(pid) ?? []) visit(child);
      };
      for (const root of roots) visit(root);
      return found;
    },
  };
}
