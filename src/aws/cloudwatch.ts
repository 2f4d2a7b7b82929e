import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { sdk } from './sdk';

/** The newest datapoint of a metric: when, and its value in the metric's unit. */
export interface MetricReading {
  at: Date;
  value: number;
}

/**
 * How far an Aurora global database's secondary cluster is behind its primary, as Aurora
 * reports it to CloudWatch: AWS/RDS AuroraGlobalDBReplicationLag (milliseconds, per
 * secondary DBClusterIdentifier, one datapoint a minute). The newest one-minute maximum of
 * the window, or null when the cluster reported none in it — a cluster that is not a
 * replicating secondary reports nothing.
 */
export async function auroraGlobalReplicationLag(
  cloudwatch: CloudWatchClient,
  clusterIdentifier: string,
  options: { now: Date; windowMs: number },
): Promise<MetricReading | null> {
  const reply = await cloudwatch.send(
    new sdk.cloudwatch.GetMetricDataCommand({
      StartTime: new Date(options.now.getTime() - options.windowMs),
      EndTime: options.now,
      ScanBy: 'TimestampDescending',
      MetricDataQueries: [
        {
          Id: 'lag',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/RDS',
              MetricName: 'AuroraGlobalDBReplicationLag',
              Dimensions: [{ Name: 'DBClusterIdentifier', Value: clusterIdentifier }],
            },
            Period: 60,
            Stat: 'Maximum',
          },
        },
      ],
    }),
  );
  const series = reply.MetricDataResults?.find((result) => result.Id === 'lag');
  const points = (series?.Timestamps ?? []).map((at, index) => ({ at, value: series!.Values?.[index] }));
  const newest = points
    .filter((point): point is MetricReading => point.value !== undefined)
    .sort((a, b) => b.at.getTime() - a.at.getTime())[0];
  return newest ?? null;
}
