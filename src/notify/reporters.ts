import fs from 'node:fs';
import path from 'node:path';
import { stepRunRecord } from '../analysis/step-record';
import { errorMessage } from '../core/errors';
import type { JournalEvent } from '../core/events';
import { reportFiles } from '../report/files';
import type { Reporter, RunOutcome } from '../report/reporter';
import { DayNarrator, type DayOutcome } from './day-messages';
import { reportLink } from './message';
import type { Outlet, Subject } from './outlet';
import { RunNarrator, type StartContext } from './run-messages';

/** What the reporters need besides the journal: who started the run, whom to call, where the report will be. */
export interface ReporterContext {
  by: string;
  action: StartContext['action'];
  mention: string[];
  /** A URL template with `{runId}`, or none. */
  reportUrl: string | undefined;
}

/** One experiment step of a GameDay, as the scenario runner announces it to its step reporters. */
export interface StepInfo {
  step: number;
  total: number;
  name: string;
  runDir: string;
}

/**
 * A notifier as a reporter of one run: each journal event goes through the narrator, and
 * what it says goes to the outlet's queue; onEvent never throws (a failure to compose a
 * line is kept and said at the end, where the reporter's problems are said), onEnd
 * delivers the verdict within the outlet's deadline.
 */
export function runReporter(outlet: Outlet, context: ReporterContext): Reporter<RunOutcome> {
  const narrator = new RunNarrator(context.mention);
  const failures: string[] = [];
  let subject: Subject | null = null;
  let link: string | null = null;
  return {
    name: outlet.name,
    endFailure: 'not delivered',
    onEvent(event) {
      told(failures, event, () => {
        if (event.type === 'run.started') {
          subject = { runId: event.runId, experiment: event.experiment, scenario: null, step: null };
          link = reportLink(context.reportUrl, event.runId);
          outlet.open(narrator.start(event, { ...context, reportUrl: link }), subject, event);
          return;
        }
        const update = narrator.update(event);
        if (update && subject) outlet.update(update, subject, event);
      });
    },
    async onEnd(outcome) {
      const ending = narrator.finish(outcome, link);
      const end = {
        subject: subject ?? {
          runId: outcome.summary.runId,
          experiment: outcome.summary.experiment,
          scenario: null,
          step: null,
        },
        status: outcome.status,
        reason: outcome.reason,
        runDir: outcome.runDir,
        pdf: freshPdf(outcome.runDir, outcome.summary.startedAt),
        verdict: { ...stepRunRecord(outcome.summary, outcome.runDir), runDir: outcome.runDir },
        at: Date.parse(outcome.summary.endedAt ?? '') || Date.now(),
      };
      await closing(failures, () => outlet.close(ending, end));
    },
  };
}

/**
 * A notifier of a GameDay: one reporter for the day's journal and one per experiment step's
 * run, all telling the same outlet — one thread for the whole day.
 */
export function dayReporters(
  outlet: Outlet,
  context: Omit<ReporterContext, 'action'>,
): { reporter: Reporter<DayOutcome>; stepReporter: (step: StepInfo) => Reporter } {
  const narrator = new DayNarrator(context.mention);
  const failures: string[] = [];
  let day: Subject | null = null;
  let link: string | null = null;
  const reporter: Reporter<DayOutcome> = {
    name: outlet.name,
    endFailure: 'not delivered',
    onEvent(event) {
      told(failures, event, () => {
        if (event.type === 'scenario.started') {
          day = { runId: event.runId, experiment: null, scenario: event.scenario, step: null };
          link = reportLink(context.reportUrl, event.runId);
          outlet.open(narrator.start(event, { ...context, reportUrl: link }), day, event);
          return;
        }
        const update = narrator.update(event);
        if (update && day) {
          const step = 'step' in event && typeof event.step === 'number' ? event.step : null;
          outlet.update(update, { ...day, step }, event);
        }
      });
    },
    async onEnd(outcome) {
      const ending = narrator.finish(outcome, link);
      const { summary } = outcome;
      const end = {
        subject: day ?? { runId: summary.runId, experiment: null, scenario: summary.scenario, step: null },
        status: outcome.status,
        reason: outcome.reason,
        runDir: outcome.runDir,
        pdf: freshPdf(outcome.runDir, summary.startedAt),
        verdict: {
          durationMs: summary.durationMs,
          experiments: summary.experiments.map(({ notes: _notes, ...experiment }) => experiment),
          checkpoints: summary.checkpoints,
          budget: summary.budget,
          worst: summary.worst,
          objectives: summary.objectives,
        },
        at: Date.parse(summary.endedAt ?? '') || Date.now(),
      };
      await closing(failures, () => outlet.close(ending, end));
    },
  };
  const stepReporter = (step: StepInfo): Reporter => {
    const steps = narrator.forStep(step);
    let subject: Subject | null = null;
    return {
      name: `${outlet.name} (step ${step.step})`,
      onEvent(event) {
        told(failures, event, () => {
          if (event.type === 'run.started') {
            // The step's run opens no thread of its own: the narrator only learns what the run will do.
            steps.start(event, { ...context, action: 'run', reportUrl: null });
            subject = day && { ...day, experiment: event.experiment, step: step.step };
            return;
          }
          const update = steps.update(event);
          if (update && subject) outlet.update(update, subject, event);
        });
      },
    };
  };
  return { reporter, stepReporter };
}

/** Composes and queues what an event says; a failure is kept (once per kind of event) for the end. */
function told(failures: string[], event: JournalEvent, tell: () => void): void {
  try {
    tell();
  } catch (error) {
    const line = `composing ${event.type}: ${errorMessage(error)}`;
    if (!failures.includes(line)) failures.push(line);
  }
}

/** The outlet's own problems and the lines that could not be composed, said as one when there are any. */
async function closing(failures: string[], close: () => Promise<void>): Promise<void> {
  let problem: string | null = null;
  try {
    await close();
  } catch (error) {
    problem = errorMessage(error);
  }
  const all = [...failures, ...(problem === null ? [] : [problem])];
  if (all.length > 0) throw new Error(all.join('; '));
}

/** This run's report.pdf: one left in a reused run directory by an earlier run (--out, --no-pdf) is not sent. */
function freshPdf(runDir: string, startedAt: string): string | null {
  const file = path.join(runDir, reportFiles.pdf);
  try {
    return fs.statSync(file).mtimeMs >= Date.parse(startedAt) ? file : null;
  } catch {
    return null;
  }
}
