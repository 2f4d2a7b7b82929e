import { formatDuration } from '../../core/duration';
import type { ScheduledEntry } from '../entries';
import { DueTimes } from '../due-times';
import { cronFields, ExportError } from './cron-fields';
import { header, onceCommand, unitName, type Exported, type ExportOptions } from './command';
import { utcCrons } from './utc-cron';

/** GitHub Actions starts scheduled workflows at most this often. */
const shortestIntervalMs = 5 * 60_000;

/**
 * A GitHub Actions workflow per entry: `on.schedule` cron lines in UTC (converted from the
 * schedule's timezone when that keeps one offset all year, refused otherwise), a
 * concurrency group so a run never starts beside another of the same drill, and the run
 * directories uploaded as an artifact. GitHub may start a scheduled run late under load
 * and never starts one it missed.
 */
export function githubActions(entries: ScheduledEntry[], options: ExportOptions): Exported {
  const files = [];
  const notes = new Set<string>();
  for (const entry of entries) {
    const schedule = entry.schedule;
    if (schedule.cron === undefined)
      throw new ExportError(
        `${entry.label}: every ${schedule.every} ms has no GitHub Actions form (on.schedule takes cron only); give ` +
          "the schedule a cron (e.g. cron: '0 10 * * TUE')",
      );
    const dues = new DueTimes(schedule, 0);
    let due = dues.next(options.now)!;
    for (let i = 0; i < 200; i++) {
      const next = dues.next(due)!;
      if (next - due < shortestIntervalMs)
        throw new ExportError(
          `${entry.label}: cron '${schedule.cron}' runs ${formatDuration(next - due)} apart at ` +
            `${new Date(due).toISOString()}; GitHub Actions starts scheduled workflows at most every 5 minutes`,
        );
      due = next;
    }
    const crons = utcCrons(
      cronFields(schedule.cron, 'GitHub Actions'),
      schedule.cron,
      schedule.timezone,
      options.now,
      'GitHub Actions',
    );
    if (schedule.missed === 'run-once')
      notes.add("GitHub never starts a scheduled run it missed: missed: 'run-once' is not honoured");
    if (schedule.overlap === 'skip')
      notes.add("GitHub holds a run until the one going ends (concurrency): overlap: 'skip' acts as 'queue'");
    const name = unitName(entry);
    const command = onceCommand(entry, { ...options, workdir: options.workdir });
    const minutes = Math.ceil((schedule.window ?? 0) / 60_000) + 60;
    files.push({
      name: `${name}.yml`,
      content: [
        ...header(entry, '#'),
        '# GitHub Actions reads cron in UTC; the lines below are the schedule converted to UTC.',
        `name: ${JSON.stringify(`gameday: ${entry.name}`)}`,
        'on:',
        '  schedule:',
        ...crons.map((cron) => `    - cron: ${JSON.stringify(cron)}`),
        '  workflow_dispatch: {}',
        'concurrency:',
        `  group: ${name}`,
        '  cancel-in-progress: false',
        'jobs:',
        '  drill:',
        '    runs-on: ubuntu-latest',
        `    timeout-minutes: ${Math.min(minutes, 360)}`,
        '    steps:',
        '      - uses: actions/checkout@v4',
        '      - uses: actions/setup-node@v4',
        '        with:',
        '          node-version: 20',
        '          cache: npm',
        '      - run: npm ci',
        `      - run: ${JSON.stringify(command.join(' '))}`,
        '      - uses: actions/upload-artifact@v4',
        '        if: always()',
        '        with:',
        `          name: ${name}-reports`,
        `          path: ${JSON.stringify(options.reports)}`,
        '          if-no-files-found: ignore',
        '',
      ].join('\n'),
    });
  }
  return { files, notes: [...notes] };
}
