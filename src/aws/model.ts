import { labAccountId, labHostedZoneId, labGlobalClusterId, labResources } from '../lab/aws/resources';
import type { AwsConnection } from './clients';

/** Which resources an action targets: explicit ARNs, or every resource carrying these tags. */
export type ResourceSelector = { arns: string[] } | { tags: Record<string, string> };

export type ComputeType = 'ecs' | 'eks' | 'ec2';

/** EKS pods are chosen by FIS from target parameters, not ARNs or tags. */
export interface EksPodSelector {
  clusterIdentifier: string;
  namespace: string;
  selectorType: 'labelSelector' | 'deploymentName' | 'podName';
  selectorValue: string;
  /** The Kubernetes service account FIS uses in the cluster (kubernetesServiceAccount). */
  serviceAccount: string;
}

export interface RegionResources {
  subnets?: ResourceSelector;
  /** ECS tasks or EC2 instances, per `compute`. */
  compute?: ResourceSelector;
  /** With compute 'eks': which pods. */
  eks?: EksPodSelector;
  dbInstances?: ResourceSelector;
  dbClusters?: ResourceSelector;
}

/**
 * Everything gameday needs to know to act on a multi-region deployment through AWS
 * APIs. Built from an `aws` target's fields, or derived from the lab (whose resources
 * have fixed ARNs), so fault and failover code never asks which one it is talking to.
 */
export interface AwsModel {
  connection: AwsConnection;
  /** Account the deployment lives in, when known (the lab's is 000000000000). */
  accountId: string | null;
  regions: string[];
  primary: string;
  fisRoleArn: string;
  /** CloudWatch alarms FIS watches as stop conditions. */
  stopConditionAlarms: string[];
  hostedZoneId: string | null;
  recordName: string | null;
  healthChecks: Record<string, string>;
  globalClusterId: string | null;
  compute: ComputeType;
  resources: Record<string, RegionResources>;
}

export const labFisRoleArn = `arn:aws:iam::${labAccountId}:role/gameday-lab-fis`;

/** The lab as AWS sees it; deterministic from the region list, so `plan` can show exact ARNs. */
export function labAwsModel(regions: string[], primary: string, endpoint?: string): AwsModel {
  const resources: Record<string, RegionResources> = {};
  const healthChecks: Record<string, string> = {};
  regions.forEach((region, i) => {
    const r = labResources(region, i + 1);
    resources[region] = {
      subnets: { arns: [r.subnetArn] },
      compute: { arns: [r.ecsTaskArn] },
      dbInstances: { arns: [r.dbInstanceArn] },
      dbClusters: { arns: [r.dbClusterArn] },
    };
    healthChecks[region] = r.healthCheckId;
  });
  return {
    connection: { endpoint: endpoint ?? '<lab control endpoint>', labCredentials: true },
    accountId: labAccountId,
    regions,
    primary,
    fisRoleArn: labFisRoleArn,
    stopConditionAlarms: [],
    hostedZoneId: labHostedZoneId,
    recordName: 'app.gameday.lab.',
    healthChecks,
    globalClusterId: labGlobalClusterId,
    compute: 'ecs',
    resources,
  };
}

/** The model of a real account, from an `aws` target's fields. */
export function awsTargetModel(target: {
  regions: string[];
  primary?: string;
  endpoint?: string;
  profile?: string;
  fis: { roleArn: string; stopConditionAlarms: string[] };
  route53?: { hostedZoneId: string; recordName: string; healthChecks: Record<string, string> };
  rds?: { globalClusterId: string };
  compute: ComputeType;
  resources: Record<string, RegionResources>;
}): AwsModel {
  return {
    connection: { endpoint: target.endpoint, profile: target.profile },
    accountId: null,
    regions: target.regions,
    primary: target.primary ?? target.regions[0],
    fisRoleArn: target.fis.roleArn,
    stopConditionAlarms: target.fis.stopConditionAlarms,
    hostedZoneId: target.route53?.hostedZoneId ?? null,
    recordName: target.route53?.recordName ?? null,
    healthChecks: target.route53?.healthChecks ?? {},
    globalClusterId: target.rds?.globalClusterId ?? null,
    compute: target.compute,
    resources: target.resources,
  };
}
