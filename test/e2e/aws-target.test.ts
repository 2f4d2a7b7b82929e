/**
 * The `aws` target as a user runs it, with the lab standing in for an AWS account: the
 * lab serves STS, FIS and Route 53 on its control endpoint, so the account check, FIS
 * experiments and Route 53 health-check updates all go through the real SDK over HTTP.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readJournal } from '../../src/core/journal';
import { repoRoot, runCli, spawnCli, waitForOutput } from '../support/cli';
import { labStatus } from '../support/lab-topology';

let labDir: string;
let lab: { controlUrl: string; regions: Record<string, { app: string }> };
const credentials = {
  AWS_ACCESS_KEY_ID: 'lab',
  AWS_SECRET_ACCESS_KEY: 'lab',
  AWS_REGION: 'us-east-1',
  AWS_PROFILE: '',
  CI: '',
};

test.before(async () => {
  labDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-aws-target-'));
  // The experiment files live here, as in a user's project with gameday installed.
  fs.mkdirSync(path.join(labDir, 'node_modules'));
  fs.symlinkSync(repoRoot, path.join(labDir, 'node_modules', 'gameday'));
  const up = await runCli(['lab', 'up', '--dir', labDir, '--json']);
  assert.is(up.code, 0, up.stderr);
  lab = JSON.parse(up.stdout);
});

test.after(async () => {
  await runCli(['lab', 'down', '--dir', labDir]);
  fs.rmSync(labDir, { recursive: true, force: true });
});

function experimentFile(
  name: string,
  overrides: { accountIds?: string[]; subnets?: string; faults?: string; allowCI?: boolean; duration?: string } = {},
): string {
  const file = path.join(labDir, `${name}.ts`);
  const subnets = overrides.subnets ?? "{ tags: { 'gameday:lab-region': 'eu-west-1' } }";
  fs.writeFileSync(
    file,
    `import { defineExperiment, faults, probes } from 'gameday';
export default defineExperiment({
  name: ${JSON.stringify(name)},
  target: {
    kind: 'aws',
    endpoint: ${JSON.stringify(lab.controlUrl)},
    accountIds: ${JSON.stringify(overrides.accountIds ?? ['000000000000'])},
    allowCI: ${overrides.allowCI === true},
    regions: ['us-east-1', 'eu-west-1'],
    fis: { roleArn: 'arn:aws:iam::000000000000:role/gameday-lab-fis' },
    route53: {
      hostedZoneId: 'Z0GAMEDAYLAB00001',
      recordName: 'app.gameday.lab.',
      healthChecks: { 'us-east-1': 'hc-app-us-east-1', 'eu-west-1': 'hc-app-eu-west-1' },
    },
    resources: { 'eu-west-1': { subnets: ${subnets} } },
    endpoints: { app: ${JSON.stringify(lab.regions['us-east-1'].app)} },
  },
  steadyState: { duration: '1s' },
  hypothesis: { rto: '5s', recovery: { window: '1s' } },
  traffic: probes.http({ endpoint: 'app', path: '/health', rate: 10, timeout: '1s' }),
  faults: ${
    overrides.faults ??
    `[
    faults.healthCheckFailure({ name: 'check-fails', region: 'us-east-1', after: '500ms', duration: '2s' }),
    faults.regionOutage({
      name: 'replication-cut',
      region: 'eu-west-1',
      scope: 'cross-region',
      after: '1s',
      duration: '2s',
    }),
  ]`
  },
  duration: ${JSON.stringify(overrides.duration ?? '4s')},
});
`,
  );
  return file;
}

test('a run against the aws target goes through STS, FIS and Route 53 and leaves nothing behind', async () => {
  const file = experimentFile('aws target drill');
  const result = await runCli(['run', file, '--json', '--reports', path.join(labDir, 'reports'), '--yes', '--no-pdf'], {
    env: credentials,
  });
  assert.is(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.is(summary.status, 'passed', summary.reason);
  assert.is(summary.target.accountId, '000000000000');
  const events = readJournal(path.join(summary.runDir, 'journal.ndjson'));
  const rollbacks = events
    .filter((e) => e.type === 'fault.injecting')
    .map((e) => (e as { rollback: { kind: string } }).rollback.kind);
  assert.equal(rollbacks.sort(), ['fis', 'route53-health-check']);
  const fis = events.find((e) => e.type === 'fault.injected' && e.fault === 'replication-cut') as unknown as {
    detail: { actions: string[] };
  };
  assert.equal(fis.detail.actions, ['aws:network:route-table-disrupt-cross-region-connectivity']);
  for (const fault of summary.faults) assert.ok(fault.revertedAt, `${fault.name} reverted`);

  // Nothing left: no toxic on any proxy, the health check not inverted.
  for (const region of (await labStatus(labDir)).regions) {
    assert.is(region.healthCheck?.inverted, false);
    for (const proxy of region.proxies) assert.equal(proxy.toxics, []);
  }
});

test('an invalid FIS template is a clear error (exit 4), not a stack trace, and nothing is injected', async () => {
  const file = experimentFile('bad template', {
    subnets: "{ arns: ['arn:aws:ec2:eu-west-1:000000000000:subnet/subnet-0nope'] }",
    faults: "[faults.regionOutage({ region: 'eu-west-1', after: '500ms', duration: '1s' })]",
  });
  const result = await runCli(['run', file, '--json', '--reports', path.join(labDir, 'reports'), '--yes', '--no-pdf'], {
    env: credentials,
  });
  assert.is(result.code, 4, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.is(summary.status, 'error');
  assert.match(summary.reason, /could not be prepared: FIS rejected the experiment template: ValidationException: /);
  assert.not.match(result.stderr, /\n\s+at .+:\d+:\d+/);
  const events = readJournal(path.join(summary.runDir, 'journal.ndjson'));
  assert.not.ok(events.some((e) => e.type === 'fault.injected'));
});

test('credentials for an account not on the allow-list: exit 4 before any fault', async () => {
  const file = experimentFile('wrong account', { accountIds: ['123456789012'] });
  const result = await runCli(['run', file, '--json', '--reports', path.join(labDir, 'reports'), '--yes', '--no-pdf'], {
    env: credentials,
  });
  assert.is(result.code, 4, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.match(
    summary.reason,
    /account 000000000000 .*not in target\.accountIds \(123456789012\); nothing was injected/,
  );
  const events = readJournal(path.join(summary.runDir, 'journal.ndjson'));
  assert.not.ok(events.some((e) => e.type === 'fault.injecting'));
});

test('without --yes a run on an aws target is refused (exit 2) before anything, saying how to go on', async () => {
  const reports = path.join(labDir, 'reports-refused');
  const result = await runCli(['run', experimentFile('no consent'), '--reports', reports], { env: credentials });
  assert.is(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    new RegExp(
      String.raw`\`gameday run\` acts on AWS account 000000000000 \(regions us-east-1, eu-west-1\); ` +
        String.raw`read \`gameday plan .+\`, then run again with --yes\. Nothing was injected`,
    ),
  );
  assert.not.ok(fs.existsSync(reports), 'no run directory: nothing started');
  assert.is(result.stdout, '');
});

test('CI=true needs target.allowCI: refused without it; with it the run goes on (to the account check)', async () => {
  const reports = path.join(labDir, 'reports-ci');
  const refused = await runCli(['run', experimentFile('ci without allow'), '--reports', reports], {
    env: { ...credentials, CI: 'true' },
  });
  assert.is(refused.code, 2, refused.stderr);
  assert.match(
    refused.stderr,
    /in CI \(CI=true\) the experiment must allow it with target\.allowCI: true, or pass --yes\. Nothing was injected/,
  );
  const allowed = await runCli(
    [
      'run',
      experimentFile('ci allowed', { allowCI: true, accountIds: ['123456789012'] }),
      '--json',
      '--reports',
      reports,
      '--no-pdf',
    ],
    { env: { ...credentials, CI: 'true' } },
  );
  assert.is(allowed.code, 4, allowed.stderr);
  assert.match(JSON.parse(allowed.stdout).reason, /not in target\.accountIds/);
});

test('a run on an account where a gameday FIS experiment runs is refused, naming the run holding it', async () => {
  const holderDir = path.join(labDir, 'reports', 'holder');
  const faults =
    "[faults.regionOutage({ name: 'long-cut', region: 'eu-west-1', scope: 'cross-region', after: " +
    "'200ms', duration: '5m' })]";
  const first = spawnCli(
    ['run', experimentFile('holder', { faults, duration: '10m' }), '--out', holderDir, '--yes', '--no-pdf'],
    {
      env: credentials,
    },
  );
  await waitForOutput(first.child, (text) => text.includes('fault long-cut injected'), 60_000);
  const runId = (readJournal(path.join(holderDir, 'journal.ndjson'))[0] as { runId: string }).runId;
  const second = await runCli(
    ['run', experimentFile('second'), '--json', '--reports', path.join(labDir, 'reports'), '--yes', '--no-pdf'],
    { env: credentials },
  );
  assert.is(second.code, 4, second.stderr);
  const summary = JSON.parse(second.stdout);
  assert.match(
    summary.reason,
    new RegExp(
      `^target busy: AWS account 000000000000 is in use by run ${runId}: its FIS experiment \\S+ ` +
        `\\(fault long-cut\\) is running in eu-west-1`,
    ),
  );
  assert.not.ok(
    readJournal(path.join(summary.runDir, 'journal.ndjson')).some((e) => e.type === 'fault.injecting'),
    'nothing injected',
  );
  first.child.kill('SIGINT');
  assert.is((await first.done).code, 3);
});

test.run();
