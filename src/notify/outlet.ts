import type { JournalEvent, RunStatus } from '../core/events';
import type { Message } from './message';
import type { Ending, Update } from './run-messages';

/**
 * Where a run's story goes — a Slack thread, a webhook — behind the reporters that compose
 * it (notify/reporters.ts). `open` and `update` are called on the journal's write path and
 * must only queue; `close` delivers the verdict within its deadline and throws, with one
 * line saying what was not delivered, when anything was not.
 */
export interface Outlet {
  /** How its problems are introduced: 'Slack #gameday', 'webhook hooks.example.com'. */
  readonly name: string;
  open(message: Message, subject: Subject, event: JournalEvent): void;
  update(update: Update, subject: Subject, event: JournalEvent): void;
  close(ending: Ending, end: EndDetails): Promise<void>;
}

/** What an event is about: the run (or the GameDay) and, in a GameDay, the step's experiment. */
export interface Subject {
  /** The run's id, or the GameDay's for anything in its thread. */
  runId: string;
  experiment: string | null;
  scenario: string | null;
  step: number | null;
}

export interface EndDetails {
  subject: Subject;
  status: RunStatus | 'running';
  reason: string;
  runDir: string;
  /** report.pdf, when this run wrote one. */
  pdf: string | null;
  /** The verdict's figures as data, for receivers that read JSON. */
  verdict: Record<string, unknown>;
  /** When the run ended (ms since the epoch). */
  at: number;
}
