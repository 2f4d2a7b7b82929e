import type { ScheduledEntry } from '../entries';
import { cronFields, ExportError, standardCron } from './cron-fields';
import { header, onceCommand, shellWord, type Exported, type ExportOptions } from './command';

/**
 * Lines for a crontab (cronie, Vixie cron): CRON_TZ sets the timezone the times are read
 * in (cronie reads it; Debian's cron does not, and reads them in its own). cron starts
 * nothing it missed while the machine was off, and on the same machine the entry's lock in
 * the state directory makes a second start wait or skip as `overlap` says.
 */
export function crontab(entries: ScheduledEntry[], options: ExportOptions): Exported {
  const lines = [
    '# gameday scheduled drills: add to a crontab with `crontab -e` (or write to /etc/cron.d with a user).',
  ];
  const notes = new Set<string>();
  for (const entry of entries) {
    const schedule = entry.schedule;
    if (schedule.cron === undefined)
      throw new ExportError(
        `${entry.label}: every ${schedule.every} ms has no crontab form (cron fires at wall-clock times); give the ` +
          "schedule a cron (e.g. cron: '0 10 * * TUE'), or export --format systemd, which has fixed periods",
      );
    const cron = standardCron(cronFields(schedule.cron, 'crontab'), schedule.cron, 'crontab');
    if (schedule.missed === 'run-once')
      notes.add("cron never starts what it missed while the machine was off: missed: 'run-once' is not honoured");
    // % ends a crontab command line; escaped, it is a %.
    const command = onceCommand(entry, options).map(shellWord).join(' ').replace(/%/g, '\\%');
    lines.push(
      '',
      ...header(entry, '#'),
      `CRON_TZ=${schedule.timezone}`,
      `${cron} cd ${shellWord(options.workdir).replace(/%/g, '\\%')} && ${command}`,
    );
  }
  const said = [...notes];
  return {
    files: [{ name: 'gameday.crontab', content: [...lines, ...said.map((note) => `# ${note}`), ''].join('\n') }],
    notes: said,
  };
}
