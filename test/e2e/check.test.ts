/**
 * `gameday check` on one running lab: ready as it starts; then not ready, with the reason,
 * when a failover record loses its health check, when the records' TTL is too long for the
 * RTO objective, and when the standby is stopped — set up through the lab's Route 53 API
 * and its control API as an operator's mistake would be, and undone after each. The same
 * lab as an `aws` target (its AWS APIs standing in for an account). A GameDay whose check
 * step finds the standby stopped ends before its drill; a schedule whose readiness
 * precondition finds it so skips its drill.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { AttachRolePolicyCommand, DetachRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LabClient } from '../../src/lab/client';
import { labHostedZoneId } from '../../src/lab/aws/resources';
import { repoRoot, runCli } from '../support/cli';

const experiment = 'test/fixtures/valid/check-ready.ts';
const gameday = 'test/fixtures/valid/check-gameday.ts';
const scheduledFile = 'test/fixtures/valid/check-scheduled.ts';
let work: string;
let labDir: string;
let route53: Route53Client;
let lab: LabClient;
const labCredentials = { accessKeyId: 'gameday-lab', secretAccessKey: 'gameday-lab' };

const check = (file = experiment, ...args: string[]) =>
  runCli(['check', file, ...args], { env: { CHECK_LAB_DIR: labDir } });
const line = (stdout: string, status: 'ok  ' | 'FAIL' | 'skip', name: string) =>
  stdout.split('\n').find((text) => text.startsWith(`  ${status}  ${name}: `));

test.before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-check-'));
  labDir = path.join(work, 'lab');
  const up = await runCli(['lab', 'up', '--dir', labDir]);
  assert.is(up.code, 0, up.stderr);
  const state = JSON.parse(fs.readFileSync(path.join(labDir, 'state.json'), 'utf8'));
  route53 = new Route53Client({ region: 'us-east-1', endpoint: state.controlUrl, credentials: labCredentials });
  lab = new LabClient(state.controlUrl);
});
test.after(async () => {
  route53?.destroy();
  await runCli(['lab', 'down', '--dir', labDir]);
  fs.rmSync(work, { recursive: true, force: true });
});

/** The app's failover records, as Route 53 lists them. */
async function failoverRecords(): Promise<ResourceRecordSet[]> {
  const listed = await route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: labHostedZoneId, StartRecordName: 'app.gameday.lab.' }),
  );
  return (listed.ResourceRecordSets ?? []).filter((set) => set.Name === 'app.gameday.lab.' && set.Failover);
}

async function upsert(records: ResourceRecordSet[]): Promise<void> {
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: labHostedZoneId,
      ChangeBatch: { Changes: records.map((record) => ({ Action: 'UPSERT', ResourceRecordSet: record })) },
    }),
  );
}

test('a healthy lab is ready: every check passes, or says why it could not be made here', async () => {
  const result = await check();
  assert.is(result.code, 0, result.stdout + result.stderr);
  assert.match(
    result.stdout,
    /^readiness of lab .* for test\/fixtures\/valid\/check-ready\.ts \(check: lose us-east-1\)$/m,
  );
  for (const name of [
    'failover records',
    'health check us-east-1 attached',
    'health check eu-west-1 attached',
    'writer',
    'secondary eu-west-1',
    'health check us-east-1',
    'health check eu-west-1',
    'rto bound',
    'ttl',
    'standby eu-west-1',
    'capacity eu-west-1',
    'replication lag eu-west-1',
    'fis actions',
  ])
    assert.ok(line(result.stdout, 'ok  ', name), `${name} ok in:\n${result.stdout}`);
  assert.match(line(result.stdout, 'ok  ', 'replication lag eu-west-1')!, /below the RPO objective 1s/);
  assert.match(line(result.stdout, 'skip', 'fis role')!, /takes any credentials and assumes no role/);
  assert.match(result.stdout, /^READY {2}13 checks passed \(1 skipped, said why\)$/m);

  const json = await check(experiment, '--json');
  assert.is(json.code, 0);
  const report = JSON.parse(json.stdout);
  assert.equal([report.ok, report.name, report.checks.length], [true, 'check: lose us-east-1', 14]);
});

test('a TTL too long for the RTO objective fails, and says what TTL would do', async () => {
  const records = await failoverRecords();
  await upsert(records.map((record) => ({ ...record, TTL: 60 })));
  try {
    const result = await check();
    assert.is(result.code, 1, result.stdout);
    assert.match(
      line(result.stdout, 'FAIL', 'ttl')!,
      /keeps the old answer for the TTL, 1m: it recovers no sooner than 1m02s after a failure, above the RTO objective/,
    );
    assert.match(result.stdout, /^ {8}fix: lower the TTL of app\.gameday\.lab's failover records to at most 8s$/m);
    assert.ok(line(result.stdout, 'ok  ', 'rto bound'), 'detection alone still fits');
    assert.match(result.stdout, /^NOT READY {2}1 of 14 checks failed/m);
  } finally {
    await upsert(records);
  }
});

test('a health check detached from its failover record fails, naming the record and the check', async () => {
  const records = await failoverRecords();
  const secondary = records.find((record) => record.Failover === 'SECONDARY')!;
  const { HealthCheckId: _detached, ...withoutCheck } = secondary;
  await upsert([withoutCheck]);
  try {
    const result = await check();
    assert.is(result.code, 1, result.stdout);
    assert.match(
      line(result.stdout, 'FAIL', 'failover records')!,
      /the SECONDARY record of app\.gameday\.lab\. \(127\.0\.0\.3\) has no health check: Route 53 counts it healthy/,
    );
    assert.match(
      line(result.stdout, 'FAIL', 'health check eu-west-1 attached')!,
      /eu-west-1's health check hc-app-eu-west-1 \(the one the runbook watches\) is on no failover record/,
    );
  } finally {
    await upsert([secondary]);
  }
});

test('an aws target (the lab standing in): lag from CloudWatch, the FIS role by the policy simulator', async () => {
  const state = JSON.parse(fs.readFileSync(path.join(labDir, 'state.json'), 'utf8'));
  // As in a user's project with gameday installed.
  fs.mkdirSync(path.join(work, 'node_modules'), { recursive: true });
  fs.symlinkSync(repoRoot, path.join(work, 'node_modules', 'gameday'));
  const file = path.join(work, 'aws-check.ts');
  const cluster = (region: string) => `arn:aws:rds:${region}:000000000000:cluster:gameday-lab-${region}`;
  fs.writeFileSync(
    file,
    `import { defineExperiment, faults, probes } from 'gameday';
export default defineExperiment({
  name: 'aws check',
  target: {
    kind: 'aws',
    endpoint: ${JSON.stringify(state.controlUrl)},
    accountIds: ['000000000000'],
    regions: ['us-east-1', 'eu-west-1'],
    fis: { roleArn: 'arn:aws:iam::000000000000:role/gameday-lab-fis' },
    route53: {
      hostedZoneId: 'Z0GAMEDAYLAB00001',
      recordName: 'app.gameday.lab.',
      healthChecks: { 'us-east-1': 'hc-app-us-east-1', 'eu-west-1': 'hc-app-eu-west-1' },
    },
    rds: { globalClusterId: 'gameday-lab' },
    resources: {
      'us-east-1': {
        subnets: { tags: { 'gameday:lab-region': 'us-east-1' } },
        dbClusters: { arns: ['${cluster('us-east-1')}'] },
      },
      'eu-west-1': { dbClusters: { arns: ['${cluster('eu-west-1')}'] } },
    },
    endpoints: { app: 'http://127.0.0.2:9' },
  },
  hypothesis: { rto: '30s', rpo: '1s' },
  traffic: probes.http({ endpoint: 'app' }),
  probes: [probes.ledger({ endpoint: 'app' })],
  faults: [faults.regionOutage({ region: 'us-east-1', after: '1s', duration: '5s' })],
});
`,
  );
  const awsEnv = { AWS_ACCESS_KEY_ID: 'lab', AWS_SECRET_ACCESS_KEY: 'lab', AWS_REGION: 'us-east-1', AWS_PROFILE: '' };
  const result = await runCli(['check', file], { cwd: work, env: awsEnv });
  assert.is(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /^readiness of aws 000000000000 for aws-check\.ts \(aws check\)$/m);
  for (const name of ['failover records', 'writer', 'secondary eu-west-1', 'rto bound', 'ttl', 'standby eu-west-1'])
    assert.ok(line(result.stdout, 'ok  ', name), `${name} ok in:\n${result.stdout}`);
  assert.match(
    line(result.stdout, 'ok  ', 'replication lag eu-west-1')!,
    /gameday-lab-eu-west-1 reports replication lag \d+ms at .* \(CloudWatch\), below the RPO objective 1s/,
  );
  assert.match(
    line(result.stdout, 'ok  ', 'fis role')!,
    /gameday-lab-fis may make all \d+ requests aws:network:disrupt-connectivity need \(iam:SimulatePrincipalPolicy/,
  );

  // The role loses the network policy, as a role does when someone tidies up its attachments.
  const iam = new IAMClient({ region: 'us-east-1', endpoint: state.controlUrl, credentials: labCredentials });
  const networkPolicy = 'arn:aws:iam::000000000000:policy/gameday-lab-fis-network';
  await iam.send(new DetachRolePolicyCommand({ RoleName: 'gameday-lab-fis', PolicyArn: networkPolicy }));
  try {
    const denied = await runCli(['check', file], { cwd: work, env: awsEnv });
    assert.is(denied.code, 1, denied.stdout + denied.stderr);
    const role = line(denied.stdout, 'FAIL', 'fis role')!;
    assert.match(
      role,
      /may not make requests the experiments' FIS actions need \(\d+ asked\): for aws:network:\S+ in us-east-1: /,
    );
    assert.match(role, /ec2:CreateNetworkAcl on arn:aws:ec2:us-east-1:000000000000:network-acl\/\* \(implicitDeny\)/);
    assert.match(role, /ec2:ReplaceNetworkAclAssociation on \S*subnet\/\* \(implicitDeny/);
    assert.not.match(role, /rds:|s3:/, "only what the experiment's action needs is asked");
  } finally {
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'gameday-lab-fis', PolicyArn: networkPolicy }));
    iam.destroy();
  }
});

test('a stopped standby fails standby, sync and lag; a GameDay checking first ends before it drills', async () => {
  await lab.stopDatabase('eu-west-1', 'fast');
  try {
    const result = await check();
    assert.is(result.code, 1, result.stdout);
    assert.match(
      line(result.stdout, 'FAIL', 'standby eu-west-1')!,
      /eu-west-1's cluster gameday-lab-eu-west-1 is stopped/,
    );
    assert.match(line(result.stdout, 'FAIL', 'secondary eu-west-1')!, /SynchronizationStatus pending-resync/);
    assert.match(
      line(result.stdout, 'FAIL', 'replication lag eu-west-1')!,
      /not to eu-west-1: eu-west-1 is not replicating/,
    );

    const out = path.join(work, 'day');
    const day = await runCli(['run', gameday, '--out', out, '--no-pdf', '--yes'], { env: { CHECK_LAB_DIR: labDir } });
    assert.is(day.code, 1, day.stdout + day.stderr);
    assert.match(day.stderr, /^ {3}FAIL {2}standby eu-west-1: /m);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    assert.equal(
      summary.steps.map((step: { kind: string; status: string }) => [step.kind, step.status]),
      [
        ['check', 'failed'],
        ['experiment', 'skipped'],
      ],
    );
    assert.match(
      summary.reason,
      /^step 1 \(ready for the outage\?\) failed: not ready: \d+ of 14 checks failed \(.*standby eu-west-1/,
    );
    assert.not.ok(
      fs.readdirSync(out).some((name) => /^02-/.test(name)),
      'the drill never started',
    );
    const junit = fs.readFileSync(path.join(out, 'junit.xml'), 'utf8');
    assert.match(
      junit,
      /<testcase classname="gameday\.check first" name="step 1: ready for the outage\?"[^>]*>\s*<failure /,
    );
    assert.match(junit, /name="step 2: check: lose us-east-1"[^>]*>\s*<skipped /);
    // The day was sealed like any run directory.
    const verified = await runCli(['verify', out]);
    assert.is(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /^ok {7}day: journal and 4 reports as sealed at /m);

    // A schedule asking the same checks as its precondition skips the drill, saying which failed.
    const scheduled = await runCli(
      ['schedule', 'run', '--once', scheduledFile, '--reports', path.join(work, 'scheduled'), '--no-pdf'],
      { env: { CHECK_LAB_DIR: labDir, GAMEDAY_STATE_DIR: path.join(work, 'state') } },
    );
    assert.is(scheduled.code, 0, `a skip is the schedule working: ${scheduled.stderr}`);
    assert.match(
      scheduled.stdout,
      / skipped precondition .* precondition failed: readiness: not ready: \d+ of 14 checks failed \(.*standby eu-/,
    );
    assert.not.ok(fs.existsSync(path.join(work, 'scheduled')), 'the drill never started');
  } finally {
    await lab.startDatabase('eu-west-1');
  }
});

test('an endpoints target has no failover to check: exit 2', async () => {
  const result = await runCli(['check', 'test/fixtures/valid/gate-outage.ts'], {
    env: { API_URL: 'http://127.0.0.1:9', DOWN_FILE: path.join(work, 'down') },
  });
  assert.is(result.code, 2, result.stdout + result.stderr);
  assert.match(result.stderr, /readiness checks need a target with regions \(lab or aws\); target endpoints has none/);
});

test.run();
