import type { AwsClients } from '../aws/clients';
import type { AwsModel } from '../aws/model';
import { describeGlobalCluster } from '../aws/rds';
import { readHealthCheck, type HealthCheckReading } from '../aws/route53';
import { firstArn } from './move-writer';

/** One expectation about the target's topology, met or not; a mismatch says how to fix it. */
export interface TopologyCheck {
  check: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

/** The target's topology as RDS and Route 53 report it, in the target's region names. */
export interface Topology {
  /** The writer's region (its cluster ARN when the target does not name that cluster); null when none writes. */
  writer: string | null;
  /** What RDS is doing to the global cluster (a failover or switchover under way), in words; null when available. */
  busy: string | null;
  /** Every member that is not the writer, with its SynchronizationStatus where RDS reports one. */
  secondaries: Array<{ region: string; synchronization: string | undefined }>;
  /** Regions whose cluster the target names but the global cluster does not hold. */
  missing: string[];
  /** The health checks of the regions the runbook moves between. */
  healthChecks: Array<{ region: string; id: string } & HealthCheckReading>;
}

type Aws = { model: AwsModel; clients: AwsClients };

/** Reads the global cluster (RDS DescribeGlobalClusters) and the health checks of `from` and `to` (Route 53). */
export async function readTopology(aws: Aws, regions: { from: string; to: string }): Promise<Topology> {
  const { model, clients } = aws;
  if (!model.globalClusterId) throw new Error('the target names no global cluster (target.rds.globalClusterId)');
  const cluster = await describeGlobalCluster(clients.rds(regions.to), model.globalClusterId);
  const arnOf = (region: string) => firstArn(model.resources[region]?.dbClusters);
  const regionOf = (arn: string | undefined) =>
    arn === undefined ? '?' : (model.regions.find((region) => arnOf(region) === arn) ?? arn);
  const members = cluster.GlobalClusterMembers ?? [];
  const writer = members.find((member) => member.IsWriter)?.DBClusterArn;
  const moving = cluster.FailoverState;
  const busy = moving?.Status
    ? `moving the writer from ${regionOf(moving.FromDbClusterArn)} to ${regionOf(moving.ToDbClusterArn)} ` +
      `(FailoverState ${moving.Status})`
    : cluster.Status !== 'available'
      ? `in status ${cluster.Status ?? 'none'}`
      : null;
  const healthChecks: Topology['healthChecks'] = [];
  for (const region of [regions.from, regions.to]) {
    const id = model.healthChecks[region];
    if (id) healthChecks.push({ region, id, ...(await readHealthCheck(clients.route53(), id)) });
  }
  return {
    writer: writer === undefined ? null : regionOf(writer),
    busy,
    secondaries: members
      .filter((member) => !member.IsWriter)
      .map((member) => ({ region: regionOf(member.DBClusterArn), synchronization: member.SynchronizationStatus })),
    missing: model.regions.filter((region) => {
      const arn = arnOf(region);
      return arn !== undefined && !members.some((member) => member.DBClusterArn === arn);
    }),
    healthChecks,
  };
}
