import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { JournalEvent } from '../../src/core/events';

/**
 * Where in a drill an interruption lands, read from the run's own journal: the phases a
 * drill aims at, the one it landed in, and a reader that follows a journal as it is written.
 */

/**
 * The phases a drill aims its interruption at, each opened by a journal event. Every one
 * leaves something different to undo: nothing yet, faults, a writer half moved, a
 * topology failed over, a failback in flight.
 */
export const aims = [
  'steady-state',
  'fault-before-detection',
  'promotion',
  'failed-over',
  'rollback-failback',
] as const;
export type Aim = (typeof aims)[number];

/** Where an interruption landed, in the order a run passes them: the aims' phases, finer, and a run's edges. */
export const phases = [
  'startup',
  'steady-state',
  'fault-before-detection',
  'promotion',
  'failover-failed',
  'failed-over',
  'rollback',
  'failback',
  'post-check',
  'closing',
  'reports',
] as const;
export type Phase = (typeof phases)[number];

const isStep = (event: JournalEvent, step: string, statuses: string[]) =>
  event.type === 'failover.step' && event.step === step && statuses.includes(event.status);
const ended = ['succeeded', 'failed'];

/** The event that opens each aim and the one that closes it (its length, in a calibration drill). */
const aimBounds: Record<Aim, { opens: (event: JournalEvent) => boolean; closes: (event: JournalEvent) => boolean }> = {
  'steady-state': {
    opens: (event) => event.type === 'run.started',
    closes: (event) => event.type === 'fault.injecting',
  },
  'fault-before-detection': {
    opens: (event) => event.type === 'fault.injected',
    closes: (event) => isStep(event, 'detect', ended),
  },
  promotion: {
    opens: (event) => isStep(event, 'detect', ['succeeded']),
    closes: (event) => isStep(event, 'promote', ended),
  },
  'failed-over': {
    opens: (event) => isStep(event, 'promote', ['succeeded']),
    closes: (event) => event.type === 'phase' && event.phase === 'rollback',
  },
  'rollback-failback': {
    opens: (event) => event.type === 'phase' && event.phase === 'rollback',
    closes: (event) => isStep(event, 'failback', ended),
  },
};

export function opensAim(aim: Aim, event: JournalEvent): boolean {
  return aimBounds[aim].opens(event);
}

/** How long each aim's phase lasted in an uninterrupted drill's journal (ms); throws if one is missing. */
export function aimLengths(events: readonly JournalEvent[]): Record<Aim, number> {
  const lengths = {} as Record<Aim, number>;
  for (const aim of aims) {
    const open = events.find(aimBounds[aim].opens);
    const close = open && events.find((event) => event.seq > open.seq && aimBounds[aim].closes(event));
    if (!open || !close)
      throw new Error(`the calibration drill's journal has no ${aim} phase (${open ? 'end' : 'start'})`);
    lengths[aim] = Math.round(close.t - open.t);
  }
  return lengths;
}

/** The phase a run was in at a moment (epoch ms): what its journal had recorded by then. */
export function phaseAt(events: readonly JournalEvent[], at: number): Phase {
  let phase: Phase = 'startup';
  for (const event of events) {
    if (event.t > at) break;
    if (event.type === 'run.started') phase = 'steady-state';
    else if (event.type === 'fault.injecting' && phase === 'steady-state') phase = 'fault-before-detection';
    else if (isStep(event, 'detect', ['succeeded'])) phase = 'promotion';
    else if (isStep(event, 'promote', ['succeeded'])) phase = 'failed-over';
    else if (event.type === 'failover.completed' && !event.ok && phase !== 'failed-over') phase = 'failover-failed';
    else if (isStep(event, 'failback', ['started'])) phase = 'failback';
    else if (event.type === 'phase' && event.phase === 'rollback') phase = 'rollback';
    else if (event.type === 'phase' && event.phase === 'post-check') phase = 'post-check';
    else if (event.type === 'phase' && event.phase === 'done') phase = 'closing';
    else if (event.type === 'run.finished') phase = 'reports';
  }
  return phase;
}

/** A journal read as it grows: whole lines only, a line cut mid-write waits for the rest. */
export class JournalTail {
  readonly events: JournalEvent[] = [];
  private offset = 0;
  private partial = '';
  private readonly decoder = new StringDecoder('utf8');

  constructor(readonly file: string) {}

  /** Reads what was appended since the last call; the new events. */
  poll(): JournalEvent[] {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch {
      return [];
    }
    const fresh: JournalEvent[] = [];
    try {
      const size = fs.fstatSync(fd).size;
      if (size <= this.offset) return fresh;
      const buffer = Buffer.alloc(size - this.offset);
      const read = fs.readSync(fd, buffer, 0, buffer.length, this.offset);
      this.offset += read;
      const lines = (this.partial + this.decoder.write(buffer.subarray(0, read))).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        const event = JSON.parse(line) as JournalEvent;
        this.events.push(event);
        fresh.push(event);
      }
    } finally {
      fs.closeSync(fd);
    }
    return fresh;
  }

  /** The first event that matches, as soon as it is written; null if `gone()` first. */
  async waitFor(match: (event: JournalEvent) => boolean, gone: () => boolean): Promise<JournalEvent | null> {
    const seen = this.events.find(match);
    if (seen) return seen;
    for (;;) {
      const wasGone = gone();
      const found = this.poll().find(match);
      if (found) return found;
      // Read once more after the run ended: its last events were written before it exited.
      if (wasGone) return null;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
