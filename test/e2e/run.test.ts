import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, spawnCli, waitForOutput } from '../support/cli';
import { startFlakyService } from '../support/flaky-service';

type Service = Awaited<ReturnType<typeof startFlakyService>>;
let service: Service;
let reports: string;

test.before.each(async () => {
  service = await startFlakyService();
  reports = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-reports-'));
});
test.after.each(async () => {
  await service.close();
  fs.rmSync(reports, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) => ({ API_URL: service.url, DOWN_FILE: service.downFile, ...extra });

test('run --json prints summary.json alone on stdout and exits 0 when the hypothesis holds', async () => {
  const result = await runCli(
    ['run', 'test/fixtures/valid/long-outage.ts', '--json', '--reports', reports, '--no-pdf'],
    {
      env: env({ OUTAGE: '1s', DURATION: '3s', RTO_OBJECTIVE: '5s' }),
    },
  );
  assert.is(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.is(summary.schema, 'gameday/run/v2');
  assert.is(summary.status, 'passed');
  assert.is(summary.faults[0].name, 'api-down');
  assert.ok(summary.rto.ms > 800 && summary.rto.ms < 1_300, `rto ${summary.rto.ms}`);
  assert.is(summary.rto.met, true);
  for (const file of ['journal.ndjson', 'summary.json', 'report.md'])
    assert.ok(fs.existsSync(path.join(summary.runDir, file)), file);
  assert.ok(summary.runDir.startsWith(reports));
  assert.match(result.stderr, /fault api-down injected/, 'progress goes to stderr');
});

test('a missed RTO objective exits 1', async () => {
  const out = path.join(reports, 'fixed');
  const result = await runCli(['run', 'test/fixtures/valid/long-outage.ts', '--out', out, '--no-pdf'], {
    env: env({ OUTAGE: '2s', DURATION: '4s', RTO_OBJECTIVE: '500ms' }),
  });
  assert.is(result.code, 1, result.stderr);
  assert.match(result.stdout, /^FAILED {2}long outage: RTO \d+ ms > objective 500 ms/);
  assert.match(
    result.stdout,
    /RTO \d\.\d+s from \S+ \(clients first failed at \+\d+\.\d+s\) \(objective 500ms, MISSED\)/,
  );
  assert.ok(fs.existsSync(path.join(out, 'summary.json')), '--out is the run directory');
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} during a fault rolls it back and exits 3`, async () => {
    const { child, done } = spawnCli(
      ['run', 'test/fixtures/valid/long-outage.ts', '--json', '--reports', reports, '--no-pdf'],
      {
        env: env(),
      },
    );
    await waitForOutput(child, (text) => text.includes('fault api-down injected'), 15_000);
    assert.ok(fs.existsSync(service.downFile), 'fault is active');
    child.kill(signal);
    const result = await done;
    assert.is(result.code, 3, result.stderr);
    assert.not.ok(fs.existsSync(service.downFile), 'fault rolled back');
    assert.is(fs.readFileSync(`${service.downFile}.log`, 'utf8'), 'rolled-back\n');
    const summary = JSON.parse(result.stdout);
    assert.is(summary.status, 'aborted');
    assert.is(summary.reason, `interrupted by ${signal}`);
    assert.ok(summary.faults[0].revertedAt, 'journal shows the revert');
  });
}

test('an error nothing caught during a fault (a stray timer of a probe) rolls it back and exits 4', async () => {
  const result = await runCli(
    ['run', 'test/fixtures/valid/stray-throw.ts', '--json', '--reports', reports, '--no-pdf'],
    { env: env() },
  );
  assert.is(result.code, 4, result.stderr);
  assert.not.ok(fs.existsSync(service.downFile), 'fault rolled back');
  assert.is(fs.readFileSync(`${service.downFile}.log`, 'utf8'), 'rolled-back\n');
  const uncaught =
    'an error nothing caught: Error: a timer the probe left behind threw (at Timeout._onTimeout ' +
    `(${path.resolve('test/fixtures/valid/stray-throw.ts')}:21:19))`;
  assert.ok(result.stderr.includes(`${uncaught}; stopping the run and rolling back`), result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.is(summary.status, 'error');
  assert.is(summary.reason, `stopped by ${uncaught}`);
  assert.ok(summary.faults[0].revertedAt, 'journal shows the revert');
});

test('a second Ctrl-C says the rollback is still running and does not abandon it', async () => {
  const { child, done } = spawnCli(['run', 'test/fixtures/valid/long-outage.ts', '--reports', reports, '--no-pdf'], {
    env: env({ ROLLBACK_SLEEP: '2' }),
  });
  await waitForOutput(child, (text) => text.includes('fault api-down injected'), 15_000);
  child.kill('SIGINT');
  await waitForOutput(child, (text) => text.includes('rolling back'), 5_000);
  child.kill('SIGINT');
  const result = await done;
  assert.is(result.code, 3);
  assert.match(result.stderr, /rollback is still running/);
  assert.not.ok(fs.existsSync(service.downFile), 'the slow rollback completed');
});

test('failover --dry-run prints the runbook from decide on (nothing to detect), does nothing', async () => {
  const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-dry-run-'));
  fs.rmdirSync(reports);
  const result = await runCli(['failover', 'experiments/region-failover.ts', '--dry-run', '--reports', reports]);
  assert.is(result.code, 0, result.stderr);
  const steps = result.stdout.split('\n').filter((line) => line.startsWith('  '));
  assert.equal(
    steps.map((line) => line.trim().split(', ')[1].split(':')[0]),
    ['decide', 'fence + promote', 'shift traffic', 'verify', 'notify'],
  );
  assert.ok(
    steps.every((line) => line.startsWith('  us-east-1 → eu-west-1, ')),
    steps.join('\n'),
  );
  assert.not.ok(fs.existsSync(reports), 'nothing ran');
});

test.run();
