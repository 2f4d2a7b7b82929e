/**
 * The safety lever on a real lab: `gameday halt` during a run with active faults (a FIS
 * partition and a Route 53 health-check inversion) — the run sees it within a second, rolls
 * everything back and ends `halted`; the lab is healthy after. While halted, `run` and
 * `failover` are refused with the message and inject nothing. A run killed with -9 is
 * named with the recover command, and its FIS experiment is stopped by the halt itself.
 * After `--release`, a run works again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EventOf, JournalEvent } from '../../src/core/events';
import { readJournal } from '../../src/core/journal';
import { repoRoot, runCli, spawnCli, waitForOutput } from '../support/cli';
import { eventually } from '../support/eventually';
import { assertStartingTopology, labStatus } from '../support/lab-topology';

let dir: string;
let labDir: string;
let outage: string;
let failover: string;
let quiet: string;

test.before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-halt-'));
  // This file's own lever: every CLI it spawns inherits it, so its halts stop nobody else's runs.
  process.env.GAMEDAY_STATE_DIR = path.join(dir, 'state');
  labDir = path.join(dir, 'lab');
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(repoRoot, path.join(dir, 'node_modules', 'gameday'));
  const up = await runCli(['lab', 'up', '--dir', labDir]);
  assert.is(up.code, 0, up.stderr);
  const experiment = (name: string, body: string) => {
    const file = path.join(dir, `${name}.ts`);
    fs.writeFileSync(
      file,
      `import { defineExperiment, faults, probes } from 'gameday';
export default defineExperiment({
  name: ${JSON.stringify(name)},
  target: { kind: 'lab', dir: ${JSON.stringify(labDir)} },
  steadyState: { duration: '500ms' },
  traffic: probes.http({ endpoint: 'app-eu-west-1', path: '/health', rate: 10, timeout: '1s' }),
${body}
});
`,
    );
    return file;
  };
  outage = experiment(
    'halt me',
    `  faults: [
    faults.regionOutage({
      name: 'cut-us-east-1', region: 'us-east-1', scope: 'cross-region', after: '200ms', duration: '5m',
    }),
    faults.healthCheckFailure({ name: 'us-east-1-check', region: 'us-east-1', after: '400ms', duration: '5m' }),
  ],
  duration: '10m',`,
  );
  failover = experiment(
    'fail over while halted',
    `  failover: { kind: 'unplanned', from: 'us-east-1', to: 'eu-west-1', detect: { healthCheck: true } },
  duration: '10s',`,
  );
  quiet = experiment('after the release', `  duration: '1s',`);
});

test.after(async () => {
  await runCli(['halt', '--release']);
  await runCli(['lab', 'down', '--dir', labDir]);
  fs.rmSync(dir, { recursive: true, force: true });
});

async function runUntilFaulted(runDir: string) {
  const run = spawnCli(['run', outage, '--out', runDir, '--no-pdf'], { cwd: dir });
  await waitForOutput(run.child, (text) => text.includes('fault us-east-1-check injected'), 60_000);
  return run;
}

function one<T extends JournalEvent['type']>(events: JournalEvent[], type: T): EventOf<T> {
  const found = events.filter((event): event is EventOf<T> => event.type === type);
  assert.is(found.length, 1, `one ${type}`);
  return found[0];
}

async function labIsClean(): Promise<void> {
  await assertStartingTopology(labDir);
  for (const region of (await labStatus(labDir)).regions) {
    for (const proxy of region.proxies) assert.equal(proxy.toxics, [], `${region.name} ${proxy.name}: no toxic left`);
  }
}

test('halt during active faults: seen within 1s, rolled back, the run ends halted; the lab is healthy', async () => {
  const runDir = path.join(dir, 'halted');
  const run = await runUntilFaulted(runDir);
  const haltStarted = Date.now();
  const command = spawnCli(['halt', '--reason', 'payments deploy in progress']);
  const ran = await run.done;
  const runExitedAfterMs = Date.now() - haltStarted;
  const halted = await command.done;

  assert.is(ran.code, 5, ran.stderr + ran.stdout);
  assert.match(ran.stderr, /HALT by \S+: payments deploy in progress; stopping the run and rolling back/);
  assert.match(ran.stdout, /^HALTED {2}halt me: halted by \S+ at \S+ \(gameday halt\): payments deploy in progress/);
  assert.is(halted.code, 0, halted.stderr + halted.stdout);
  assert.match(halted.stdout, /gameday is halted since \S+ by \S+ on \S+: payments deploy in progress/);
  assert.match(halted.stdout, /stopping run \S+ \(pid \d+, "halt me", /);
  assert.match(halted.stdout, /run \S+: halted \d+(ms|\.\d+s) after the halt: halted by /);
  assert.match(halted.stdout, /FIS us-east-1 \(http:\/\/127\.0\.0\.1:\d+\): no gameday experiment left running/);

  const events = readJournal(path.join(runDir, 'journal.ndjson'));
  const halt = one(events, 'halt');
  const finished = one(events, 'run.finished');
  assert.is(finished.status, 'halted');
  assert.is(halt.reason, 'payments deploy in progress');
  // The journal's order: the halt, then every fault reverted (newest first), then the end.
  const order = events
    .filter((event) => ['halt', 'fault.reverting', 'fault.reverted', 'run.finished'].includes(event.type))
    .map((event) => `${event.type}${'fault' in event ? ` ${event.fault}` : ''}`);
  assert.equal(order, [
    'halt',
    'fault.reverting us-east-1-check',
    'fault.reverted us-east-1-check',
    'fault.reverting cut-us-east-1',
    'fault.reverted cut-us-east-1',
    'run.finished',
  ]);
  // Timed from when the lever was pulled (the halt file's `since`; the CLI's own start-up comes before it).
  const pulledAt = Date.parse(halt.since);
  const sawItAfterMs = halt.t - pulledAt;
  const reverts = events.filter((event) => event.type === 'fault.reverting' || event.type === 'fault.reverted');
  const rollbackMs = reverts.at(-1)!.t - reverts[0].t;
  const finishedAfterMs = finished.t - pulledAt;
  console.log(
    `halt: command start → lever pulled ${pulledAt - haltStarted} ms; ` +
      `run saw it after ${Math.round(sawItAfterMs)} ms, ` +
      `rolled back in ${Math.round(rollbackMs)} ms, finished ${Math.round(finishedAfterMs)} ms after the pull, ` +
      `exited ${runExitedAfterMs} ms after the halt command started (its reports written)`,
  );
  assert.ok(sawItAfterMs >= 0 && sawItAfterMs < 1_000, `the run saw the halt after ${sawItAfterMs} ms`);
  assert.ok(finishedAfterMs < 1_000 + rollbackMs + 500, `finished ${finishedAfterMs} ms after the pull`);
  await labIsClean();
});

test('while halted, run and failover are refused with the message and inject nothing', async () => {
  const expected =
    /gameday is halted since \S+ by \S+: payments deploy in progress\. Release with: gameday halt --release/;
  for (const [args, name] of [
    [['run', outage], 'refused-run'],
    [['failover', failover, '--approve'], 'refused-failover'],
  ] as const) {
    const runDir = path.join(dir, name);
    const refused = await runCli([...args, '--out', runDir, '--no-pdf'], { cwd: dir });
    assert.is(refused.code, 5, refused.stderr + refused.stdout);
    assert.match(refused.stdout, new RegExp(`^HALTED {2}.*: ${expected.source}`));
    const events = readJournal(path.join(runDir, 'journal.ndjson'));
    const types = events.map((event) => event.type);
    assert.not.ok(types.includes('fault.injecting'), 'nothing injected');
    assert.not.ok(types.includes('target.opened'), 'the target was not even opened');
    const check = events.find((event): event is EventOf<'preflight.check'> => event.type === 'preflight.check');
    assert.equal([check?.check, check?.ok], ['halt', false]);
    assert.is(one(events, 'run.finished').status, 'halted');
  }
  const halt = await runCli(['halt', '--reason', 'a second reason']);
  assert.match(halt.stdout, /gameday was already halted since \S+ by \S+ on \S+: payments deploy in progress/);
  assert.match(halt.stdout, /no gameday run was running on this machine/);
});

test('a run killed with -9 is named with its recover command; its FIS experiment is stopped by the halt', async () => {
  const released = await runCli(['halt', '--release']);
  assert.match(released.stdout, /released the halt since \S+ by \S+ \(payments deploy in progress\), after /);
  const runDir = path.join(dir, 'killed');
  const run = await runUntilFaulted(runDir);
  run.child.kill('SIGKILL');
  await run.done;

  const halt = await runCli(['halt', '--reason', 'after a crash']);
  assert.is(halt.code, 4, 'a run that died without finishing may have left faults: not a clean stop');
  assert.match(
    halt.stdout,
    new RegExp(
      `its process \\d+ is gone without finishing; undo what it left with: ` +
        `gameday recover ${runDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
    ),
  );
  assert.match(
    halt.stdout,
    /FIS us-east-1 \(http:\/\/127\.0\.0\.1:\d+\): stopped \S+ \(run \S+, fault cut-us-east-1\)/,
  );
  // The partition went with its FIS experiment; the inverted health check waits for recover.
  await eventually(
    async () => {
      const toxics = (await labStatus(labDir)).regions.flatMap((region) =>
        region.proxies.flatMap((proxy) => proxy.toxics),
      );
      return toxics.length === 0 || undefined;
    },
    5_000,
    250,
  );
  const recovered = await runCli(['recover', runDir]);
  assert.is(recovered.code, 0, recovered.stderr + recovered.stdout);
  assert.match(recovered.stdout, /reverted us-east-1-check/);
  assert.not.ok(fs.existsSync(path.join(runDir, 'inbox')), 'recover tidies the dead run');
  await labIsClean();
});

test('after --release a run works again', async () => {
  const released = await runCli(['halt', '--release']);
  assert.match(released.stdout, /released the halt since \S+ by \S+ \(after a crash\)/);
  const runDir = path.join(dir, 'after-release');
  const ran = await runCli(['run', quiet, '--out', runDir, '--no-pdf'], { cwd: dir });
  assert.is(ran.code, 0, ran.stderr + ran.stdout);
  const check = readJournal(path.join(runDir, 'journal.ndjson')).find(
    (event): event is EventOf<'preflight.check'> => event.type === 'preflight.check' && event.check === 'halt',
  );
  assert.is(check?.ok, true);
  const again = await runCli(['halt', '--release']);
  assert.match(again.stdout, /gameday is not halted; nothing to release/);
});

test.run();
