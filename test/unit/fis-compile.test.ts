import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileFisTemplate, FisMappingError } from '../../src/aws/fis/compile';
import { toIsoDuration } from '../../src/aws/iso-duration';
import { parseIsoDuration } from '../../src/lab/aws/fis/duration';
import { awsTargetModel } from '../../src/targets/aws';
import { labAwsModel } from '../../src/targets/lab';

const lab = labAwsModel(['us-east-1', 'eu-west-1'], 'us-east-1', 'http://127.0.0.1:1');
const tags = { 'gameday:run-id': 'run-1', 'gameday:fault': 'f' };

test('ISO-8601 durations as FIS writes them', () => {
  const table: Array<[number, string]> = [
    [120_000, 'PT2M'],
    [90_000, 'PT1M30S'],
    [5_400_000, 'PT1H30M'],
    [3_600_000, 'PT1H'],
    [25_000, 'PT25S'],
    [1_500, 'PT2S'],
    [0, 'PT1S'],
  ];
  for (const [ms, iso] of table) assert.is(toIsoDuration(ms), iso, `${ms} ms`);
  // What the client writes, the lab's FIS reads back as the same whole seconds.
  for (const [ms] of table)
    assert.equal(parseIsoDuration(toIsoDuration(ms)), { ms: Math.max(1, Math.ceil(ms / 1000)) * 1000 }, `${ms} ms`);
});

test('regionOutage -> aws:network:disrupt-connectivity on the region subnets, tagged, no stop condition', () => {
  const template = compileFisTemplate(
    { kind: 'regionOutage', name: 'us-east-1 offline', region: 'us-east-1', scope: 'all', durationMs: 120_000 },
    lab,
    tags,
  );
  assert.equal(template.targets, {
    Subnets: {
      resourceType: 'aws:ec2:subnet',
      selectionMode: 'ALL',
      resourceArns: ['arn:aws:ec2:us-east-1:000000000000:subnet/subnet-0lab0001'],
    },
  });
  assert.equal(template.actions, {
    'us-east-1-offline': {
      actionId: 'aws:network:disrupt-connectivity',
      parameters: { duration: 'PT2M', scope: 'all' },
      targets: { Subnets: 'Subnets' },
    },
  });
  assert.equal(template.stopConditions, [{ source: 'none' }]);
  assert.equal(template.tags, tags);
  assert.is(template.roleArn, 'arn:aws:iam::000000000000:role/gameday-lab-fis');
});

test('cross-region outage cuts the links to the failover partner', () => {
  const primary = compileFisTemplate(
    { kind: 'regionOutage', name: 'x', region: 'us-east-1', scope: 'cross-region', durationMs: 60_000 },
    lab,
    tags,
  );
  assert.equal(Object.values(primary.actions!)[0], {
    actionId: 'aws:network:route-table-disrupt-cross-region-connectivity',
    parameters: { duration: 'PT1M', region: 'eu-west-1' },
    targets: { Subnets: 'Subnets' },
  });
  const secondary = compileFisTemplate(
    { kind: 'regionOutage', name: 'x', region: 'eu-west-1', scope: 'cross-region', durationMs: 60_000 },
    lab,
    tags,
  );
  assert.is(Object.values(secondary.actions!)[0].parameters!.region, 'us-east-1');
});

const account = awsTargetModel({
  regions: ['us-east-1', 'us-west-2'],
  fis: {
    roleArn: 'arn:aws:iam::123456789012:role/fis',
    stopConditionAlarms: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:5xx'],
  },
  compute: 'ecs',
  resources: {
    'us-east-1': {
      subnets: { tags: { tier: 'app' } },
      compute: { tags: { service: 'api' } },
      dbInstances: { arns: ['arn:aws:rds:us-east-1:123456789012:db:main-1'] },
    },
  },
});

test('latency per compute type: ECS task, EKS pod, SSM document on EC2', () => {
  const ecs = compileFisTemplate(
    { kind: 'latency', name: 'slow', region: 'us-east-1', latencyMs: 200, jitterMs: 20, durationMs: 300_000 },
    account,
    tags,
  );
  assert.equal(Object.values(ecs.actions!)[0], {
    actionId: 'aws:ecs:task-network-latency',
    parameters: { duration: 'PT5M', delayMilliseconds: '200', jitterMilliseconds: '20' },
    targets: { Tasks: 'Tasks' },
  });
  assert.equal(ecs.targets!.Tasks, {
    resourceType: 'aws:ecs:task',
    selectionMode: 'ALL',
    resourceTags: { service: 'api' },
  });
  assert.equal(ecs.stopConditions, [
    { source: 'aws:cloudwatch:alarm', value: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:5xx' },
  ]);

  const eksModel = {
    ...account,
    compute: 'eks' as const,
    resources: {
      'us-east-1': {
        eks: {
          clusterIdentifier: 'prod',
          namespace: 'shop',
          selectorType: 'deploymentName' as const,
          selectorValue: 'api',
          serviceAccount: 'fis-sa',
        },
      },
    },
  };
  const eks = compileFisTemplate(
    { kind: 'latency', name: 'slow', region: 'us-east-1', latencyMs: 200, jitterMs: 0, durationMs: 60_000 },
    eksModel,
    tags,
  );
  const eksAction = Object.values(eks.actions!)[0];
  assert.is(eksAction.actionId, 'aws:eks:pod-network-latency');
  assert.is(eksAction.parameters!.kubernetesServiceAccount, 'fis-sa');
  // FIS selects EKS pods by target parameters, not by ARNs or tags.
  assert.equal(eks.targets!.Pods, {
    resourceType: 'aws:eks:pod',
    selectionMode: 'ALL',
    parameters: { clusterIdentifier: 'prod', namespace: 'shop', selectorType: 'deploymentName', selectorValue: 'api' },
  });

  const ec2 = compileFisTemplate(
    { kind: 'latency', name: 'slow', region: 'us-east-1', latencyMs: 150, jitterMs: 0, durationMs: 60_000 },
    { ...account, compute: 'ec2' },
    tags,
  );
  const action = Object.values(ec2.actions!)[0];
  assert.is(action.actionId, 'aws:ssm:send-command');
  assert.is(action.parameters!.documentArn, 'arn:aws:ssm:us-east-1::document/AWSFIS-Run-Network-Latency');
  assert.equal(JSON.parse(action.parameters!.documentParameters), {
    DelayMilliseconds: '150',
    JitterMilliseconds: '0',
    DurationSeconds: '60',
    InstallDependencies: 'True',
  });
  assert.equal(ec2.targets!.Instances.resourceType, 'aws:ec2:instance');
});

test('dbStop -> reboot-db-instances or failover-db-cluster', () => {
  const reboot = compileFisTemplate({ kind: 'dbStop', name: 'db', region: 'us-east-1', via: 'reboot' }, account, tags);
  assert.equal(Object.values(reboot.actions!)[0], {
    actionId: 'aws:rds:reboot-db-instances',
    parameters: {},
    targets: { DBInstances: 'DBInstances' },
  });
  assert.equal(reboot.targets!.DBInstances.resourceArns, ['arn:aws:rds:us-east-1:123456789012:db:main-1']);
  const failover = compileFisTemplate(
    { kind: 'dbStop', name: 'db', region: 'eu-west-1', via: 'cluster-failover' },
    lab,
    tags,
  );
  assert.is(Object.values(failover.actions!)[0].actionId, 'aws:rds:failover-db-cluster');
  assert.equal(failover.targets!.Clusters.resourceArns, [
    'arn:aws:rds:eu-west-1:000000000000:cluster:gameday-lab-eu-west-1',
  ]);
});

test('missing resources are a clear mapping error naming the field', () => {
  assert.throws(
    () =>
      compileFisTemplate({ kind: 'dbStop', name: 'db', region: 'us-east-1', via: 'cluster-failover' }, account, tags),
    (error: Error) =>
      error instanceof FisMappingError && /target\.resources\.us-east-1\.dbClusters/.test(error.message),
  );
  assert.throws(
    () =>
      compileFisTemplate(
        { kind: 'regionOutage', name: 'x', region: 'us-west-2', scope: 'all', durationMs: 1 },
        account,
        tags,
      ),
    (error: Error) =>
      error instanceof FisMappingError && /no resources are configured for region us-west-2/.test(error.message),
  );
});

test('objectReplicationPause -> aws:s3:bucket-pause-replication on the region buckets, to the partner or `to`', () => {
  const template = compileFisTemplate(
    { kind: 'objectReplicationPause', name: 'pause', region: 'us-east-1', durationMs: 8_000 },
    lab,
    tags,
  );
  assert.equal(template.targets, {
    Buckets: {
      resourceType: 'aws:s3:bucket',
      selectionMode: 'ALL',
      resourceArns: ['arn:aws:s3:::gameday-lab-us-east-1'],
    },
  });
  assert.equal(template.actions, {
    pause: {
      actionId: 'aws:s3:bucket-pause-replication',
      parameters: { duration: 'PT8S', region: 'eu-west-1' },
      targets: { Buckets: 'Buckets' },
    },
  });
  const three = labAwsModel(['us-east-1', 'eu-west-1', 'ap-south-1'], 'us-east-1', 'http://127.0.0.1:1');
  const toThird = compileFisTemplate(
    {
      kind: 'objectReplicationPause',
      name: 'pause',
      region: 'us-east-1',
      destinationRegion: 'ap-south-1',
      durationMs: 8_000,
    },
    three,
    tags,
  );
  assert.is(Object.values(toThird.actions!)[0].parameters!.region, 'ap-south-1');
  assert.throws(
    () =>
      compileFisTemplate(
        { kind: 'objectReplicationPause', name: 'p', region: 'us-east-1', durationMs: 1_000 },
        account,
        tags,
      ),
    (error: unknown) => error instanceof FisMappingError && /target\.resources\.us-east-1\.buckets/.test(error.message),
  );
});

test.run();
