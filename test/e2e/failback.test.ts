/**
 * Recovery after a failover done for real (`gameday failover`), through the built CLI on a
 * running lab: a failover experiment run on the failed-over lab ends in preflight, with
 * nothing injected and the fix said; `gameday failover --failback` restores the starting
 * topology; a second failback finds nothing to do and says so.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readJournal } from '../../src/core/journal';
import type { EventOf } from '../../src/core/events';
import { exitCodes } from '../../src/cli/exit-codes';
import { repoRoot, runCli } from '../support/cli';
import { assertStartingTopology, labRegions } from '../support/lab-topology';
import { startQuickLab } from '../support/quick-lab';

let dir: string;
let labDir: string;
let file: string;

test.before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-failback-'));
  labDir = path.join(dir, 'lab');
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(repoRoot, path.join(dir, 'node_modules', 'gameday'));
  await startQuickLab(labDir);
  file = path.join(dir, 'drill.ts');
  fs.writeFileSync(
    file,
    `import { defineExperiment, faults, probes } from 'gameday';
export default defineExperiment({
  name: 'lose us-east-1',
  target: { kind: 'lab', dir: ${JSON.stringify(labDir)} },
  // A deliberate failover leaves the probe's keep-alive connection on the old region's app, which answers 503
  // without its database: the steady state after is not met, and the post-check would wait the default 30 s.
  steadyState: { duration: '500ms', recoveryTimeout: '2s' },
  hypothesis: { rto: '60s', recovery: { successRatio: 0.9, window: '1s' } },
  traffic: probes.http({ endpoint: 'app', path: '/health', rate: 10, timeout: '1s' }),
  faults: [faults.regionOutage({ name: 'us-east-1-offline', region: 'us-east-1', after: '500ms', duration: '5s' })],
  failover: {
    kind: 'unplanned',
    from: 'us-east-1',
    to: 'eu-west-1',
    trafficShift: 'dns',
    verify: { successRatio: 0.9, window: '1s', timeout: '30s' },
  },
  duration: '10s',
});
`,
  );
});

test.after(async () => {
  await runCli(['lab', 'down', '--dir', labDir]);
  fs.rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(args, { cwd: dir });
const noStack = (text: string) => assert.not.match(text, /^\s+at /m, 'no stack trace');

test('a failed-over lab: preflight refuses the experiment, --failback restores it, a second one refuses', async () => {
  const failover = await cli(['failover', file, '--yes', '--out', path.join(dir, 'failover'), '--no-pdf']);
  assert.is(failover.code, 0, failover.stderr + failover.stdout);
  assert.is((await labRegions(labDir))['eu-west-1'].role, 'primary', 'the lab failed over');
  // A deliberate failover stays done: recover finds no failback in its journal to undo it with.
  const recovered = await cli(['recover', path.join(dir, 'failover')]);
  assert.match(recovered.stdout, /nothing to recover/, recovered.stdout + recovered.stderr);
  assert.is((await labRegions(labDir))['eu-west-1'].role, 'primary', 'recover left the failover in place');

  const runDir = path.join(dir, 'refused');
  const refused = await cli(['run', file, '--out', runDir, '--no-pdf']);
  assert.is(refused.code, exitCodes.error, refused.stderr + refused.stdout);
  assert.match(
    refused.stdout,
    'ERROR  lose us-east-1: preflight: the writer is eu-west-1, but the experiment fails over from us-east-1 — ' +
      'the target is still failed over from an earlier run',
  );
  assert.match(refused.stdout, 'nothing was injected. Fix: gameday failover drill.ts --failback (or, for the lab, ');
  assert.match(refused.stderr, /preflight: writer FAILED: the writer is eu-west-1/);
  noStack(refused.stderr);
  const events = readJournal(path.join(runDir, 'journal.ndjson'));
  assert.not.ok(
    events.some((event) => event.type.startsWith('fault.') || event.type.startsWith('failover.')),
    'nothing injected, no runbook started',
  );
  const writer = events.find(
    (event): event is EventOf<'preflight.check'> => event.type === 'preflight.check' && event.check === 'writer',
  );
  assert.is(writer?.ok, false);
  assert.match(writer?.detail ?? '', /Fix: gameday failover drill\.ts --failback/);
  assert.is((events.at(-1) as EventOf<'run.finished'>).status, 'error');

  const failback = await cli([
    'failover',
    file,
    '--failback',
    '--yes',
    '--out',
    path.join(dir, 'failback'),
    '--no-pdf',
  ]);
  assert.is(failback.code, 0, failback.stderr + failback.stdout);
  assert.match(failback.stdout, 'PASSED  lose us-east-1: us-east-1 serves clients and holds the writer');
  assert.match(failback.stdout, 'failover eu-west-1 → us-east-1: completed');
  const steps = readJournal(path.join(dir, 'failback', 'journal.ndjson'))
    .filter((event): event is EventOf<'failover.step'> => event.type === 'failover.step' && event.status !== 'started')
    .map((event) => `${event.step} ${event.status}`);
  assert.equal(
    steps,
    ['detect', 'decide', 'rejoin', 'fence', 'promote', 'shift-traffic', 'verify', 'notify'].map(
      (step) => `${step} succeeded`,
    ),
  );
  await assertStartingTopology(labDir);

  const again = await cli(['failover', file, '--failback', '--yes', '--out', path.join(dir, 'again'), '--no-pdf']);
  assert.is(again.code, exitCodes.error, again.stderr + again.stdout);
  assert.match(again.stdout, 'nothing to fail back: the writer is already us-east-1');
  noStack(again.stderr);
  assert.not.ok(
    readJournal(path.join(dir, 'again', 'journal.ndjson')).some((event) => event.type.startsWith('failover.')),
    'no runbook started',
  );
});

test.run();
