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
  /** S3 buckets whose replication a fault pauses (the region's source buckets). */
  buckets?: ResourceSelector;
}

/**
 * Everything gameday needs to know to act on a multi-region deployment through AWS
 * APIs. Each target adapter builds it (targets/aws.ts from the target's fields, targets/lab.ts
 * from the lab's fixed ARNs), so fault and failover code never asks which one it is talking to.
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
