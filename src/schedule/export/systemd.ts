import type { ScheduledEntry } from '../entries';
import { cronFields } from './cron-fields';
import { header, onceCommand, unitName, type Exported, type ExportOptions } from './command';
import { onCalendar } from './on-calendar';

/** How long systemd lets a stopped drill roll back and report before it kills it. */
const stopTimeoutSec = 300;

/**
 * A systemd .service (oneshot: one drill, then done) and its .timer. Cron becomes OnCalendar=
 * with the timezone (systemd 235 or later); `every` becomes OnActiveSec=/OnUnitActiveSec=.
 * Persistent= is `missed`: true starts one run at boot for the times the machine was off.
 * AccuracySec=1s, because systemd would otherwise start it up to a minute late; no
 * RandomizedDelaySec=, because gameday draws the window's moment itself, outside blackouts.
 */
export function systemd(entries: ScheduledEntry[], options: ExportOptions): Exported {
  const files = [];
  const notes = new Set<string>();
  for (const entry of entries) {
    const schedule = entry.schedule;
    const name = unitName(entry);
    const when =
      schedule.cron !== undefined
        ? [`OnCalendar=${onCalendar(cronFields(schedule.cron, 'systemd'), schedule.cron, schedule.timezone)}`]
        : [
            `OnActiveSec=${Math.round(schedule.every! / 1000)}s`,
            `OnUnitActiveSec=${Math.round(schedule.every! / 1000)}s`,
          ];
    const persistent = schedule.cron !== undefined && schedule.missed === 'run-once';
    if (schedule.cron === undefined && schedule.missed === 'run-once')
      notes.add("a timer with a fixed period (every) has no Persistent=: missed: 'run-once' is not honoured");
    if (schedule.overlap === 'queue')
      notes.add("a timer firing while its service still runs starts nothing: overlap: 'queue' acts as 'skip'");
    // systemd reads % as a specifier in ExecStart=: doubled, it is a %.
    const command = onceCommand(entry, options)
      .map((word) => (/^[A-Za-z0-9_@+=:,./-]+$/.test(word) ? word : JSON.stringify(word)))
      .join(' ')
      .replace(/%/g, '%%');
    files.push({
      name: `${name}.service`,
      content: [
        ...header(entry, '#'),
        '[Unit]',
        `Description=gameday drill: ${entry.name}`,
        'Wants=network-online.target',
        'After=network-online.target',
        '',
        '[Service]',
        'Type=oneshot',
        `WorkingDirectory=${options.workdir}`,
        `ExecStart=/usr/bin/env ${command}`,
        // The window is waited out inside the service, and a drill takes what it takes.
        'TimeoutStartSec=infinity',
        // SIGTERM rolls the drill back and writes its reports; give it the time.
        `TimeoutStopSec=${stopTimeoutSec}`,
        '',
      ].join('\n'),
    });
    files.push({
      name: `${name}.timer`,
      content: [
        ...header(entry, '#'),
        '[Unit]',
        `Description=gameday schedule: ${entry.name}`,
        '',
        '[Timer]',
        ...when,
        `Persistent=${persistent}`,
        'AccuracySec=1s',
        `Unit=${name}.service`,
        '',
        '[Install]',
        'WantedBy=timers.target',
        '',
      ].join('\n'),
    });
  }
  return { files, notes: [...notes] };
}
