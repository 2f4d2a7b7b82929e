import fs from 'node:fs';
import path from 'node:path';
import type { EventOf, JournalEvent } from '../core/events';
import { journalFileName } from '../core/journal';

/** The first event of a run directory's journal, read alone (a day's journal begins with what it is). */
export function firstEvent(runDir: string): JournalEvent | null {
  let fd: number;
  try {
    fd = fs.openSync(path.join(runDir, journalFileName), 'r');
  } catch {
    return null;
  }
  try {
    const buffer = Buffer.alloc(256 * 1024);
    const read = fs.readSync(fd, buffer, 0, buffer.length, 0);
    const line = buffer.subarray(0, read).toString('utf8').split('\n')[0];
    return JSON.parse(line) as JournalEvent;
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** How a GameDay's run directory begins, or null for anything else (an experiment's run, no journal). */
export function scenarioStart(runDir: string): EventOf<'scenario.started'> | null {
  const first = firstEvent(runDir);
  return first?.type === 'scenario.started' ? first : null;
}

/** The GameDay started last among the run directories under `reportsDir`; null when there is none. */
export function latestScenarioRunDir(reportsDir: string): string | null {
  if (!fs.existsSync(reportsDir)) return null;
  let latest: { dir: string; t: number } | null = null;
  for (const entry of fs.readdirSync(reportsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(reportsDir, entry.name);
    const started = scenarioStart(dir);
    if (started && (latest === null || started.t > latest.t)) latest = { dir, t: started.t };
  }
  return latest?.dir ?? null;
}
