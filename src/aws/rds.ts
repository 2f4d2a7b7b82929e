import {
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  SwitchoverGlobalClusterCommand,
  type GlobalCluster,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { describeAwsError } from './clients';

export class RdsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RdsError';
  }
}

export async function describeGlobalCluster(rds: RDSClient, globalClusterId: string): Promise<GlobalCluster> {
  try {
    const { GlobalClusters } = await rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: globalClusterId }));
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

/**
 * Moves the global cluster's writer to `targetClusterArn`: planned (SwitchoverGlobalCluster:
 * replication catches up first, no data loss) or unplanned (FailoverGlobalCluster with
 * AllowDataLoss: at once, unreplicated writes lost). Resolves when the target is the
 * writer and the cluster is available again.
 */
export async function moveWriter(
  rds: RDSClient,
  globalClusterId: string,
  targetClusterArn: string,
  options: { planned: boolean; timeoutMs?: number; pollMs?: number },
): Promise<{ acceptedAfterMs: number; writerAfterMs: number }> {
  const started = Date.now();
  try {
    if (options.planned) {
      await rds.send(new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: globalClusterId, TargetDbClusterIdentifier: targetClusterArn }));
    } else {
      await rds.send(new FailoverGlobalClusterCommand({ GlobalClusterIdentifier: globalClusterId, TargetDbClusterIdentifier: targetClusterArn, AllowDataLoss: true }));
    }
  } catch (error) {
    throw new RdsError(`RDS ${options.planned ? 'SwitchoverGlobalCluster' : 'FailoverGlobalCluster'} to ${targetClusterArn}: ${describeAwsError(error)}`);
  }
  const acceptedAfterMs = Date.now() - started;
  const deadline = started + (options.timeoutMs ?? 900_000);
  for (;;) {
    const cluster = await describeGlobalCluster(rds, globalClusterId);
    if (writerArn(cluster) === targetClusterArn && cluster.Status === 'available' && !cluster.FailoverState?.Status) {
      return { acceptedAfterMs, writerAfterMs: Date.now() - started };
    }
    if (Date.now() > deadline) throw new RdsError(`${targetClusterArn} was not the writer of ${globalClusterId} after ${options.timeoutMs ?? 900_000} ms (status ${cluster.Status})`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}
