/**
 * A run stopped after its failover completed must not leave the lab failed over. The
 * failback is on the rollback stack from before the fence: SIGTERM fails back before the
 * process exits, and after kill -9 `gameday recover` reverts the fault and then fails back
 * (the old writer's database rejoins, a planned switchover moves the writer home). Either
 * way the lab ends in its starting topology: us-east-1 the writer, eu-west-1 streaming
 * from it, both health checks healthy.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readJournal } from '../../src/core/journal';
import { repoRoot, runCli, spawnCli, waitForOutput } from '../support/cli';
import { assertStartingTopology, labRegions } from '../support/lab-topology';
import { startQuickLab } from '../support/quick-lab';

let dir: string;
let labDir: string;
let file: string;

test.before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-recover-failover-'));
  labDir = path.join(dir, 'lab');
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(repoRoot, path.join(dir, 'node_modules', 'gameday'));
  await startQuickLab(labDir);
  file = path.join(dir, 'long-failover.ts');
  fs.writeFileSync(
    file,
    `import { defineExperiment, faults, probes } from 'gameday';
export default defineExperiment({
  name: 'failover, then a long wait',
  target: { kind: 'lab', dir: ${JSON.stringify(labDir)} },
  steadyState: { duration: '500ms' },
  hypothesis: { rto: '60s', recovery: { successRatio: 0.9, window: '1s' } },
  traffic: probes.http({ endpoint: 'app', path: '/health', rate: 10, timeout: '1s' }),
  faults: [
    faults.regionOutage({
      name: 'us-east-1-offline',
      region: 'us-east-1',
      mode: 'blackhole',
      after: '500ms',
      duration: '5m',
    }),
  ],
  failover: {
    mode: 'automatic',
    kind: 'unplanned',
    from: 'us-east-1',
    to: 'eu-west-1',
    detect: { healthCheck: true },
    trafficShift: 'dns',
    verify: { successRatio: 0.9, window: '1s', timeout: '30s' },
    failback: true,
  },
  duration: '10m',
});
`,
  );
});

test.after(async () => {
  await runCli(['lab', 'down', '--dir', labDir]);
  fs.rmSync(dir, { recursive: true, force: true });
});

async function runUntilFailedOver(runDir: string) {
  const run = spawnCli(['run', file, '--out', runDir, '--no-pdf']);
  await waitForOutput(run.child, (text) => /failover us-east-1 → eu-west-1 completed/.test(text), 90_000);
  const moved = await labRegions(labDir);
  assert.is(moved['eu-west-1'].role, 'primary', 'the run failed over before it was stopped');
  return run;
}

test('kill -9 after the failover: recover reverts the fault, then fails back to the starting topology', async () => {
  const runDir = path.join(dir, 'killed');
  const run = await runUntilFailedOver(runDir);
  run.child.kill('SIGKILL');
  await run.done;
  assert.is((await labRegions(labDir))['eu-west-1'].role, 'primary', 'a killed process fails nothing back');

  const recovered = await runCli(['recover', runDir]);
  assert.is(recovered.code, 0, recovered.stderr + recovered.stdout);
  assert.match(recovered.stdout, /reverted us-east-1-offline/);
  assert.match(
    recovered.stdout,
    /reverted failover: writer back to us-east-1 \(us-east-1 rejoins, then RDS SwitchoverGlobalCluster/,
  );
  const reverted = recovered.stdout.split('\n').filter((line) => line.includes('reverted'));
  assert.ok(reverted.at(-1)?.includes('writer back to us-east-1'), 'the failback comes last');
  await assertStartingTopology(labDir);

  const events = readJournal(path.join(runDir, 'journal.ndjson'));
  assert.match((events[events.length - 1] as { reason?: string }).reason ?? '', /recover undid every fault/);
  const again = await runCli(['recover', runDir]);
  assert.match(again.stdout, /nothing to recover/);
});

test('SIGTERM after the failover fails back before the process exits', async () => {
  const runDir = path.join(dir, 'terminated');
  const run = await runUntilFailedOver(runDir);
  run.child.kill('SIGTERM');
  const result = await run.done;
  assert.ok(result.code !== 0, 'an interrupted run does not pass');
  assert.match(result.stderr + result.stdout, /fault failover: writer back to us-east-1 reverted/);
  await assertStartingTopology(labDir);
  const recovered = await runCli(['recover', runDir]);
  assert.match(recovered.stdout, /nothing to recover/);
});

test.run();
