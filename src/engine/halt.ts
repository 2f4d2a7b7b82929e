import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { JournalEventInput } from '../core/events';
import { currentUser, stateDir, writeFileAtomically } from './state-dir';

/**
 * The safety lever, modelled on AWS FIS's: `gameday halt` writes the halt file; every run
 * watching it rolls back and ends `halted`, and while it says halted every new run is
 * refused in preflight, before it opens its target. `gameday halt --release` lifts it. The
 * file is the state, so the lever holds across processes, terminals and reboots, and a run
 * started in any directory sees it.
 */

export const haltFileName = 'halt.json';
export const maxReasonLength = 500;
/** How often a run looks at the halt file: it must see the lever pulled within one second. */
export const haltPollMs = 250;

export function haltFile(): string {
  return path.join(stateDir(), haltFileName);
}

const name = z.string().min(1).max(200);
const isoTime = z.iso.datetime({ offset: true });
const reasonText = z.string().max(maxReasonLength).nullable();

const haltedSchema = z.object({
  version: z.literal(1),
  state: z.literal('halted'),
  since: isoTime,
  by: name,
  host: name,
  reason: reasonText,
});

const releasedSchema = z.object({
  version: z.literal(1),
  state: z.literal('released'),
  since: isoTime,
  by: name,
  host: name,
  /** The halt this release lifted: who pulled the lever and why, kept for whoever looks next. */
  halted: haltedSchema.omit({ version: true, state: true }).nullable(),
});

const haltStateSchema = z.discriminatedUnion('state', [haltedSchema, releasedSchema], {
  error: "expected state 'halted' or 'released'",
});

export type HaltedState = z.output<typeof haltedSchema>;
export type ReleasedState = z.output<typeof releasedSchema>;
export type HaltState = HaltedState | ReleasedState;

/**
 * What the halt file says. A file that cannot be read or makes no sense counts as halted:
 * the lever fails closed, since nobody can tell whether it was pulled.
 */
export type HaltReading =
  | { halted: false; state: ReleasedState | null }
  | { halted: true; state: HaltedState }
  | { halted: true; state: null; problem: string };

/** The halt file's content, or a message naming what is wrong with it. */
export function parseHaltState(text: string): HaltState | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { problem: `not JSON (${(error as Error).message})` };
  }
  const parsed = haltStateSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return { problem: `${where}${issue.message}` };
}

export function readHalt(file: string = haltFile()): HaltReading {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { halted: false, state: null };
    return { halted: true, state: null, problem: `${file} cannot be read: ${(error as Error).message}` };
  }
  const parsed = parseHaltState(text);
  if ('problem' in parsed)
    return { halted: true, state: null, problem: `${file} is not a halt file: ${parsed.problem}` };
  return parsed.state === 'halted' ? { halted: true, state: parsed } : { halted: false, state: parsed };
}

const releaseHint = 'Release with: gameday halt --release';

/** Why a run is refused while the lever is pulled, and what lifts it. */
export function haltedMessage(reading: Extract<HaltReading, { halted: true }>): string {
  if (!reading.state)
    return (
      `gameday cannot tell whether it is halted: ${reading.problem}. ` +
      'Fix or remove that file, or release with: gameday halt --release'
    );
  const { since } = reading.state;
  return `gameday is halted since ${since} by ${who(reading.state)}: ${reasonOf(reading.state)}. ${releaseHint}`;
}

/** The final reason of a run the lever stopped. */
export function haltedRunReason(reading: Extract<HaltReading, { halted: true }>): string {
  if (!reading.state) return `halted: ${haltedMessage(reading)}`;
  return `halted by ${who(reading.state)} at ${reading.state.since} (gameday halt): ${reasonOf(reading.state)}`;
}

function who(state: { by: string; host: string }): string {
  return state.host === os.hostname() ? state.by : `${state.by} on ${state.host}`;
}

function reasonOf(state: { reason: string | null }): string {
  return state.reason ?? 'no reason given';
}

/** The `halt` journal event of a change a run saw in the halt file. */
export function haltEvent(reading: HaltReading): Extract<JournalEventInput, { type: 'halt' }> {
  const unknown = { since: new Date().toISOString(), by: 'unknown', host: os.hostname() };
  if (reading.halted) {
    if (!reading.state) return { type: 'halt', action: 'halt', ...unknown, reason: haltedMessage(reading) };
    const { since, by, host, reason } = reading.state;
    return { type: 'halt', action: 'halt', since, by, host, reason };
  }
  if (!reading.state) return { type: 'halt', action: 'release', ...unknown, reason: 'the halt file was removed' };
  const { since, by, host } = reading.state;
  return { type: 'halt', action: 'release', since, by, host, reason: null };
}

/** Pulls the lever; a lever already pulled stays as it was (the first reason, the first time). */
export function pullLever(reason: string | null, file: string = haltFile()): { state: HaltedState; already: boolean } {
  const current = readHalt(file);
  if (current.halted && current.state) return { state: current.state, already: true };
  const state: HaltedState = {
    version: 1,
    state: 'halted',
    since: new Date().toISOString(),
    by: currentUser(),
    host: os.hostname(),
    reason,
  };
  writeFileAtomically(file, JSON.stringify(state, null, 2) + '\n');
  return { state, already: false };
}

/**
 * Lifts the lever: the file then says who released it and keeps the halt it lifted. Null
 * when gameday was not halted. An unreadable file is replaced: releasing is how it is fixed.
 */
export function releaseLever(
  file: string = haltFile(),
): { released: ReleasedState; lifted: HaltedState | null } | null {
  const current = readHalt(file);
  if (!current.halted) return null;
  const lifted = current.state;
  const released: ReleasedState = {
    version: 1,
    state: 'released',
    since: new Date().toISOString(),
    by: currentUser(),
    host: os.hostname(),
    halted: lifted ? { since: lifted.since, by: lifted.by, host: lifted.host, reason: lifted.reason } : null,
  };
  writeFileAtomically(file, JSON.stringify(released, null, 2) + '\n');
  return { released, lifted };
}

/**
 * A run's view of the halt file. Polled rather than fs.watch'ed: inotify misses changes on
 * network filesystems and some containers' overlays, and a stat every 250 ms costs nothing
 * next to a run. Only a change of what the file says is reported, not a rewrite of the same.
 */
export class HaltWatcher {
  private signature: string;
  private reading: HaltReading;
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly file: string = haltFile()) {
    this.signature = signatureOf(file);
    this.reading = readHalt(file);
  }

  get current(): HaltReading {
    return this.reading;
  }

  start(onChange: (reading: HaltReading) => void, intervalMs = haltPollMs): void {
    this.timer = setInterval(() => {
      const signature = signatureOf(this.file);
      if (signature === this.signature) return;
      this.signature = signature;
      const reading = readHalt(this.file);
      if (identity(reading) === identity(this.reading)) return;
      this.reading = reading;
      try {
        onChange(reading);
      } catch {
        // The run's own handler journals and stops; nothing here may end the polling.
      }
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** Changes whenever the file is replaced (a new inode), rewritten or removed. */
function signatureOf(file: string): string {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  return stat ? `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}` : 'absent';
}

function identity(reading: HaltReading): string {
  if (reading.state) return `${reading.state.state} ${reading.state.since}`;
  return reading.halted ? `unreadable ${reading.problem}` : 'absent';
}
