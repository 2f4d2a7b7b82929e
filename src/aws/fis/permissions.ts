/**
 * What the role FIS assumes must be allowed to do for each action gameday compiles faults
 * to, as the FIS actions reference lists it per action ("Permissions"), with the resources
 * and request context FIS acts in. FIS creates its network ACLs and route tables tagged
 * `managedByFIS=true` and deletes only what carries that tag; the AWS managed FIS policies
 * allow exactly that through tag conditions, so a simulation without those context values
 * would report them denied. Taken from the actions reference and the managed policies as
 * published in 2026; a new action needs its row here before `gameday check` judges the
 * role for it.
 */

/** Where an IAM action is asked for: the action's own targets, or an ARN pattern FIS creates or reads. */
export type PermissionResource =
  | { kind: 'targets' }
  /** `arn:aws:<service>:<region>:<account>:<suffix>`, e.g. ec2 `network-acl/*`. */
  | { kind: 'pattern'; service: string; suffix: string }
  | { kind: 'any' };

export interface RequiredPermission {
  action: string;
  resource: PermissionResource;
  /** Context keys the request carries when FIS makes it (tag-on-create, the tag FIS set). */
  context?: Record<string, string>;
}

const targets: PermissionResource = { kind: 'targets' };
const any: PermissionResource = { kind: 'any' };
const ec2 = (suffix: string): PermissionResource => ({ kind: 'pattern', service: 'ec2', suffix });
const taggedOnCreate = { 'aws:RequestTag/managedByFIS': 'true' };
const taggedByFis = { 'ec2:ResourceTag/managedByFIS': 'true', 'aws:ResourceTag/managedByFIS': 'true' };
const createTagsFor = (createAction: string) => ({ 'ec2:CreateAction': createAction, ...taggedOnCreate });

const reads = (...actions: string[]): RequiredPermission[] => actions.map((action) => ({ action, resource: any }));
const sendCommand: RequiredPermission[] = [
  { action: 'ssm:SendCommand', resource: targets },
  ...reads('ssm:ListCommands', 'ssm:CancelCommand'),
];

const byAction: Record<string, RequiredPermission[]> = {
  'aws:network:disrupt-connectivity': [
    { action: 'ec2:CreateNetworkAcl', resource: ec2('network-acl/*'), context: taggedOnCreate },
    { action: 'ec2:CreateNetworkAcl', resource: ec2('vpc/*') },
    { action: 'ec2:CreateTags', resource: ec2('network-acl/*'), context: createTagsFor('CreateNetworkAcl') },
    { action: 'ec2:CreateNetworkAclEntry', resource: ec2('network-acl/*'), context: taggedByFis },
    { action: 'ec2:DeleteNetworkAcl', resource: ec2('network-acl/*'), context: taggedByFis },
    { action: 'ec2:ReplaceNetworkAclAssociation', resource: targets },
    { action: 'ec2:ReplaceNetworkAclAssociation', resource: ec2('network-acl/*') },
    ...reads(
      'ec2:DescribeNetworkAcls',
      'ec2:DescribeSubnets',
      'ec2:DescribeVpcs',
      'ec2:DescribeManagedPrefixLists',
      'ec2:GetManagedPrefixListEntries',
    ),
  ],
  'aws:network:route-table-disrupt-cross-region-connectivity': [
    { action: 'ec2:CreateRouteTable', resource: ec2('route-table/*'), context: taggedOnCreate },
    { action: 'ec2:CreateRouteTable', resource: ec2('vpc/*') },
    { action: 'ec2:CreateTags', resource: ec2('route-table/*'), context: createTagsFor('CreateRouteTable') },
    { action: 'ec2:DeleteRouteTable', resource: ec2('route-table/*'), context: taggedByFis },
    { action: 'ec2:CreateRoute', resource: ec2('route-table/*'), context: taggedByFis },
    { action: 'ec2:AssociateRouteTable', resource: targets },
    { action: 'ec2:DisassociateRouteTable', resource: targets },
    { action: 'ec2:ReplaceRouteTableAssociation', resource: targets },
    ...reads(
      'ec2:DescribeRouteTables',
      'ec2:DescribeSubnets',
      'ec2:DescribeVpcs',
      'ec2:DescribeVpcPeeringConnections',
      'ec2:DescribeTransitGateways',
      'ec2:DescribeTransitGatewayAttachments',
      'ec2:DescribeManagedPrefixLists',
      'ec2:GetManagedPrefixListEntries',
    ),
  ],
  'aws:rds:failover-db-cluster': [
    { action: 'rds:FailoverDBCluster', resource: targets },
    ...reads('rds:DescribeDBClusters', 'tag:GetResources'),
  ],
  'aws:rds:reboot-db-instances': [
    { action: 'rds:RebootDBInstance', resource: targets },
    ...reads('rds:DescribeDBInstances', 'tag:GetResources'),
  ],
  'aws:s3:bucket-pause-replication': [
    { action: 's3:PauseReplication', resource: targets },
    { action: 's3:GetReplicationConfiguration', resource: targets },
    { action: 's3:PutReplicationConfiguration', resource: targets },
    ...reads('s3:ListAllMyBuckets', 'tag:GetResources'),
  ],
  'aws:ssm:send-command': sendCommand,
  'aws:ecs:task-network-latency': [
    { action: 'ecs:DescribeTasks', resource: targets },
    ...sendCommand.map((permission) => ({ ...permission, resource: any })),
    ...reads('tag:GetResources'),
  ],
  'aws:eks:pod-network-latency': reads('eks:DescribeCluster', 'ec2:DescribeSubnets', 'tag:GetResources'),
};

/** The permissions an action needs, or undefined for an action gameday has no row for. */
export function permissionsOf(actionId: string): readonly RequiredPermission[] | undefined {
  return Object.hasOwn(byAction, actionId) ? byAction[actionId] : undefined;
}

/** One simulation request: IAM actions asked on one resource ARN with one request context. */
export interface PermissionQuestion {
  actions: string[];
  resourceArn: string;
  context: Record<string, string>;
}

/**
 * The questions to put to the IAM policy simulator for one FIS action, grouped so each asks
 * several actions on one resource in one context (the simulator's unit). `targetArns` are
 * the action's target resources where the template names them by ARN; without them (a tag
 * selection), any resource of the target's type in the region is asked for.
 */
export function permissionQuestions(
  actionId: string,
  scope: { region: string; accountId: string; targetArns: readonly string[]; targetPattern: string },
): PermissionQuestion[] | undefined {
  const permissions = permissionsOf(actionId);
  if (!permissions) return undefined;
  const questions = new Map<string, PermissionQuestion>();
  for (const permission of permissions) {
    const arns =
      permission.resource.kind === 'any'
        ? ['*']
        : permission.resource.kind === 'pattern'
          ? [`arn:aws:${permission.resource.service}:${scope.region}:${scope.accountId}:${permission.resource.suffix}`]
          : scope.targetArns.length > 0
            ? scope.targetArns
            : [scope.targetPattern];
    const context = permission.context ?? {};
    for (const resourceArn of arns) {
      const key = JSON.stringify([resourceArn, Object.entries(context).sort()]);
      const question = questions.get(key) ?? { actions: [], resourceArn, context };
      if (!question.actions.includes(permission.action)) question.actions.push(permission.action);
      questions.set(key, question);
    }
  }
  return [...questions.values()];
}

/** Any resource of a FIS target's type in a region, as an ARN pattern (for a tag-selected target). */
export function targetTypePattern(resourceType: string, region: string, accountId: string): string {
  const patterns: Record<string, string> = {
    'aws:ec2:subnet': `arn:aws:ec2:${region}:${accountId}:subnet/*`,
    'aws:ec2:instance': `arn:aws:ec2:${region}:${accountId}:instance/*`,
    'aws:ecs:task': `arn:aws:ecs:${region}:${accountId}:task/*`,
    'aws:eks:pod': `arn:aws:eks:${region}:${accountId}:cluster/*`,
    'aws:rds:cluster': `arn:aws:rds:${region}:${accountId}:cluster:*`,
    'aws:rds:db': `arn:aws:rds:${region}:${accountId}:db:*`,
    'aws:s3:bucket': 'arn:aws:s3:::*',
  };
  return patterns[resourceType] ?? '*';
}
