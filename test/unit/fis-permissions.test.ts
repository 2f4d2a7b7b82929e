/**
 * What `gameday check` asks IAM's policy simulator about the FIS role, and the lab's
 * simulator that answers when the lab stands in for an account: every action gameday
 * compiles a fault to has its permissions listed; the lab's FIS policies grant them only in
 * the context FIS acts in (resources it tagged `managedByFIS`); IAM's evaluation order
 * (explicit deny, then allow, else implicit deny) and its condition semantics.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileFisTemplate, type FisFaultSpec } from '../../src/aws/fis/compile';
import { permissionQuestions, permissionsOf, targetTypePattern } from '../../src/aws/fis/permissions';
import type { ComputeType } from '../../src/aws/model';
import { assertEvaluable, evaluate, type AttachedPolicy } from '../../src/lab/aws/iam/evaluate';
import { labFisPolicies } from '../../src/lab/aws/iam/policies';
import { labAwsModel } from '../../src/targets/lab';

const specs: FisFaultSpec[] = [
  { kind: 'regionOutage', name: 'a', region: 'us-east-1', scope: 'all', durationMs: 60_000 },
  { kind: 'regionOutage', name: 'b', region: 'us-east-1', scope: 'cross-region', durationMs: 60_000 },
  { kind: 'latency', name: 'c', region: 'us-east-1', latencyMs: 100, jitterMs: 0, durationMs: 60_000 },
  { kind: 'dbStop', name: 'd', region: 'us-east-1', via: 'reboot' },
  { kind: 'dbStop', name: 'e', region: 'us-east-1', via: 'cluster-failover' },
  { kind: 'objectReplicationPause', name: 'f', region: 'us-east-1', durationMs: 60_000 },
];

function compiledActions(): { actionId: string; targetArns: string[]; targetPattern: string }[] {
  const actions = [];
  for (const compute of ['ecs', 'eks', 'ec2'] as ComputeType[]) {
    const base = labAwsModel(['us-east-1', 'eu-west-1'], 'us-east-1', 'http://127.0.0.1:1');
    const resources = {
      ...base.resources['us-east-1'],
      eks: {
        clusterIdentifier: 'c',
        namespace: 'n',
        selectorType: 'labelSelector' as const,
        selectorValue: 'app=x',
        serviceAccount: 'fis',
      },
    };
    const model = { ...base, compute, resources: { ...base.resources, 'us-east-1': resources } };
    for (const spec of specs) {
      const template = compileFisTemplate(spec, model, {});
      for (const action of Object.values(template.actions!)) {
        const targets = Object.values(action.targets ?? {}).map((name) => template.targets![name]);
        actions.push({
          actionId: action.actionId!,
          targetArns: targets.flatMap((target) => target.resourceArns ?? []),
          targetPattern: targetTypePattern(targets[0]?.resourceType ?? '', 'us-east-1', '000000000000'),
        });
      }
    }
  }
  return actions;
}

const context = (entries: Record<string, string>) =>
  new Map(Object.entries(entries).map(([key, value]) => [key, [value]]));

test('every FIS action a fault compiles to has the permissions it needs listed', () => {
  const ids = new Set(compiledActions().map((action) => action.actionId));
  assert.is(ids.size, 8, [...ids].join(', '));
  for (const id of ids) assert.ok(permissionsOf(id)?.length, `${id} has permissions listed`);
  assert.is(permissionsOf('aws:ec2:terminate-instances'), undefined);
});

test('questions group the actions asked on one resource in one context', () => {
  const questions = permissionQuestions('aws:rds:failover-db-cluster', {
    region: 'eu-west-1',
    accountId: '123456789012',
    targetArns: ['arn:aws:rds:eu-west-1:123456789012:cluster:prod'],
    targetPattern: 'arn:aws:rds:eu-west-1:123456789012:cluster:*',
  })!;
  assert.equal(questions, [
    { actions: ['rds:FailoverDBCluster'], resourceArn: 'arn:aws:rds:eu-west-1:123456789012:cluster:prod', context: {} },
    { actions: ['rds:DescribeDBClusters', 'tag:GetResources'], resourceArn: '*', context: {} },
  ]);
  // A tag-selected target: any resource of its type in the region.
  const byTags = permissionQuestions('aws:rds:failover-db-cluster', {
    region: 'eu-west-1',
    accountId: '123456789012',
    targetArns: [],
    targetPattern: 'arn:aws:rds:eu-west-1:123456789012:cluster:*',
  })!;
  assert.is(byTags[0].resourceArn, 'arn:aws:rds:eu-west-1:123456789012:cluster:*');
  const network = permissionQuestions('aws:network:disrupt-connectivity', {
    region: 'us-east-1',
    accountId: '1',
    targetArns: [],
    targetPattern: 'arn:aws:ec2:us-east-1:1:subnet/*',
  })!;
  const createAcl = network.find((question) => question.actions.includes('ec2:CreateNetworkAcl'))!;
  assert.equal(createAcl, {
    actions: ['ec2:CreateNetworkAcl'],
    resourceArn: 'arn:aws:ec2:us-east-1:1:network-acl/*',
    context: { 'aws:RequestTag/managedByFIS': 'true' },
  });
});

test("the lab's FIS policies allow everything gameday asks, in FIS's context, and not outside it", () => {
  const policies = labFisPolicies();
  for (const policy of policies) assertEvaluable(policy.document, policy.arn);
  let asked = 0;
  for (const action of compiledActions()) {
    const questions = permissionQuestions(action.actionId, { ...action, region: 'us-east-1', accountId: '0' })!;
    for (const question of questions)
      for (const iamAction of question.actions) {
        asked++;
        const decision = evaluate(policies, iamAction, question.resourceArn, context(question.context)).decision;
        assert.is(decision, 'allowed', `${iamAction} on ${question.resourceArn} for ${action.actionId}`);
      }
  }
  assert.ok(asked > 60, `${asked} decisions`);
  // A network ACL FIS did not tag may not be deleted; one created untagged may not be made.
  const untagged = evaluate(policies, 'ec2:DeleteNetworkAcl', 'arn:aws:ec2:us-east-1:0:network-acl/acl-1', new Map());
  assert.equal(untagged, {
    decision: 'implicitDeny',
    matched: [],
    missingContext: ['ec2:ResourceTag/managedByFIS'],
  });
  const wrongTag = context({ 'aws:RequestTag/managedByFIS': 'false' });
  assert.is(
    evaluate(policies, 'ec2:CreateNetworkAcl', 'arn:aws:ec2:x:0:network-acl/*', wrongTag).decision,
    'implicitDeny',
  );
  // Without the network policy the role may still reboot databases, and no longer cut subnets.
  const withoutNetwork = policies.filter((policy) => !policy.arn.endsWith('/gameday-lab-fis-network'));
  assert.is(evaluate(withoutNetwork, 'rds:RebootDBInstance', 'arn:aws:rds:x:0:db:a', new Map()).decision, 'allowed');
  assert.is(
    evaluate(withoutNetwork, 'ec2:ReplaceNetworkAclAssociation', 'arn:aws:ec2:x:0:subnet/s', new Map()).decision,
    'implicitDeny',
  );
});

test("IAM's evaluation: explicit deny wins, then allow, else implicit deny; conditions as IAM reads them", () => {
  const policy = (statements: AttachedPolicy['document']['Statement']): AttachedPolicy => ({
    arn: 'arn:aws:iam::0:policy/p',
    document: { Version: '2012-10-17', Statement: statements },
  });
  const allowAll = policy([{ Sid: 'all', Effect: 'Allow', Action: '*', Resource: '*' }]);
  const denyRds = policy([{ Sid: 'no', Effect: 'Deny', Action: 'RDS:Failover*', Resource: 'arn:aws:rds:*' }]);
  assert.equal(evaluate([allowAll, denyRds], 'rds:FailoverDBCluster', 'arn:aws:rds:x:0:cluster:c', new Map()), {
    decision: 'explicitDeny',
    matched: [{ policyArn: 'arn:aws:iam::0:policy/p', sid: 'no' }],
    missingContext: [],
  });
  assert.is(
    evaluate([allowAll, denyRds], 'rds:RebootDBInstance', 'arn:aws:rds:x:0:db:d', new Map()).decision,
    'allowed',
  );
  // Resources match case-sensitively; ? is one character.
  const one = policy([{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::bucket-?' }]);
  assert.is(evaluate([one], 's3:PauseReplication', 'arn:aws:s3:::bucket-a', new Map()).decision, 'allowed');
  assert.is(evaluate([one], 's3:PauseReplication', 'arn:aws:s3:::Bucket-a', new Map()).decision, 'implicitDeny');
  assert.is(evaluate([one], 's3:PauseReplication', 'arn:aws:s3:::bucket-ab', new Map()).decision, 'implicitDeny');
  // NotAction: everything but.
  const notEc2 = policy([{ Effect: 'Allow', NotAction: 'ec2:*', Resource: '*' }]);
  assert.is(evaluate([notEc2], 'ec2:CreateTags', '*', new Map()).decision, 'implicitDeny');
  assert.is(evaluate([notEc2], 'ssm:SendCommand', '*', new Map()).decision, 'allowed');
  // IfExists holds without the key; a negated operator holds without it; keys are case-insensitive.
  const conditioned = (condition: Record<string, Record<string, string>>) =>
    policy([{ Effect: 'Allow', Action: '*', Resource: '*', Condition: condition }]);
  const ifExists = conditioned({ StringEqualsIfExists: { 'aws:RequestTag/team': 'sre' } });
  assert.is(evaluate([ifExists], 'x:Y', '*', new Map()).decision, 'allowed');
  assert.is(evaluate([ifExists], 'x:Y', '*', context({ 'AWS:RequestTag/Team': 'dev' })).decision, 'implicitDeny');
  const notEquals = conditioned({ StringNotEquals: { 'aws:RequestTag/team': 'dev' } });
  assert.is(evaluate([notEquals], 'x:Y', '*', new Map()).decision, 'allowed');
  assert.is(evaluate([notEquals], 'x:Y', '*', context({ 'aws:RequestTag/team': 'dev' })).decision, 'implicitDeny');
  const like = conditioned({ StringLike: { 'aws:RequestTag/team': 's*' } });
  assert.is(evaluate([like], 'x:Y', '*', context({ 'aws:RequestTag/team': 'sre' })).decision, 'allowed');
  assert.throws(
    () => assertEvaluable(conditioned({ NumericLessThan: { 'aws:x': '1' } }).document, 'p'),
    /NumericLessThan is not one the lab evaluates/,
  );
});

test.run();
