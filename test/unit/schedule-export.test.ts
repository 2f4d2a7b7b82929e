/**
 * Handing a schedule to another scheduler: cron read by croner and written back in standard
 * fields that croner itself finds equivalent (the next hundred runs the same); a timezone
 * moved to UTC for GitHub Actions where one offset holds all year, and refused where it does
 * not; OnCalendar= for systemd; and the configuration files of each format read back as
 * data — with what each scheduler cannot do refused by name, or said.
 */
import { Cron } from 'croner';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scheduleSchema, type ScheduleConfig } from '../../src/experiment/schedule';
import type { ScheduledEntry } from '../../src/schedule/entries';
import { exportFormats } from '../../src/schedule/export';
import type { ExportOptions } from '../../src/schedule/export/command';
import { cronFields, ExportError, standardCron } from '../../src/schedule/export/cron-fields';
import { onCalendar } from '../../src/schedule/export/on-calendar';
import { utcCrons } from '../../src/schedule/export/utc-cron';
import { parseYaml } from '../support/yaml';

const now = Date.parse('2026-12-03T00:00:00Z');

/** The next `count` runs of cron lines in a timezone, merged and in order. */
function runs(crons: string[], timezone: string, count = 100): string[] {
  const all = crons.flatMap((cron) =>
    new Cron(cron, { timezone, paused: true }).nextRuns(count, new Date(now)).map((date) => date.toISOString()),
  );
  return [...new Set(all)].sort().slice(0, count);
}

function refusal(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    assert.instance(error, ExportError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

const equivalent = [
  '0 10 * * TUE',
  '*/15 9-17 * * 1-5',
  '30 2 1,15 * *',
  '0 0 * JAN,JUL *',
  '@weekly',
  '0 0 9 * * MON-FRI',
  '0 9 1 * 0-6',
  '5,10,40-45 */6 * * SAT,SUN',
];

test('standard cron fields: croner finds them the same schedule as the expression they came from', () => {
  for (const expression of equivalent) {
    const written = standardCron(cronFields(expression, 'crontab'), expression, 'crontab');
    assert.equal(runs([written], 'Europe/Berlin'), runs([expression], 'Europe/Berlin'), `${expression} → ${written}`);
  }
  assert.is(standardCron(cronFields('0 10 * * TUE', 'x'), '', 'x'), '0 10 * * 2');
  assert.is(standardCron(cronFields('*/15 9-17 * * 1-5', 'x'), '', 'x'), '*/15 9-17 * * 1-5');
  // Both day fields given: cron runs on either, so a full week is said as 0-6, never '*'.
  assert.is(standardCron(cronFields('0 9 1 * 0-6', 'x'), '', 'x'), '0 9 1 * 0-6');
});

test('what other schedulers cannot say is refused by name: seconds, L, W, #', () => {
  assert.match(
    refusal(() => standardCron(cronFields('*/30 * * * * *', 'crontab'), '*/30 * * * * *', 'crontab')),
    "cron '*/30 * * * * *' runs at seconds of the minute; crontab starts jobs on whole minutes only",
  );
  assert.match(
    refusal(() => cronFields('0 0 L * *', 'crontab')),
    'uses L (the last day of the month)',
  );
  assert.match(
    refusal(() => cronFields('0 9 15W * *', 'crontab')),
    'uses W (the weekday nearest a day)',
  );
  assert.match(
    refusal(() => cronFields('0 9 * * MON#2', 'crontab')),
    'uses # or L on a weekday',
  );
});

test('UTC for GitHub: a fixed offset moves the hours, and the weekday of a run that crosses midnight', () => {
  const tokyo = (expression: string) =>
    utcCrons(cronFields(expression, 'GitHub Actions'), expression, 'Asia/Tokyo', now, 'GitHub Actions');
  assert.equal(tokyo('0 10 * * MON'), ['0 1 * * 1']);
  assert.equal(tokyo('0 3 * * MON'), ['0 18 * * 0'], '03:00 Monday in Tokyo is 18:00 Sunday in UTC');
  assert.equal(tokyo('0 3,12 * * 1-5'), ['0 18 * * 0-4', '0 3 * * 1-5']);
  for (const expression of ['0 3,12 * * 1-5', '*/20 0-4,22 * * *', '0 3 * * MON'])
    assert.equal(runs(tokyo(expression), 'UTC'), runs([expression], 'Asia/Tokyo'), expression);
  const utc = utcCrons(cronFields('0 10 * * TUE', 'x'), '0 10 * * TUE', 'UTC', now, 'GitHub Actions');
  assert.equal(utc, ['0 10 * * 2']);
});

test('UTC for GitHub: refused for a zone with DST, a half-hour offset, a day of the month that would move', () => {
  assert.match(
    refusal(() => utcCrons(cronFields('0 10 * * TUE', 'x'), '0 10 * * TUE', 'Europe/Berlin', now, 'GitHub Actions')),
    'GitHub Actions runs schedules in UTC only, and Europe/Berlin is UTC+01:00 part of the year and UTC+02:00 the rest',
  );
  assert.match(
    refusal(() => utcCrons(cronFields('0 10 * * *', 'x'), '0 10 * * *', 'Asia/Kolkata', now, 'GitHub Actions')),
    'Asia/Kolkata is UTC+05:30, not a whole number of hours from UTC',
  );
  assert.match(
    refusal(() => utcCrons(cronFields('0 3 1 * *', 'x'), '0 3 1 * *', 'Asia/Tokyo', now, 'GitHub Actions')),
    'falls on the day before in UTC at 18h, and a day of the month or a month cannot move a day in cron',
  );
});

test('OnCalendar=: weekdays Monday first, lists and ranges, the timezone; both day fields refused', () => {
  const calendar = (expression: string, timezone = 'Europe/Berlin') =>
    onCalendar(cronFields(expression, 'systemd'), expression, timezone);
  assert.is(calendar('0 10 * * TUE'), 'Tue *-*-* 10:00:00 Europe/Berlin');
  assert.is(calendar('*/15 9-17 * * 1-5'), 'Mon..Fri *-*-* 09..17:00,15,30,45:00 Europe/Berlin');
  assert.is(calendar('0 0 * * SAT,SUN', 'UTC'), 'Sat,Sun *-*-* 00:00:00 UTC');
  assert.is(calendar('30 2 1,15 JAN,JUL *'), '*-01,07-01,15 02:30:00 Europe/Berlin');
  assert.is(calendar('*/4 * * * * *', 'UTC'), '*-*-* *:*:00,04,08,12,16,20,24,28,32,36,40,44,48,52,56 UTC');
  assert.match(
    refusal(() => calendar('0 9 1 * MON')),
    'systemd OnCalendar= runs only when both do',
  );
});

const options: ExportOptions = {
  workdir: '/srv/drills',
  gameday: 'npx gameday',
  reports: 'reports',
  image: 'registry.example.com/drills:1',
  now,
};

function entry(schedule: ScheduleConfig, name = 'region failover'): ScheduledEntry {
  return {
    key: 'k',
    label: 'scenarios/region-gameday.ts',
    file: '/srv/drills/scenarios/region-gameday.ts',
    name,
    definition: { kind: 'experiment' } as ScheduledEntry['definition'],
    schedule: scheduleSchema.parse(schedule),
  };
}

const weekly = { cron: '0 10 * * TUE', timezone: 'Europe/Berlin', window: '2h', missed: 'run-once' as const };

test('crontab: CRON_TZ, the standard fields, cd to the project and run --once; what cron cannot do, said', () => {
  const { files, notes } = exportFormats.crontab([entry(weekly)], options);
  const lines = files[0].content.split('\n');
  assert.ok(lines.includes('CRON_TZ=Europe/Berlin'), files[0].content);
  assert.ok(
    lines.includes(
      '0 10 * * 2 cd /srv/drills && npx gameday schedule run --once scenarios/region-gameday.ts --reports reports',
    ),
    files[0].content,
  );
  assert.ok(
    lines.some((line) => /^# `gameday schedule run --once` applies the 2h window .* and `gameday halt`/.test(line)),
  );
  assert.equal(notes, [
    "cron never starts what it missed while the machine was off: missed: 'run-once' is not honoured",
  ]);
  assert.match(
    refusal(() => exportFormats.crontab([entry({ every: '7d' })], options)),
    'has no crontab form',
  );
});

test('systemd: a oneshot service and its timer, Persistent= from missed, no RandomizedDelaySec', () => {
  const { files } = exportFormats.systemd([entry(weekly)], options);
  assert.equal(
    files.map((file) => file.name),
    ['gameday-region-failover.service', 'gameday-region-failover.timer'],
  );
  const [service, timer] = files.map((file) => file.content.split('\n'));
  for (const line of [
    'Type=oneshot',
    'WorkingDirectory=/srv/drills',
    'ExecStart=/usr/bin/env npx gameday schedule run --once scenarios/region-gameday.ts --reports reports',
    'TimeoutStartSec=infinity',
  ])
    assert.ok(service.includes(line), line);
  for (const line of ['OnCalendar=Tue *-*-* 10:00:00 Europe/Berlin', 'Persistent=true', 'AccuracySec=1s'])
    assert.ok(timer.includes(line), line);
  assert.not.ok(timer.some((line) => line.startsWith('RandomizedDelaySec')));
  const skip = exportFormats.systemd([entry({ ...weekly, missed: 'skip' })], options).files[1].content;
  assert.match(skip, /^Persistent=false$/m);
  const every = exportFormats.systemd([entry({ every: '7d', missed: 'skip' })], options).files[1].content;
  assert.match(every, /^OnActiveSec=604800s\nOnUnitActiveSec=604800s$/m);
});

test('k8s-cronjob: a CronJob with the timezone, Forbid, the deadline from missed, never retried', () => {
  const { files } = exportFormats['k8s-cronjob'](
    [entry(weekly), entry({ ...weekly, missed: 'skip' }, 'other')],
    options,
  );
  const [job, other] = parseYaml(files[0].content) as Array<Record<string, any>>;
  assert.is(job.apiVersion, 'batch/v1');
  assert.is(job.kind, 'CronJob');
  assert.is(job.metadata.name, 'gameday-region-failover');
  assert.is(job.spec.schedule, '0 10 * * 2');
  assert.is(job.spec.timeZone, 'Europe/Berlin');
  assert.is(job.spec.concurrencyPolicy, 'Forbid');
  assert.is(job.spec.startingDeadlineSeconds, 7 * 24 * 3600, 'run-once: one period');
  assert.is(other.spec.startingDeadlineSeconds, 60, 'skip: a minute');
  assert.is(job.spec.jobTemplate.spec.backoffLimit, 0);
  const container = job.spec.jobTemplate.spec.template.spec.containers[0];
  assert.is(container.image, 'registry.example.com/drills:1');
  assert.equal(container.command, [
    'npx',
    'gameday',
    'schedule',
    'run',
    '--once',
    'scenarios/region-gameday.ts',
    '--reports',
    'reports',
  ]);
  assert.match(
    refusal(() => exportFormats['k8s-cronjob']([entry(weekly)], { ...options, image: undefined })),
    '--image',
  );
});

test('github-actions: UTC cron lines, a concurrency group, the reports uploaded; under 5 minutes refused', () => {
  const tokyo = entry({ cron: '0 3,12 * * MON-FRI', timezone: 'Asia/Tokyo', missed: 'skip', overlap: 'queue' });
  const { files, notes } = exportFormats['github-actions']([tokyo], options);
  const [workflow] = parseYaml(files[0].content) as Array<Record<string, any>>;
  assert.equal(workflow.on.schedule, [{ cron: '0 18 * * 0-4' }, { cron: '0 3 * * 1-5' }]);
  assert.equal(workflow.concurrency, { group: 'gameday-region-failover', 'cancel-in-progress': false });
  const steps = workflow.jobs.drill.steps as Array<Record<string, any>>;
  assert.ok(
    steps.some((step) => step.run === 'npx gameday schedule run --once scenarios/region-gameday.ts --reports reports'),
  );
  assert.ok(steps.some((step) => step.uses === 'actions/upload-artifact@v4' && step.with.path === 'reports'));
  assert.equal(notes, []);
  const often = entry({ cron: '*/2 * * * *', timezone: 'UTC' });
  assert.match(
    refusal(() => exportFormats['github-actions']([often], options)),
    'at most every 5 minutes',
  );
  assert.match(
    refusal(() => exportFormats['github-actions']([entry(weekly)], options)),
    'Europe/Berlin is UTC+01:00',
  );
});

test.run();
