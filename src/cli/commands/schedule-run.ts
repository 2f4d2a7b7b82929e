import type { RunStatus } from '../../core/events';
import { ConsentRequiredError, assertConsent } from '../../engine/guardrails';
import { loadEntries, type ScheduledEntry } from '../../schedule/entries';
import { ScheduleBusyError, Scheduler } from '../../schedule/scheduler';
import type { Decision } from '../../schedule/state';
import { operatorName } from '../checkpoint-prompt';
import { drillReporters } from '../drill-reporters';
import { UsageError } from '../output';
import { shownPath } from '../shown-path';
import { interruptController } from '../signals';

export interface ScheduleRunOptions {
  once: boolean;
  reports: string;
  pdf: boolean;
  json: boolean;
  approve: boolean;
  yes: boolean;
  /** false: `--no-notify`, the drills tell nobody. */
  notify: boolean;
}

/**
 * `gameday schedule run [files..]`: the scheduler, until SIGTERM or Ctrl-C, one log line per
 * decision on stdout; or, with --once, one run now for an external scheduler, whose exit code
 * is the drill's (0 when it was skipped: a skip is the schedule working).
 */
export async function scheduleRunCommand(files: string[], options: ScheduleRunOptions): Promise<number> {
  const entries = loadEntries(files);
  if (options.once && entries.length > 1)
    throw new UsageError(
      `--once runs one entry, now; ${entries.length} files have a schedule ` +
        `(${entries.map((entry) => entry.label).join(', ')}): name one`,
    );
  const reporters = drillReporters({
    pdf: options.pdf,
    notify: options.notify,
    by: `gameday schedule (${operatorName()})`,
  });
  // Consent and what notifying needs (SLACK_BOT_TOKEN) are asked now, not at 10:00 next Tuesday when nobody is there.
  for (const entry of entries) {
    checkConsent(entry, options.yes);
    reporters.ready(entry.definition);
  }
  const interrupt = interruptController(note, {
    stopping: 'stopping; a drill going rolls back and reports first',
    stillStopping: 'the drill is still rolling back; gameday exits when it is done',
  });
  const scheduler = new Scheduler(entries, {
    reports: options.reports,
    reporters,
    onDecision: (decision) => process.stdout.write(options.json ? JSON.stringify(decision) + '\n' : logLine(decision)),
    signal: interrupt.signal,
    consent: { yes: options.yes, ci: process.env.CI },
    // Unattended: --approve says yes up front, and without it a manual failover is declined, never asked.
    approve: async () => options.approve,
    answerers: { yes: options.yes ? { by: operatorName() } : undefined },
  });
  try {
    if (!options.once) {
      if (!options.json)
        note(
          `scheduling ${entries.map((entry) => entry.label).join(', ')}; runs go to ${shownPath(options.reports)}; ` +
            'stop with Ctrl-C or SIGTERM',
        );
      await scheduler.run();
      return interrupt.exitCode('passed');
    }
    const last = await scheduler.once();
    return interrupt.exitCode(last.kind === 'finished' && last.status ? (last.status as RunStatus) : 'passed');
  } catch (error) {
    if (error instanceof ScheduleBusyError) throw new UsageError(error.message);
    throw error;
  } finally {
    interrupt.dispose();
  }
}

function checkConsent(entry: ScheduledEntry, yes: boolean): void {
  const experiments =
    entry.definition.kind === 'experiment'
      ? [entry.definition.experiment]
      : entry.definition.scenario.steps.flatMap((step) => (step.kind === 'experiment' ? [step.experiment] : []));
  try {
    for (const experiment of experiments) assertConsent(experiment, { yes, ci: process.env.CI }, 'schedule run');
  } catch (error) {
    if (error instanceof ConsentRequiredError) throw new UsageError(`${entry.label}: ${error.message}`);
    throw error;
  }
}

function note(message: string): void {
  process.stderr.write(`gameday: ${message}\n`);
}

const kindWidth = 'interrupted'.length;

/** One decision, one line: when, what, which entry, which due time, why (and the run directory). */
export function logLine(decision: Decision): string {
  const kind = decision.cause ? `${decision.kind} ${decision.cause}` : decision.kind;
  const due = decision.due ? ` due ${decision.due}` : '';
  const status = decision.status ? `${decision.status.toUpperCase()} ` : '';
  const where = decision.runDir ? ` [${shownPath(decision.runDir)}]` : '';
  return `${decision.at} ${kind.padEnd(kindWidth)} ${decision.entry}${due}: ${status}${decision.reason}${where}\n`;
}
