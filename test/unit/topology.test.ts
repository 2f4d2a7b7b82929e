/**
 * What a failover experiment expects of the target before it injects anything, and what
 * a failback expects: the decisions on a topology as read, and the reading of AWS-shaped
 * answers the lab never gives (no SynchronizationStatus, a cluster the target does not
 * name, a member missing), with aws-sdk-client-mock standing in for AWS.
 */
import { DescribeGlobalClustersCommand as DescribeGlobalClusters, RDSClient } from '@aws-sdk/client-rds';
import {
  GetHealthCheckCommand as GetHealthCheck,
  GetHealthCheckStatusCommand as GetHealthCheckStatus,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AwsClients } from '../../src/aws/clients';
import type { AwsModel } from '../../src/aws/model';
import { failbackSpec, judgeFailbackTopology } from '../../src/failover/failback';
import { failoverSchema } from '../../src/failover/spec';
import { judgeStartingTopology, readTopology, type Topology } from '../../src/failover/topology';
import { currentCommand, mockCurrentClient } from '../support/aws-mock';

const expected = { from: 'us-east-1', to: 'eu-west-1', file: 'experiments/region-failover.ts' };
const healthy = (region: string) => ({
  region,
  id: `hc-${region}`,
  inverted: false,
  reports: 3,
  failures: [],
});
const starting: Topology = {
  writer: 'us-east-1',
  busy: null,
  secondaries: [{ region: 'eu-west-1', synchronization: 'connected' }],
  missing: [],
  healthChecks: [healthy('us-east-1'), healthy('eu-west-1')],
};

const failed = (topology: Topology) =>
  judgeStartingTopology(topology, expected)
    .filter((check) => !check.ok)
    .map((check) => `${check.check}: ${check.detail} | ${check.fix}`);

test('the starting topology passes every check, each saying what it saw', () => {
  const checks = judgeStartingTopology(starting, expected);
  assert.equal(
    checks.map((check) => [check.check, check.ok]),
    [
      ['writer', true],
      ['secondary eu-west-1', true],
      ['health check us-east-1', true],
      ['health check eu-west-1', true],
    ],
  );
  assert.is(checks[0].detail, 'us-east-1 holds the writer (RDS DescribeGlobalClusters)');
  assert.is(checks[2].detail, "us-east-1's health check hc-us-east-1 is healthy (3/3 checkers), not inverted");
});

test('a cold standby: nothing runs in the region failed over to, so neither its sync nor its check is asked', () => {
  const cold: Topology = {
    ...starting,
    secondaries: [{ region: 'eu-west-1', synchronization: 'pending-resync' }],
    healthChecks: [
      healthy('us-east-1'),
      { ...healthy('eu-west-1'), failures: ['Failure: Connection refused', 'Failure: Connection refused', 'x'] },
    ],
  };
  assert.equal(
    judgeStartingTopology(cold, { ...expected, standby: 'cold' }).map((check) => [check.check, check.ok]),
    [
      ['writer', true],
      ['secondary eu-west-1', true],
      ['health check us-east-1', true],
    ],
  );
  // A standby expected to run is held to both.
  assert.equal(
    judgeStartingTopology(cold, expected)
      .filter((check) => !check.ok)
      .map((check) => check.check),
    ['secondary eu-west-1', 'health check eu-west-1'],
  );
});

test('a target still failed over: the writer mismatch names the failback of this file as the fix', () => {
  const problems = failed({
    ...starting,
    writer: 'eu-west-1',
    // The old writer is behind by definition: the writer mismatch speaks for it.
    secondaries: [{ region: 'us-east-1', synchronization: 'pending-resync' }],
    healthChecks: [
      { ...healthy('us-east-1'), reports: 1, failures: ['Failure: HTTP Status Code 503, Service Unavailable'] },
      healthy('eu-west-1'),
    ],
  });
  assert.equal(problems, [
    'writer: the writer is eu-west-1, but the experiment fails over from us-east-1 — the target is still ' +
      'failed over from an earlier run | gameday failover experiments/region-failover.ts --failback (or, for ' +
      'the lab, gameday lab reset)',
    "health check us-east-1: us-east-1's health check hc-us-east-1 is failing (1 of 1 checkers: Failure: HTTP " +
      'Status Code 503, Service Unavailable) | bring us-east-1 back first (gameday recover <run dir> if a run ' +
      'left a fault; for the lab, gameday lab reset)',
  ]);
});

test('a file name a shell would split is quoted in the fix', () => {
  const [writer] = judgeStartingTopology({ ...starting, writer: 'eu-west-1' }, { ...expected, file: "my drill's.ts" });
  assert.match(writer.fix ?? '', /^gameday failover 'my drill'\\''s\.ts' --failback/);
});

test('a writer in a third region, none, or one moving: each its own mismatch and fix', () => {
  assert.match(
    failed({ ...starting, writer: 'ap-south-1' })[0],
    /the writer is ap-south-1.*\| make us-east-1 the writer/,
  );
  assert.match(failed({ ...starting, writer: null })[0], /no cluster of the global cluster is the writer/);
  assert.match(
    failed({ ...starting, busy: 'in status modifying' })[0],
    /writer: the global cluster is in status modifying \| wait until its Status is available/,
  );
});

test('a secondary out of sync, or missing from the global cluster, fails; no SynchronizationStatus passes', () => {
  assert.match(
    failed({ ...starting, secondaries: [{ region: 'eu-west-1', synchronization: 'pending-resync' }] })[0],
    /secondary eu-west-1: eu-west-1's cluster is not in sync with the writer \(SynchronizationStatus pending-resync\)/,
  );
  assert.match(
    failed({ ...starting, secondaries: [], missing: ['eu-west-1'] })[0],
    /eu-west-1's cluster is not a member of the global cluster/,
  );
  assert.equal(failed({ ...starting, secondaries: [{ region: 'eu-west-1', synchronization: undefined }] }), []);
});

test('a health check inverted, failing by majority, or not yet reported fails; a minority of failures does not', () => {
  const withCheck = (check: Partial<Topology['healthChecks'][number]>) =>
    failed({ ...starting, healthChecks: [healthy('us-east-1'), { ...healthy('eu-west-1'), ...check }] });
  assert.match(withCheck({ inverted: true })[0], /hc-eu-west-1 is inverted.*\| set Inverted=false again/);
  assert.match(withCheck({ reports: 0 })[0], /has no checker report yet/);
  assert.match(withCheck({ failures: ['Failure: a', 'Failure: b'] })[0], /is failing \(2 of 3 checkers: Failure: a\)/);
  assert.equal(withCheck({ failures: ['Failure: a'] }), []);
});

test('a failback expects the writer where the failover sent it; already home is nothing to fail back', () => {
  const regions = { from: 'eu-west-1', to: 'us-east-1' };
  const judged = (topology: Partial<Topology>) => judgeFailbackTopology({ ...starting, ...topology }, regions);
  assert.equal(judged({ writer: 'eu-west-1' }), {
    check: 'writer',
    ok: true,
    detail: 'eu-west-1 holds the writer: failing back to us-east-1',
  });
  assert.equal(judged({ writer: 'us-east-1' }), {
    check: 'writer',
    ok: false,
    detail: 'nothing to fail back: the writer is already us-east-1',
  });
  assert.match(judged({ writer: 'ap-south-1' }).detail, /^the writer is ap-south-1, not eu-west-1/);
  assert.is(judged({ writer: 'eu-west-1', busy: 'in status modifying' }).ok, false);
});

test('the failback runbook: regions swapped, a planned switchover, DNS moves clients, no hooks, no failback', () => {
  const spec = failoverSchema.parse({
    kind: 'unplanned',
    trafficShift: 'invert-health-check',
    warm: [{ exec: 'scale-up eu-west-1' }],
    steps: [{ after: 'decide', exec: 'page' }],
    verify: { window: '2s' },
  });
  const back = failbackSpec(spec, { from: 'us-east-1', to: 'eu-west-1' });
  assert.equal(
    { from: back.from, to: back.to, kind: back.kind, trafficShift: back.trafficShift, failback: back.failback },
    { from: 'eu-west-1', to: 'us-east-1', kind: 'planned', trafficShift: 'dns', failback: false },
  );
  assert.equal([back.warm, back.steps], [[], []]);
  assert.is(back.verify.window, 2_000, 'verification stays as the experiment says');
});

const rds = mockCurrentClient(RDSClient);
const route53 = mockCurrentClient(Route53Client);
const DescribeGlobalClustersCommand = currentCommand(DescribeGlobalClusters);
const GetHealthCheckCommand = currentCommand(GetHealthCheck);
const GetHealthCheckStatusCommand = currentCommand(GetHealthCheckStatus);
test.after.each(() => {
  rds.reset();
  route53.reset();
});

const arn = (region: string, name: string) => `arn:aws:rds:${region}:123456789012:cluster:${name}`;
const model = {
  connection: {},
  regions: ['us-east-1', 'eu-west-1', 'ap-south-1'],
  globalClusterId: 'orders',
  healthChecks: { 'us-east-1': 'hc-use1', 'eu-west-1': 'hc-euw1' },
  resources: {
    'us-east-1': { dbClusters: { arns: [arn('us-east-1', 'orders-use1')] } },
    'eu-west-1': { dbClusters: { arns: [arn('eu-west-1', 'orders-euw1')] } },
    'ap-south-1': { dbClusters: { arns: [arn('ap-south-1', 'orders-aps1')] } },
  },
} as unknown as AwsModel;

test('reading AWS: member ARNs become the target’s regions, a FailoverState is said in words', async () => {
  rds.on(DescribeGlobalClustersCommand, { GlobalClusterIdentifier: 'orders' }).resolves({
    GlobalClusters: [
      {
        Status: 'failing-over',
        FailoverState: {
          Status: 'failing-over',
          FromDbClusterArn: arn('us-east-1', 'orders-use1'),
          ToDbClusterArn: arn('eu-west-1', 'orders-euw1'),
        },
        GlobalClusterMembers: [
          { DBClusterArn: arn('us-east-1', 'orders-use1'), IsWriter: true },
          { DBClusterArn: arn('eu-west-1', 'orders-euw1'), IsWriter: false },
          { DBClusterArn: arn('us-west-2', 'stray'), IsWriter: false, SynchronizationStatus: 'pending-resync' },
        ],
      },
    ],
  });
  route53.on(GetHealthCheckCommand).resolves({ HealthCheck: { HealthCheckConfig: { Inverted: false } } as never });
  route53.on(GetHealthCheckStatusCommand).resolves({
    HealthCheckObservations: [
      { StatusReport: { Status: 'Success: HTTP Status Code 200, OK' } },
      { StatusReport: { Status: 'Failure: Connection timed out.' } },
    ],
  });
  const clients = new AwsClients({});
  try {
    const topology = await readTopology({ model, clients }, { from: 'us-east-1', to: 'eu-west-1' });
    assert.equal(topology, {
      writer: 'us-east-1',
      busy: 'moving the writer from us-east-1 to eu-west-1 (FailoverState failing-over)',
      secondaries: [
        { region: 'eu-west-1', synchronization: undefined },
        { region: arn('us-west-2', 'stray'), synchronization: 'pending-resync' },
      ],
      missing: ['ap-south-1'],
      healthChecks: [
        {
          region: 'us-east-1',
          id: 'hc-use1',
          inverted: false,
          reports: 2,
          failures: ['Failure: Connection timed out.'],
        },
        {
          region: 'eu-west-1',
          id: 'hc-euw1',
          inverted: false,
          reports: 2,
          failures: ['Failure: Connection timed out.'],
        },
      ],
    });
    assert.is(rds.commandCalls(DescribeGlobalClustersCommand).length, 1);
  } finally {
    clients.destroy();
  }
});

test('a Route 53 error while reading says which call and which check', async () => {
  rds.on(DescribeGlobalClustersCommand).resolves({
    GlobalClusters: [{ Status: 'available', GlobalClusterMembers: [] }],
  });
  route53
    .on(GetHealthCheckCommand)
    .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDenied', $metadata: {} }));
  const clients = new AwsClients({});
  try {
    const error = await readTopology({ model, clients }, { from: 'us-east-1', to: 'eu-west-1' }).catch((e) => e);
    assert.is((error as Error).message, 'Route 53 GetHealthCheck hc-use1: AccessDenied: User is not authorized');
  } finally {
    clients.destroy();
  }
});

test.run();
