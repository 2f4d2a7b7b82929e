import type { DBCluster, DBInstance, GlobalCluster, RDSClient } from '@aws-sdk/client-rds';
import { sdk } from './sdk';
import { describeAwsError } from './clients';
import { GamedayError } from '../core/errors';

export class RdsError extends GamedayError {}

export async function describeGlobalCluster(rds: RDSClient, globalClusterId: string): Promise<GlobalCluster> {
  try {
    const { GlobalClusters } = await rds.send(
      new sdk.rds.DescribeGlobalClustersCommand({ GlobalClusterIdentifier: globalClusterId }),
    );
    const cluster = GlobalClusters?.[0];
    if (!cluster) throw new RdsError(`global cluster ${globalClusterId} not found`);
    return cluster;
  } catch (error) {
    if (error instanceof RdsError) throw error;
    throw new RdsError(`RDS DescribeGlobalClusters ${globalClusterId}: ${describeAwsError(error)}`);
  }
}

/** The ARN of the regional cluster that is the writer now. */
export function writerArn(cluster: GlobalCluster): string | undefined {
  return cluster.GlobalClusterMembers?.find((member) => member.IsWriter)?.DBClusterArn;
}

/** The writer is `clusterArn` and the global cluster has settled (available, no failover under way). */
export function isSettledWriter(cluster: GlobalCluster, clusterArn: string): boolean {
  return writerArn(cluster) === clusterArn && cluster.Status === 'available' && !cluster.FailoverState?.Status;
}

/**
 * Asks RDS to move the global cluster's writer to `targetClusterArn`: planned
 * (SwitchoverGlobalCluster: replication catches up first, no data loss) or unplanned
 * (FailoverGlobalCluster with AllowDataLoss: at once, unreplicated writes lost). RDS
 * carries it out afterwards; poll with describeGlobalCluster and isSettledWriter.
 */
export async function requestWriterMove(
  rds: RDSClient,
  globalClusterId: string,
  targetClusterArn: string,
  planned: boolean,
): Promise<void> {
  try {
    await rds.send(
      planned
        ? new sdk.rds.SwitchoverGlobalClusterCommand({
            GlobalClusterIdentifier: globalClusterId,
            TargetDbClusterIdentifier: targetClusterArn,
          })
        : new sdk.rds.FailoverGlobalClusterCommand({
            GlobalClusterIdentifier: globalClusterId,
            TargetDbClusterIdentifier: targetClusterArn,
            AllowDataLoss: true,
          }),
    );
  } catch (error) {
    throw new RdsError(
      `RDS ${planned ? 'SwitchoverGlobalCluster' : 'FailoverGlobalCluster'} to ${targetClusterArn}: ` +
        `${describeAwsError(error)}`,
    );
  }
}

/** A regional cluster and its instances, as RDS describes them in the cluster's region. */
export async function describeClusterWithInstances(
  rds: RDSClient,
  clusterArn: string,
): Promise<{ cluster: DBCluster; instances: DBInstance[] }> {
  let call = 'DescribeDBClusters';
  try {
    const { DBClusters } = await rds.send(new sdk.rds.DescribeDBClustersCommand({ DBClusterIdentifier: clusterArn }));
    const cluster = DBClusters?.[0];
    if (!cluster) throw new RdsError(`DB cluster ${clusterArn} not found`);
    call = 'DescribeDBInstances';
    const { DBInstances } = await rds.send(
      new sdk.rds.DescribeDBInstancesCommand({ Filters: [{ Name: 'db-cluster-id', Values: [clusterArn] }] }),
    );
    return { cluster, instances: DBInstances ?? [] };
  } catch (error) {
    if (error instanceof RdsError) throw error;
    throw new RdsError(`RDS ${call} ${clusterArn}: ${describeAwsError(error)}`);
  }
}
