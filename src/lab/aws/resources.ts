import { labBucketFor } from '../topology';

/**
 * The lab's resources, named and tagged the AWS way, so the same FIS templates, Route 53
 * calls and RDS calls work against the lab and a real account. One account, one
 * hosted zone, one Aurora-style global cluster with a regional cluster per lab region.
 */

export const labAccountId = '000000000000';
export const labHostedZoneId = 'Z0GAMEDAYLAB00001';
export const labGlobalClusterId = 'gameday-lab';
/** Tag every lab resource carries, naming its region. */
export const labRegionTag = 'gameday:lab-region';

export interface LabRegionResources {
  region: string;
  subnetArn: string;
  subnetId: string;
  instanceArn: string;
  instanceId: string;
  ecsTaskArn: string;
  eksPodArn: string;
  dbClusterId: string;
  dbClusterArn: string;
  dbInstanceId: string;
  dbInstanceArn: string;
  healthCheckId: string;
  /** The region's S3 bucket (names are global, so the ARN has no region). */
  bucketName: string;
  bucketArn: string;
  tags: Record<string, string>;
}

export function labResources(region: string, index: number): LabRegionResources {
  const subnetId = `subnet-0lab${String(index).padStart(4, '0')}`;
  const instanceId = `i-0lab${String(index).padStart(12, '0')}`;
  const dbClusterId = `gameday-lab-${region}`;
  const dbInstanceId = `gameday-lab-${region}-1`;
  return {
    region,
    subnetId,
    subnetArn: `arn:aws:ec2:${region}:${labAccountId}:subnet/${subnetId}`,
    instanceId,
    instanceArn: `arn:aws:ec2:${region}:${labAccountId}:instance/${instanceId}`,
    ecsTaskArn: `arn:aws:ecs:${region}:${labAccountId}:task/gameday-lab/app-${region}`,
    eksPodArn: `arn:aws:eks:${region}:${labAccountId}:pod/gameday-lab/default/app-${region}`,
    dbClusterId,
    dbClusterArn: `arn:aws:rds:${region}:${labAccountId}:cluster:${dbClusterId}`,
    dbInstanceId,
    dbInstanceArn: `arn:aws:rds:${region}:${labAccountId}:db:${dbInstanceId}`,
    healthCheckId: `hc-app-${region}`,
    bucketName: labBucketFor(region),
    bucketArn: `arn:aws:s3:::${labBucketFor(region)}`,
    tags: { [labRegionTag]: region, Name: `gameday-lab-${region}` },
  };
}

export const labGlobalClusterArn = `arn:aws:rds::${labAccountId}:global-cluster:${labGlobalClusterId}`;
