import { defaultStaleAfterMs } from '../../analysis/score';
import { formatDuration } from '../../core/duration';
import { loadEntries, type ScheduledEntry } from '../../schedule/entries';
import { formatLocal } from '../../schedule/local-time';
import { holderGone, holderOf, holderText, readState, type EntryState } from '../../schedule/state';
import { upcomingRuns, type UpcomingRun } from '../../schedule/upcoming';
import { blackoutText, preconditionText, scheduleText } from '../../schedule/words';
import { UsageError } from '../output';
import { shownPath } from '../shown-path';

export interface ScheduleListOptions {
  count: number;
  json: boolean;
}

/**
 * `gameday schedule list [files..]`: each scheduled entry, its schedule and blackouts in
 * words, its next runs (those a blackout skips said as such), and from its state the last
 * run, the last skip and whether a scheduler holds it.
 */
export function scheduleListCommand(files: string[], options: ScheduleListOptions): number {
  if (!Number.isInteger(options.count) || options.count < 1 || options.count > 100)
    throw new UsageError(`--count: expected a whole number from 1 to 100, got ${options.count}`);
  const entries = loadEntries(files);
  const now = Date.now();
  const listed = entries.map((entry) => listing(entry, readState(entry.key), now, options.count));
  if (options.json) process.stdout.write(JSON.stringify(listed, null, 2) + '\n');
  else process.stdout.write(listed.map(text).join('\n'));
  return 0;
}

interface Listing {
  file: string;
  kind: 'experiment' | 'scenario';
  name: string;
  schedule: string;
  timezone: string;
  window: number | null;
  blackout: string[];
  preconditions: string[];
  overlap: string;
  missed: string;
  /** How long each drill stays current evidence (the file's staleAfter, or the default): when to expect the next. */
  staleAfter: number;
  /** The next runs after blackout, and the due times a blackout skips on the way. */
  next: Array<{ due: string; local: string; skipped: string | null }>;
  /** For `every` without a state: the runs count from when a scheduler first takes the entry on. */
  anchoredNow: boolean;
  lastRun: EntryState['lastRun'];
  lastSkip: EntryState['lastSkip'];
  /** Whether a drill of it is claimed as going now. */
  running: EntryState['running'];
  /** The process scheduling it now (`schedule run`, or a `--once`), said in words; null when none does. */
  scheduledBy: string | null;
  decisions: number;
}

function listing(entry: ScheduledEntry, state: EntryState | null, now: number, count: number): Listing {
  const schedule = entry.schedule;
  const anchor = state ? Date.parse(state.since) : Math.ceil(now / 1000) * 1000;
  const after = Math.max(now, state?.cursor ? Date.parse(state.cursor) : 0);
  const runs = upcomingRuns(schedule, anchor, after, count);
  const running = state?.running && !holderGone(state.running) ? state.running : null;
  return {
    file: entry.label,
    kind: entry.definition.kind,
    name: entry.name,
    schedule: scheduleText(schedule),
    timezone: schedule.timezone,
    window: schedule.window ?? null,
    blackout: schedule.blackout.map(blackoutText),
    preconditions: schedule.precondition.map(preconditionText),
    overlap: schedule.overlap,
    missed: schedule.missed,
    staleAfter:
      (entry.definition.kind === 'scenario' ? entry.definition.scenario : entry.definition.experiment).staleAfter ??
      defaultStaleAfterMs,
    next: runs.map((run: UpcomingRun) => ({
      due: new Date(run.due).toISOString(),
      local: formatLocal(run.due, schedule.timezone),
      skipped: run.blackout ? `blackout: ${blackoutText(run.blackout)}` : null,
    })),
    anchoredNow: schedule.every !== undefined && !state,
    lastRun: state?.lastRun ?? null,
    lastSkip: state?.lastSkip ?? null,
    running,
    scheduledBy: ((holder) => (holder ? holderText(holder) : null))(holderOf(entry.key)),
    decisions: state?.decisions.length ?? 0,
  };
}

function text(entry: Listing): string {
  const lines = [`${entry.file}: ${entry.kind === 'scenario' ? 'GameDay' : 'experiment'} ${entry.name}`];
  const field = (label: string, value: string) => lines.push(`  ${label.padEnd(12)}${value}`);
  const window = entry.window ? `; starts at a random moment up to ${formatDuration(entry.window)} later` : '';
  field('when', `${entry.schedule}, ${entry.timezone}${window}`);
  field('blackout', entry.blackout.length > 0 ? entry.blackout.join('; ') : 'none');
  if (entry.preconditions.length > 0) field('precondition', entry.preconditions.join('; '));
  field(
    'policy',
    `overlap ${entry.overlap}; missed ${entry.missed}; evidence stale after ${formatDuration(entry.staleAfter)}`,
  );
  entry.next.forEach((run, index) => {
    const line = run.skipped ? `${run.local}  skipped, ${run.skipped}` : `${run.local}  (${run.due})`;
    lines.push(`  ${(index === 0 ? 'next' : '').padEnd(12)}${line}`);
  });
  if (entry.anchoredNow) lines.push(`  ${''.padEnd(12)}(every counts from when a scheduler first takes it on: now)`);
  const last = entry.lastRun;
  field(
    'last run',
    last
      ? `${last.status.toUpperCase()} ${last.startedAt} (due ${last.due})${last.reason ? `: ${last.reason}` : ''} ` +
          `[${shownPath(last.runDir)}]`
      : 'never',
  );
  if (entry.lastSkip) field('last skip', `${entry.lastSkip.at} ${entry.lastSkip.reason}`);
  if (entry.running) field('running', `since ${entry.running.startedAt} (pid ${entry.running.pid})`);
  field(
    'scheduler',
    entry.scheduledBy ?? 'none running: start one with `gameday schedule run`, or export the schedule',
  );
  return lines.join('\n') + '\n';
}
