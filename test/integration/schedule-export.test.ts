/**
 * The systemd export checked by systemd itself: `systemd-analyze calendar` reads each
 * OnCalendar= gameday writes and names the same next run times croner computes for the
 * schedule (Europe/Berlin across its autumn DST change, New York, seconds), and
 * `systemd-analyze verify` loads the .service and .timer without a complaint.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scheduleSchema } from '../../src/experiment/schedule';
import { DueTimes } from '../../src/schedule/due-times';
import type { ScheduledEntry } from '../../src/schedule/entries';
import { exportFormats } from '../../src/schedule/export';
import { cronFields } from '../../src/schedule/export/cron-fields';
import { onCalendar } from '../../src/schedule/export/on-calendar';
import { repoRoot } from '../support/cli';

const run = promisify(execFile);
const systemdAnalyze = '/usr/bin/systemd-analyze';

test.before(() => {
  assert.ok(
    fs.existsSync(systemdAnalyze),
    'this test needs systemd-analyze (Debian/Ubuntu: sudo apt-get install -y systemd) to check the systemd export',
  );
});

/** The next elapses systemd names for a calendar expression, from `base` (ISO, UTC). */
async function systemdElapses(calendar: string, base: string, count: number): Promise<string[]> {
  const { stdout } = await run(systemdAnalyze, ['calendar', `--iterations=${count}`, `--base-time=${base}`, calendar], {
    env: { ...process.env, TZ: 'UTC', SYSTEMD_COLORS: '0' },
  });
  return [...stdout.matchAll(/(?:Next elapse|Iter\. #\d+): \w{3} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/g)].map(
    (match) => `${match[1].replace(' ', 'T')}.000Z`,
  );
}

const cases: Array<{ cron: string; timezone: string; from: string }> = [
  { cron: '0 10 * * TUE', timezone: 'Europe/Berlin', from: '2026-10-01T00:00:00Z' },
  { cron: '30 2 * * *', timezone: 'Europe/Berlin', from: '2026-10-22T00:00:00Z' },
  { cron: '*/15 9-17 * * 1-5', timezone: 'America/New_York', from: '2026-11-02T00:00:00Z' },
  { cron: '0 6 1,15 JAN,JUL *', timezone: 'UTC', from: '2026-12-03T00:00:00Z' },
  { cron: '*/20 * * * * *', timezone: 'UTC', from: '2026-12-03T00:00:00Z' },
];

for (const { cron, timezone, from } of cases) {
  test(`OnCalendar= of '${cron}' in ${timezone}: systemd's next runs are croner's`, async () => {
    const calendar = onCalendar(cronFields(cron, 'systemd'), cron, timezone);
    const base = from.replace('T', ' ').replace('.000Z', '').replace('Z', ' UTC');
    const systemd = await systemdElapses(calendar, base, 12);
    const dues = new DueTimes(scheduleSchema.parse({ cron, timezone }), 0);
    const croner: string[] = [];
    for (let due = dues.next(Date.parse(from)); croner.length < 12; due = dues.next(due!))
      croner.push(new Date(due!).toISOString());
    assert.equal(systemd, croner, calendar);
  });
}

test('systemd-analyze verify loads the exported .service and .timer', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-systemd-'));
  try {
    const entry: ScheduledEntry = {
      key: 'k',
      label: 'scenarios/region-gameday.ts',
      file: path.join(repoRoot, 'scenarios', 'region-gameday.ts'),
      name: 'region failover',
      definition: { kind: 'scenario' } as ScheduledEntry['definition'],
      schedule: scheduleSchema.parse({ cron: '0 10 * * TUE', timezone: 'Europe/Berlin', window: '2h' }),
    };
    const { files } = exportFormats.systemd([entry], {
      workdir: repoRoot,
      gameday: 'npx gameday',
      reports: 'reports',
      now: Date.now(),
    });
    for (const file of files) fs.writeFileSync(path.join(dir, file.name), file.content);
    const units = files.map((file) => path.join(dir, file.name));
    const verified = await run(systemdAnalyze, ['verify', '--man=no', ...units]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    assert.is('code' in verified ? verified.code : 0, 0, 'stderr' in verified ? verified.stderr : '');
    // The check can fail: a timer systemd cannot read is refused.
    fs.writeFileSync(path.join(dir, 'broken.timer'), '[Timer]\nOnCalendar=Tue *-*-* 25:00:00\n');
    const broken = await run(systemdAnalyze, ['verify', '--man=no', path.join(dir, 'broken.timer')]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    assert.is.not('code' in broken ? broken.code : 0, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
