import type { EventOf, JournalEvent, NoteKind } from '../core/events';

/** A note, finding or action item written during the run (`gameday note`), as summary.json lists it. */
export interface NoteSummary {
  /** When the run journaled it (within a quarter second of its writing); its offset from the observation's start. */
  at: string;
  offsetMs: number | null;
  kind: NoteKind;
  /** As written; whatever shows it escapes it for its medium. */
  text: string;
  /** An action item's owner; null for notes and findings. */
  owner: string | null;
  /** The OS user who wrote it. */
  author: string;
}

/** The notes of a run, in the order the run took them. */
export class NoteFold {
  private readonly notes: EventOf<'note'>[] = [];

  add(event: JournalEvent): void {
    if (event.type === 'note') this.notes.push(event);
  }

  summaries(offset: (t: number) => number | null): NoteSummary[] {
    return this.notes.map((note) => ({
      at: new Date(note.t).toISOString(),
      offsetMs: offset(note.t),
      kind: note.kind,
      text: note.text,
      owner: note.owner,
      author: note.author,
    }));
  }
}
