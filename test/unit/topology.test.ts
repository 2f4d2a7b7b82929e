/**
 * What a failback expects of the target, the runbook it runs, and the reading of the
 * topology from AWS-shaped answers the lab never gives (no SynchronizationStatus, a
 * cluster the target does not name, a member missing), with aws-sdk-client-mock standing
 * in for AWS.
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
import { readTopology, type Topology } from '../../src/failover/topology';
import { currentCommand, mockCurrentClient } from '../support/aws-mock';

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
