/**
 * kill -9 of gameday mid-fault leaves the faults in place (nothing can run in a killed
 * process); `gameday recover` reads the journal and undoes them — FIS experiments and
 * Route 53 health checks in a lab that kept running — and a second recover has nothing to do.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readJournal } from '../../src/core/journal';
import { repoRoot, runCli, spawnCli, waitForOutput } from '../support/cli';
import { labStatus } from '../support/lab-topology';

let dir: string;

test.before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-recover-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(repoRoot, path.join(dir, 'node_modules', 'gameday'));
  const up = await runCli(['lab', 'up', '--dir', path.join(dir, 'lab')]);
  assert.is(up.code, 0, up.stderr);
});

test.after(async () => {
  await runCli(['lab', 'down', '--dir', path.join(dir, 'lab')]);
  fs.rmSync(dir, { recursive: true, force: true });
});

const labRegions = async () => (await labStatus(path.join(dir, 'lab'))).regions;

test('kill -9 mid-fault, then recover undoes every fault from the journal; a second finds nothing', async () => {
  const file = path.join(dir, 'long-faults.ts');
  fs.writeFileSync(
    file,
    `import { defineExperiment, faults, probes } from 'gameday';
export default defineExperiment({
  name: 'long faults',
  target: { kind: 'lab', dir: ${JSON.stringify(path.join(dir, 'lab'))} },
  steadyState: { duration: '500ms' },
  traffic: probes.http({ endpoint: 'app-eu-west-1', path: '/health', rate: 5 }),
  faults: [
    faults.regionOutage({
      name: 'cut-eu-west-1',
      region: 'eu-west-1',
      scope: 'cross-region',
      after: '200ms',
      duration: '5m',
    }),
    faults.healthCheckFailure({ name: 'us-east-1-check', region: 'us-east-1', after: '400ms', duration: '5m' }),
  ],
  duration: '10m',
});
`,
  );
  const runDir = path.join(dir, 'run');
  const run = spawnCli(['run', file, '--out', runDir]);
  await waitForOutput(run.child, (text) => text.includes('fault us-east-1-check injected'), 60_000);
  run.child.kill('SIGKILL');
  await run.done;

  let regions = await labRegions();
  assert.ok(
    regions.some((region) => region.proxies.some((proxy) => proxy.toxics.length > 0)),
    'the killed run left toxics behind',
  );
  assert.is(
    regions.find((region) => region.name === 'us-east-1')!.healthCheck?.inverted,
    true,
    'and an inverted health check',
  );

  const recovered = await runCli(['recover', runDir]);
  assert.is(recovered.code, 0, recovered.stderr + recovered.stdout);
  assert.match(
    recovered.stdout,
    /reverted us-east-1-check \(Route 53: UpdateHealthCheck hc-app-us-east-1 Inverted=false\)/,
  );
  assert.match(recovered.stdout, /reverted cut-eu-west-1 \(FIS eu-west-1: stop experiments of template/);
  assert.match(recovered.stdout, /released its stale lock .+run\.lock/);
  assert.not.ok(fs.existsSync(path.join(dir, 'lab', 'run.lock')), 'the dead run no longer holds the lab');

  regions = await labRegions();
  for (const region of regions) {
    assert.is(region.healthCheck?.inverted, false, `${region.name} check restored`);
    for (const proxy of region.proxies) assert.equal(proxy.toxics, [], `${proxy.name} clean`);
  }
  const events = readJournal(path.join(runDir, 'journal.ndjson'));
  const last = events[events.length - 1];
  assert.is(last.type, 'run.finished');
  assert.match((last as { reason: string }).reason, /recover undid every fault/);

  const again = await runCli(['recover', runDir]);
  assert.is(again.code, 0);
  assert.match(again.stdout, /nothing to recover/);
});

test('recover of something that is not a run directory is a usage error', async () => {
  const result = await runCli(['recover', dir]);
  assert.is(result.code, 2);
  assert.match(result.stderr, /has no journal\.ndjson; give a run directory/);
});

test.run();
