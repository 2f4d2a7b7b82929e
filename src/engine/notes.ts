import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sleep } from '../core/clock';
import { GamedayError } from '../core/errors';
import type { EventOf, JournalEvent, JournalEventInput, NoteKind } from '../core/events';
import { journalFileName, JournalTail } from '../core/journal';
import { isGone, listRuns } from './live-runs';
import { currentUser, writeFileAtomically } from './state-dir';

/**
 * Live notes (`gameday note`): a note, a finding or an action item written from any
 * terminal into a running run's journal, for its timeline and reports.
 *
 * The note goes through the run's process, not straight into its journal file. An
 * O_APPEND write of one short line would land whole, but the run's summary is folded in
 * memory from the events it appends itself and its reports are written from that fold at
 * the end: a line appended behind its back would be in the journal and missing from
 * report.md until someone ran `gameday report`. It would also need a sequence number only
 * the run knows. So the note is dropped as a file into the run's inbox (written aside and
 * renamed in: the run sees it whole or not at all); the run, which already polls the halt
 * file, takes it within a quarter second and journals it like any event (numbered,
 * redacted, folded, shown in its progress). The sender waits for that event in the
 * journal, so "noted" means written. No socket: no path-length limit, nothing to clean up
 * after kill -9, nothing to listen on.
 */

export const maxNoteLength = 1000;
export const maxOwnerLength = 100;
export const inboxDirName = 'inbox';
/** How often a run looks into its inbox; the sender waits for the note to be journaled at most `ackTimeoutMs`. */
export const inboxPollMs = 250;
const ackTimeoutMs = 5_000;
const noteFilePattern = /^\d{13}-[0-9a-f]{8}\.json$/;

/** The note, or the run it names, is not one a note can go to: nothing was sent. */
export class NoteError extends GamedayError {}

/** The note was sent, but the run ended or stalled before it journaled it: nothing was written. */
export class NoteNotTakenError extends GamedayError {}

export interface NoteRequest {
  kind: NoteKind;
  text: string;
  /** An action item's owner; null for notes and findings. */
  owner: string | null;
}

/**
 * A note as given, or a NoteError saying what is wrong with it. The text is stored as
 * written (the reports escape it where they show it); only its size is bounded.
 */
export function validateNote(input: { kind: unknown; text: unknown; owner?: unknown }): NoteRequest {
  const { kind, text, owner } = input;
  if (kind !== 'note' && kind !== 'finding' && kind !== 'action')
    throw new NoteError(`a note's kind is note, finding or action, not ${JSON.stringify(kind)}`);
  if (typeof text !== 'string' || text.trim() === '') throw new NoteError('the note is empty: write what to note');
  const length = [...text].length;
  if (length > maxNoteLength)
    throw new NoteError(
      `the note is ${length} characters; at most ${maxNoteLength} (note where the details are instead)`,
    );
  if (kind !== 'action') {
    if (owner !== undefined && owner !== null) throw new NoteError('only an action item has an owner');
    return { kind, text, owner: null };
  }
  if (typeof owner !== 'string' || owner.trim() === '') throw new NoteError('an action item needs an owner');
  if ([...owner].length > maxOwnerLength)
    throw new NoteError(`the owner is ${[...owner].length} characters; at most ${maxOwnerLength}`);
  return { kind, text, owner: owner.trim() };
}

type NoteEvent = Extract<JournalEventInput, { type: 'note' }>;

/** A note as it waits in a run's inbox. */
interface InboxNote extends NoteRequest {
  version: 1;
  id: string;
  author: string;
  host: string;
}

/** The run's side: takes the notes dropped into its inbox, oldest first, and hands each to be journaled. */
export class NoteInbox {
  readonly dir: string;
  private timer: NodeJS.Timeout | null = null;

  constructor(runDir: string) {
    this.dir = path.join(runDir, inboxDirName);
    fs.mkdirSync(this.dir, { recursive: true });
  }

  start(onNote: (note: NoteEvent) => void, onInvalid: (problem: string) => void, intervalMs = inboxPollMs): void {
    this.take = () => this.takeAll(onNote, onInvalid);
    this.timer = setInterval(() => this.take(), intervalMs);
    this.timer.unref();
  }

  /** Takes what is there one last time and closes the inbox: a note sent later finds no run to take it. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.take();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private take: () => void = () => undefined;

  private takeAll(onNote: (note: NoteEvent) => void, onInvalid: (problem: string) => void): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((name) => noteFilePattern.test(name));
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const file = path.join(this.dir, name);
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        continue; // its sender gave up on it and took it back
      }
      try {
        const note = parseInboxNote(text);
        onNote({
          type: 'note',
          id: note.id,
          kind: note.kind,
          text: note.text,
          owner: note.owner,
          author: note.author,
          host: note.host,
        });
      } catch (error) {
        onInvalid(`${name}: ${(error as Error).message}`);
      }
      // Removed once journaled: a run killed in between leaves the note in its journal, not lost.
      fs.rmSync(file, { force: true });
    }
  }
}

function parseInboxNote(text: string): InboxNote {
  let json: Partial<InboxNote>;
  try {
    json = JSON.parse(text) as Partial<InboxNote>;
  } catch {
    throw new NoteError('not a note (not JSON)');
  }
  const note = validateNote({ kind: json.kind, text: json.text, owner: json.owner ?? undefined });
  const short = (value: unknown) => typeof value === 'string' && value.length > 0 && value.length <= 200;
  if (json.version !== 1 || !short(json.id) || !short(json.author) || !short(json.host))
    throw new NoteError('not a note (version, id, author or host missing)');
  return { ...note, version: 1, id: json.id!, author: json.author!, host: json.host! };
}

export interface SentNote {
  runId: string;
  runDir: string;
  /** The note as the run journaled it. */
  event: EventOf<'note'>;
  /** From the start of the observation, when it had begun. */
  offsetMs: number | null;
}

/**
 * The sender's side (`gameday note`): finds the run (`latest`: the most recent live run on
 * this machine), drops the note into its inbox and waits until the run has journaled it.
 */
export async function sendNote(request: NoteRequest, run: 'latest' | string): Promise<SentNote> {
  const runDir = run === 'latest' ? latestRunDir() : path.resolve(run);
  const journalFile = path.join(runDir, journalFileName);
  if (!fs.existsSync(journalFile))
    throw new NoteError(`${runDir} has no ${journalFileName}; give a run directory (reports/<run-id>) or 'latest'`);
  const tail = new JournalTail(journalFile);
  const events = tail.read();
  const started = events.find((event): event is EventOf<'run.started'> => event.type === 'run.started');
  if (!started) throw new NoteError(`${journalFile} is not a run journal (no run.started)`);
  const refusal = notLive(started, events);
  if (refusal) throw new NoteError(refusal);
  const inbox = path.join(runDir, inboxDirName);
  if (!fs.existsSync(inbox))
    throw new NoteError(
      `run ${started.runId} takes no notes: it has no inbox (a gameday from before \`gameday note\`)`,
    );

  const id = `${Date.now()}-${randomBytes(4).toString('hex')}`;
  const file = path.join(inbox, `${id}.json`);
  const note: InboxNote = { version: 1, id, ...request, author: currentUser(), host: os.hostname() };
  try {
    writeFileAtomically(file, JSON.stringify(note) + '\n');
  } catch (error) {
    throw new NoteError(`the note could not be left in ${inbox}: ${(error as Error).message}`);
  }
  let t0 = events.find((event) => event.type === 'observe.started')?.t0 ?? null;
  const found = (seen: JournalEvent[]) => {
    for (const event of seen) if (event.type === 'observe.started') t0 = event.t0;
    return seen.find((event): event is EventOf<'note'> => event.type === 'note' && event.id === id);
  };
  const sent = (event: EventOf<'note'>): SentNote => ({
    runId: started.runId,
    runDir,
    event,
    offsetMs: t0 === null ? null : Math.round(event.t - t0),
  });

  const deadline = Date.now() + ackTimeoutMs;
  for (;;) {
    await sleep(100);
    const seen = tail.read();
    const event = found(seen);
    if (event) return sent(event);
    const finished = seen.some((e) => e.type === 'run.finished');
    const gone = isGone({ pid: started.pid, pidStartedAt: null, host: started.host });
    if (finished || gone || Date.now() > deadline) {
      // Taken back, unless the run took it in the meantime: then it is in the journal.
      fs.rmSync(file, { force: true });
      const late = found(tail.read());
      if (late) return sent(late);
      const why = finished
        ? 'finished before it took the note'
        : gone
          ? `ended (its process ${started.pid} is gone) before it took the note`
          : `did not take the note within ${ackTimeoutMs / 1000}s (is it stuck?)`;
      throw new NoteNotTakenError(`run ${started.runId} ${why}; nothing was written`);
    }
  }
}

function latestRunDir(): string {
  const live = listRuns().live.filter((run) => run.host === os.hostname());
  const latest = live.at(-1);
  if (!latest) throw new NoteError('no gameday run is running on this machine; name one with --run DIR');
  return latest.runDir;
}

/** Why a run cannot take a note now, or null when it can. */
function notLive(started: EventOf<'run.started'>, events: JournalEvent[]): string | null {
  const finished = events.find((event): event is EventOf<'run.finished'> => event.type === 'run.finished');
  if (finished)
    return (
      `run ${started.runId} has finished (${finished.status}, ${new Date(finished.t).toISOString()}); ` +
      'notes go to a run while it runs'
    );
  if (started.host !== os.hostname())
    return `run ${started.runId} runs on ${started.host}; a note reaches only a run on this machine`;
  if (isGone({ pid: started.pid, pidStartedAt: null, host: started.host }))
    return (
      `run ${started.runId} is not running: its process ${started.pid} is gone without finishing ` +
      `(\`gameday recover ${started.runDir}\` undoes what it left)`
    );
  return null;
}
