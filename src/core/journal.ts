import fs from 'node:fs';
import path from 'node:path';
import type { JournalEvent, JournalEventInput } from './events';
import { now } from './clock';
import { Redactor } from './redact';

export const journalFileName = 'journal.ndjson';

/** Per-second batches of numbers, status codes and error codes: nothing a user wrote, and too many to scan. */
const unredactedTypes = new Set<string>(['traffic.samples', 'ledger.samples']);

/**
 * The run journal: append-only NDJSON, one event per line. Each line is written with a
 * synchronous write straight to the file descriptor, so the moment `append` returns the
 * event is in the kernel and survives kill -9 of gameday. Events about changing the
 * world are appended *before* the change is made (see engine/rollback.ts).
 */
export class Journal {
  private seq = 0;
  private fd: number | null;
  private readonly listeners: Array<(event: JournalEvent) => void> = [];
  private readonly redactor = new Redactor();

  private constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'a');
  }

  static create(runDir: string): Journal {
    fs.mkdirSync(runDir, { recursive: true });
    return new Journal(path.join(runDir, journalFileName));
  }

  /**
   * Continues an existing journal whose events the caller has read (`gameday recover`
   * records what it undid in the run's own journal): numbering goes on after them.
   */
  static reopen(runDir: string, existing: readonly JournalEvent[]): Journal {
    const journal = new Journal(path.join(runDir, journalFileName));
    journal.seq = existing.reduce((max, event) => Math.max(max, event.seq), 0);
    return journal;
  }

  /**
   * Stamps, redacts, writes and publishes an event; returns it as written. Listeners
   * (progress, reports) get the redacted copy too, so nothing derived from the journal can
   * show a secret; the caller's own objects are left untouched.
   */
  append<E extends JournalEventInput>(event: E, at: number = now()): JournalEvent {
    const safe = unredactedTypes.has(event.type) ? event : this.redactor.value(event);
    const stamped = { seq: ++this.seq, t: Math.round(at * 1000) / 1000, ...safe } as unknown as JournalEvent;
    if (this.fd !== null) fs.writeSync(this.fd, JSON.stringify(stamped) + '\n');
    for (const listener of this.listeners) {
      try {
        listener(stamped);
      } catch {
        // A crashing listener (progress display, reporter) must never abort the run.
      }
    }
    return stamped;
  }

  onEvent(listener: (event: JournalEvent) => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    if (this.fd === null) return;
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * Follows the journal of a run that is still writing it (`gameday halt` waiting for
 * run.finished, `gameday note` for its note): each read returns the events appended since
 * the last. The writer's appends are whole lines, but a read can land between the bytes of
 * one, so a line without its newline yet is kept back until it is complete; and only the
 * new bytes are read, as a long run's journal grows by megabytes.
 */
export class JournalTail {
  private offset = 0;
  /** The bytes of a line not complete yet: kept as bytes, as the read may have split a character too. */
  private pending = Buffer.alloc(0);

  constructor(readonly file: string) {}

  read(): JournalEvent[] {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const chunks: Buffer[] = [this.pending];
    try {
      const buffer = Buffer.alloc(1 << 16);
      for (;;) {
        const read = fs.readSync(fd, buffer, 0, buffer.length, this.offset);
        if (read === 0) break;
        chunks.push(Buffer.from(buffer.subarray(0, read)));
        this.offset += read;
      }
    } finally {
      fs.closeSync(fd);
    }
    const data = Buffer.concat(chunks);
    const end = data.lastIndexOf(0x0a) + 1;
    this.pending = data.subarray(end);
    const events: JournalEvent[] = [];
    for (const line of data.subarray(0, end).toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        events.push(JSON.parse(line) as JournalEvent);
      } catch {
        // A line torn by a writer killed mid-write, with a later writer's (recover's) after it.
      }
    }
    return events;
  }
}

/** Reads a journal, tolerating a torn last line from a killed writer. */
export function readJournal(file: string): JournalEvent[] {
  const events: JournalEvent[] = [];
  forEachJournalEvent(file, (event) => events.push(event));
  return events;
}

/** How much of a journal is read at a time: a day's journal is hundreds of MB, and only one event is needed at once. */
const readChunkBytes = 1 << 20;

/**
 * Hands each event of a journal to `visit` in order, reading it a megabyte at a time, so
 * what stays in memory is what `visit` keeps, not the file. Lines that do not parse are
 * skipped, as `readJournal` skips them (a line torn by a killed writer). `mentioning`: only
 * lines holding one of these texts are parsed (`'"run.finished"'` for that event type), for
 * a reader that wants a few events of a journal of millions of rows.
 */
export function forEachJournalEvent(
  file: string,
  visit: (event: JournalEvent) => void,
  options: { mentioning?: readonly string[] } = {},
): void {
  const { mentioning } = options;
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(readChunkBytes);
    /** The bytes of a line not complete yet: bytes, as a chunk may split a character. */
    let pending: Buffer = Buffer.alloc(0);
    const parse = (line: string) => {
      if (!line.trim()) return;
      if (mentioning && !mentioning.some((text) => line.includes(text))) return;
      let event: JournalEvent;
      try {
        event = JSON.parse(line) as JournalEvent;
      } catch {
        // Only the last line can be torn; anything after it would be from a later writer.
        return;
      }
      visit(event);
    };
    for (;;) {
      const read = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      const data = pending.length > 0 ? Buffer.concat([pending, buffer.subarray(0, read)]) : buffer.subarray(0, read);
      const end = data.lastIndexOf(0x0a) + 1;
      // Copied: `buffer` is overwritten by the next read.
      pending = Buffer.from(data.subarray(end));
      if (end > 0) for (const line of data.toString('utf8', 0, end).split('\n')) parse(line);
    }
    parse(pending.toString('utf8'));
  } finally {
    fs.closeSync(fd);
  }
}

/** The directories directly under `dir` that hold a journal (runs, a GameDay's steps), by name. */
export function journaledDirs(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, journalFileName)))
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b));
}
