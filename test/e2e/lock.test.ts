/**
 * One run per target: a second `gameday run` against a lab (or endpoints) another run is
 * using is refused, naming the holder, and injects nothing; a lock left by a run that was
 * killed is taken over; every exit path releases the lock.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readJournal } from '../../src/core/journal';
import { labLockFile } from '../../src/targets/lock';
import { repoRoot, runCli, spawnCli, waitForOutput } from '../support/cli';
import { startFlakyService } from '../support/flaky-service';

let dir: string;
let labDir: string;

test.before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-lock-'));
  labDir = path.join(dir, 'lab');
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(repoRoot, path.join(dir, 'node_modules', 'gameday'));
  const up = await runCli(['lab', 'up', '--dir', labDir]);
  assert.is(up.code, 0, up.stderr);
});

test.after(async () => {
  await runCli(['lab', 'down', '--dir', labDir]);
  fs.rmSync(dir, { recursive: true, force: true });
});

function labExperiment(name: string, faultDuration: string, duration: string): string {
  const file = path.join(dir, `${name}.ts`);
  fs.writeFileSync(
    file,
    `import { defineExperiment, faults, probes } from 'gameday';
export default defineExperiment({
  name: ${JSON.stringify(name)},
  target: { kind: 'lab', dir: ${JSON.stringify(labDir)}, api: 'direct' },
  steadyState: { duration: '300ms' },
  traffic: probes.http({ endpoint: 'app-us-east-1', path: '/health', rate: 10 }),
  slos: [{ name: 'available', sli: 'availability', objective: '99.9%', window: '30d', expect: ['budget<2%'] }],
  faults: [
    faults.latency({
      name: 'slow',
      region: 'us-east-1',
      latency: '5ms',
      after: '100ms',
      duration: ${JSON.stringify(faultDuration)},
    }),
  ],
  duration: ${JSON.stringify(duration)},
});
`,
  );
  return file;
}

/** A pid that is certainly dead: a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

test(
  'a second run against a lab in use is refused, naming the holder; nothing is injected; the lock ' +
    'goes with the first run',
  async () => {
    const first = spawnCli(['run', labExperiment('holder', '5m', '10m'), '--out', path.join(dir, 'run-1'), '--no-pdf']);
    await waitForOutput(first.child, (text) => text.includes('fault slow injected'), 60_000);
    const lock = JSON.parse(fs.readFileSync(labLockFile(labDir), 'utf8'));
    assert.is(lock.pid, first.child.pid);
    assert.is(lock.runDir, path.join(dir, 'run-1'));

    const second = await runCli([
      'run',
      labExperiment('second', '1s', '3s'),
      '--out',
      path.join(dir, 'run-2'),
      '--no-pdf',
    ]);
    assert.is(second.code, 4, second.stderr);
    assert.match(second.stdout, /^ERROR {2}second: target busy: the lab in .+ is in use by run /);
    // Refused before it measured anything: its objectives are not measured, not missed.
    assert.match(second.stdout, /SLO available: not measured, .*\(budget<2% not measured\)/);
    assert.ok(
      second.stdout.includes(
        `run ${lock.runId} (pid ${first.child.pid} on ${os.hostname()}, started ${lock.startedAt}, experiment "holder"`,
      ),
      second.stdout,
    );
    const events = readJournal(path.join(dir, 'run-2', 'journal.ndjson'));
    assert.not.ok(
      events.some((event) => event.type === 'fault.injecting'),
      'the refused run injected nothing',
    );
    assert.ok(fs.existsSync(labLockFile(labDir)), 'the refused run left the holder its lock');

    first.child.kill('SIGINT');
    const result = await first.done;
    assert.is(result.code, 3, result.stderr);
    assert.not.ok(fs.existsSync(labLockFile(labDir)), 'released on SIGINT');
  },
);

test("a dead holder's lock is taken over, noted in the journal and on stderr, released at the end", async () => {
  const pid = deadPid();
  const stale = {
    pid,
    pidStartedAt: null,
    host: os.hostname(),
    runId: 'dead-run-1',
    runDir: path.join(dir, 'dead-run'),
    experiment: 'killed',
    target: `the lab in ${labDir}`,
    startedAt: new Date().toISOString(),
  };
  fs.writeFileSync(labLockFile(labDir), JSON.stringify(stale));
  const result = await runCli([
    'run',
    labExperiment('after a crash', '300ms', '1500ms'),
    '--out',
    path.join(dir, 'run-3'),
    '--no-pdf',
  ]);
  assert.is(result.code, 0, result.stderr + result.stdout);
  assert.match(result.stderr, new RegExp(`note: took over the stale lock .+ of run dead-run-1 \\(pid ${pid} `));
  const events = readJournal(path.join(dir, 'run-3', 'journal.ndjson'));
  assert.ok(
    events.some(
      (event) =>
        event.type === 'preflight.check' && event.check === 'lock' && event.ok && event.detail.includes('dead-run-1'),
    ),
  );
  assert.not.ok(fs.existsSync(labLockFile(labDir)), 'released after a passed run');
});

test('a failed run releases the lock too', async () => {
  const file = path.join(dir, 'bad-inject.ts');
  fs.writeFileSync(
    file,
    `import { defineExperiment, faults, probes } from 'gameday';
export default defineExperiment({
  name: 'bad inject',
  target: { kind: 'lab', dir: ${JSON.stringify(labDir)} },
  steadyState: { duration: '300ms' },
  traffic: probes.http({ endpoint: 'app-us-east-1', path: '/health', rate: 10 }),
  faults: [faults.exec({ inject: 'exit 7', rollback: 'true', after: '100ms', duration: '300ms' })],
  duration: '1s',
});
`,
  );
  const result = await runCli(['run', file, '--out', path.join(dir, 'run-4'), '--no-pdf']);
  assert.is(result.code, 4, result.stderr + result.stdout);
  // It held the lock (taken before the target opens) and failed at the inject.
  const types = readJournal(path.join(dir, 'run-4', 'journal.ndjson')).map((event) => event.type);
  assert.ok(types.includes('target.opened') && types.includes('fault.inject-failed'), types.join(', '));
  assert.not.ok(fs.existsSync(labLockFile(labDir)));
});

test('two runs against the same endpoints: the second is refused', async () => {
  const service = await startFlakyService();
  const env = {
    API_URL: service.url,
    DOWN_FILE: service.downFile,
    GAMEDAY_LOCKS_DIR: path.join(dir, 'locks'),
    OUTAGE: '60s',
    DURATION: '90s',
  };
  try {
    const first = spawnCli(
      ['run', 'test/fixtures/valid/long-outage.ts', '--out', path.join(dir, 'run-5'), '--no-pdf'],
      {
        env,
      },
    );
    await waitForOutput(first.child, (text) => text.includes('fault api-down injected'), 15_000);
    const second = await runCli(
      ['run', 'test/fixtures/valid/long-outage.ts', '--out', path.join(dir, 'run-6'), '--no-pdf'],
      {
        env,
      },
    );
    assert.is(second.code, 4, second.stderr);
    assert.match(
      second.stdout,
      new RegExp(`target busy: the endpoints ${service.url} is in use by run .+ \\(pid ${first.child.pid} `),
    );
    assert.not.ok(
      readJournal(path.join(dir, 'run-6', 'journal.ndjson')).some((event) => event.type === 'fault.injecting'),
    );
    first.child.kill('SIGTERM');
    assert.is((await first.done).code, 3);
    assert.equal(fs.readdirSync(path.join(dir, 'locks')), [], 'released on SIGTERM');
  } finally {
    await service.close();
  }
});

test.run();
