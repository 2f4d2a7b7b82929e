import { labAccountId } from '../resources';
import type { AttachedPolicy, PolicyDocument } from './evaluate';

/**
 * The lab's FIS role and the policies attached to it when the lab starts: what the FIS
 * actions the lab serves need, written as the AWS managed FIS policies grant it — network
 * ACLs and route tables only when tagged `managedByFIS=true` on creation, and deleted only
 * when they carry that tag. A drill's fault never depends on them (the lab's FIS assumes no
 * role); they give `gameday check` a role to judge through the policy simulator, and a test
 * a permission to take away.
 */

export const labFisRoleName = 'gameday-lab-fis';

const policyArn = (name: string) => `arn:aws:iam::${labAccountId}:policy/${name}`;
const managedByFis = { StringEquals: { 'aws:RequestTag/managedByFIS': 'true' } };
const taggedByFis = { StringEquals: { 'ec2:ResourceTag/managedByFIS': 'true' } };

const network: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'CreateTagsOnCreate',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: ['arn:aws:ec2:*:*:network-acl/*', 'arn:aws:ec2:*:*:route-table/*'],
      Condition: {
        StringEquals: {
          'ec2:CreateAction': ['CreateNetworkAcl', 'CreateRouteTable'],
          'aws:RequestTag/managedByFIS': 'true',
        },
      },
    },
    {
      Sid: 'CreateTagged',
      Effect: 'Allow',
      Action: ['ec2:CreateNetworkAcl', 'ec2:CreateRouteTable'],
      Resource: ['arn:aws:ec2:*:*:network-acl/*', 'arn:aws:ec2:*:*:route-table/*'],
      Condition: managedByFis,
    },
    {
      Sid: 'CreateInVpc',
      Effect: 'Allow',
      Action: ['ec2:CreateNetworkAcl', 'ec2:CreateRouteTable'],
      Resource: 'arn:aws:ec2:*:*:vpc/*',
    },
    {
      Sid: 'ChangeOnlyWhatFisMade',
      Effect: 'Allow',
      Action: ['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAcl', 'ec2:DeleteRouteTable', 'ec2:CreateRoute'],
      Resource: ['arn:aws:ec2:*:*:network-acl/*', 'arn:aws:ec2:*:*:route-table/*'],
      Condition: taggedByFis,
    },
    {
      Sid: 'Associate',
      Effect: 'Allow',
      Action: [
        'ec2:ReplaceNetworkAclAssociation',
        'ec2:AssociateRouteTable',
        'ec2:DisassociateRouteTable',
        'ec2:ReplaceRouteTableAssociation',
      ],
      Resource: ['arn:aws:ec2:*:*:subnet/*', 'arn:aws:ec2:*:*:network-acl/*', 'arn:aws:ec2:*:*:route-table/*'],
    },
    {
      Sid: 'Read',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeNetworkAcls',
        'ec2:DescribeRouteTables',
        'ec2:DescribeSubnets',
        'ec2:DescribeVpcs',
        'ec2:DescribeVpcPeeringConnections',
        'ec2:DescribeTransitGateways',
        'ec2:DescribeTransitGatewayAttachments',
        'ec2:DescribeManagedPrefixLists',
        'ec2:GetManagedPrefixListEntries',
      ],
      Resource: '*',
    },
  ],
};

const rds: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'FailAndReboot',
      Effect: 'Allow',
      Action: ['rds:FailoverDBCluster', 'rds:RebootDBInstance'],
      Resource: ['arn:aws:rds:*:*:cluster:*', 'arn:aws:rds:*:*:db:*'],
    },
    { Sid: 'Read', Effect: 'Allow', Action: ['rds:Describe*', 'tag:GetResources'], Resource: '*' },
  ],
};

const s3: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'PauseReplication',
      Effect: 'Allow',
      Action: ['s3:PauseReplication', 's3:GetReplicationConfiguration', 's3:PutReplicationConfiguration'],
      Resource: 'arn:aws:s3:::*',
    },
    { Sid: 'Read', Effect: 'Allow', Action: ['s3:ListAllMyBuckets', 'tag:GetResources'], Resource: '*' },
  ],
};

const compute: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'RunCommands',
      Effect: 'Allow',
      Action: ['ssm:SendCommand', 'ssm:ListCommands', 'ssm:CancelCommand'],
      Resource: '*',
    },
    {
      Sid: 'Read',
      Effect: 'Allow',
      Action: ['ecs:DescribeTasks', 'eks:DescribeCluster', 'ec2:DescribeSubnets', 'tag:GetResources'],
      Resource: '*',
    },
  ],
};

/** Every policy the lab's IAM knows, attached to its FIS role when the lab starts. */
export function labFisPolicies(): AttachedPolicy[] {
  return [
    { arn: policyArn('gameday-lab-fis-network'), document: network },
    { arn: policyArn('gameday-lab-fis-rds'), document: rds },
    { arn: policyArn('gameday-lab-fis-s3'), document: s3 },
    { arn: policyArn('gameday-lab-fis-compute'), document: compute },
  ];
}
