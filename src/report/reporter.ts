import type { RunSummary } from '../analysis/summary';
import type { JournalEvent, RunStatus } from '../core/events';
import { errorMessage } from '../core/errors';

/** How a run ended, as reporters are told at its end. */
export interface RunOutcome {
  /** 'running' when a journal is re-rendered whose run never finished. */
  status: RunStatus | 'running';
  reason: string;
  summary: RunSummary;
  runDir: string;
}

/**
 * Anything that consumes a run: the files of its reports, live progress, notifications (notify/).
 * Every hook is optional; Playwright's reporters are the model. Hooks run in the order
 * the reporters were given, and one that throws is noted and never stops the others,
 * the run, its rollback or its verdict.
 */
export interface Reporter<O = RunOutcome> {
  /** Names it where its problems are said. */
  name: string;
  /** How a failure of its onEnd follows its name: 'not written' (a report file, the default), 'not delivered'. */
  endFailure?: string;
  /** Every journal event, as it is written (already redacted). */
  onEvent?(event: JournalEvent): void;
  /** Once the run (or the GameDay) has ended and its summary is final; returns the files it wrote. */
  onEnd?(outcome: O): Promise<string[] | void> | string[] | void;
}

/** What the reporters did at the end of a run. */
export interface ReportOutcome {
  /** Files written, absolute paths. */
  written: string[];
  /** One line per reporter that failed; the verdict does not depend on them. */
  problems: string[];
}

/** Runs several reporters as one, each isolated from the others' failures. */
export class Reporters<O = RunOutcome> {
  private readonly failedOnEvent = new Set<Reporter<O>>();

  constructor(private readonly reporters: readonly Reporter<O>[]) {}

  onEvent(event: JournalEvent): void {
    for (const reporter of this.reporters) {
      if (!reporter.onEvent || this.failedOnEvent.has(reporter)) continue;
      try {
        reporter.onEvent(event);
      } catch {
        // A reporter that throws on one event would throw on the next: it sits out the run.
        this.failedOnEvent.add(reporter);
      }
    }
  }

  async onEnd(outcome: O): Promise<ReportOutcome> {
    const result: ReportOutcome = { written: [], problems: [] };
    for (const reporter of this.reporters) {
      if (!reporter.onEnd) continue;
      try {
        result.written.push(...((await reporter.onEnd(outcome)) ?? []));
      } catch (error) {
        result.problems.push(`${reporter.name} ${reporter.endFailure ?? 'not written'}: ${errorMessage(error)}`);
      }
    }
    for (const reporter of this.failedOnEvent)
      result.problems.push(`${reporter.name} stopped following the run: it failed on an event`);
    return result;
  }
}
