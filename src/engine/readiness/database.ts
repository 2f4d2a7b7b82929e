import type { DBCluster, DBInstance } from '@aws-sdk/client-rds';
import { describeAwsError, type AwsClients } from '../../aws/clients';
import { auroraGlobalReplicationLag } from '../../aws/cloudwatch';
import type { AwsModel } from '../../aws/model';
import { describeClusterWithInstances } from '../../aws/rds';
import { formatDuration } from '../../core/duration';
import { errorMessage } from '../../core/errors';
import { firstArn } from '../../failover/move-writer';
import { CachingResolver } from '../../probes/resolver';
import { postgresClient } from '../../probes/sql-check';
import type { TargetSession } from '../../targets';
import type { ReadinessExpectations } from './expectations';
import { failed, ok, skipped, type ReadinessCheck } from './types';

type Aws = { model: AwsModel; clients: AwsClients };
type Described = { cluster: DBCluster; instances: DBInstance[] } | { error: string } | null;

/** Each region's cluster and instances as RDS describes them (DescribeDBClusters, DescribeDBInstances). */
async function describeRegion(aws: Aws, region: string): Promise<Described> {
  const arn = firstArn(aws.model.resources[region]?.dbClusters);
  if (!arn) return null;
  try {
    return await describeClusterWithInstances(aws.clients.rds(region), arn);
  } catch (error) {
    return { error: errorMessage(error) };
  }
}

/**
 * The standby the experiments fail over to exists and could take the writer: its cluster
 * is available and has an available instance to promote; and it has the capacity of the
 * region it replaces — as many instances, of the same classes where RDS reports them.
 */
export async function standbyChecks(aws: Aws, expected: ReadinessExpectations): Promise<ReadinessCheck[]> {
  const checks: ReadinessCheck[] = [];
  for (const { from, to } of expected.moves) {
    const standby = await describeRegion(aws, to);
    if (standby === null) {
      const why = `the target names no cluster for ${to} by ARN (target.resources.${to}.dbClusters)`;
      checks.push(skipped(`standby ${to}`, why), skipped(`capacity ${to}`, why));
      continue;
    }
    if ('error' in standby) {
      checks.push(failed(`standby ${to}`, standby.error), skipped(`capacity ${to}`, 'its cluster could not be read'));
      continue;
    }
    checks.push(standbyCheck(to, standby));
    const primary = await describeRegion(aws, from);
    checks.push(
      primary === null
        ? skipped(`capacity ${to}`, `the target names no cluster for ${from} by ARN to compare with`)
        : 'error' in primary
          ? failed(`capacity ${to}`, primary.error)
          : capacityCheck({ region: from, ...primary }, { region: to, ...standby }),
    );
  }
  return checks;
}

function standbyCheck(region: string, { cluster, instances }: { cluster: DBCluster; instances: DBInstance[] }) {
  const check = `standby ${region}`;
  const name = cluster.DBClusterIdentifier ?? cluster.DBClusterArn ?? '?';
  const states = instances.map((instance) => `${instance.DBInstanceIdentifier} ${instance.DBInstanceStatus}`);
  const instancesText = states.length > 0 ? ` (${states.join(', ')})` : '';
  if (cluster.Status !== 'available')
    return failed(
      check,
      `${region}'s cluster ${name} is ${cluster.Status ?? 'in no status'}${instancesText}: there is no standby to ` +
        'fail over to',
      `start it and let it catch up before a drill (for the lab: gameday lab reset)`,
    );
  const available = instances.filter((instance) => instance.DBInstanceStatus === 'available');
  if (available.length === 0)
    return failed(
      check,
      `${region}'s cluster ${name} has no available instance to promote (${states.join(', ') || 'none'})`,
      `add or start an instance in ${region}`,
    );
  return ok(check, `${region}'s cluster ${name} is available with ${states.join(', ')}`);
}

function capacityCheck(
  primary: { region: string; instances: DBInstance[] },
  standby: { region: string; instances: DBInstance[] },
): ReadinessCheck {
  const check = `capacity ${standby.region}`;
  const classes = (instances: DBInstance[]) =>
    instances
      .map((instance) => instance.DBInstanceClass)
      .filter((value): value is string => !!value)
      .sort();
  const instances = (count: number) => `${count} instance${count === 1 ? '' : 's'}`;
  const [has, had] = [standby.instances.length, primary.instances.length];
  if (has < had)
    return failed(
      check,
      `${standby.region} has ${instances(has)}, ${primary.region} ${instances(had)}: after a failover the new ` +
        "writer's region serves with less",
      `give ${standby.region}'s cluster as many instances as ${primary.region}'s`,
    );
  const [from, to] = [classes(primary.instances), classes(standby.instances)];
  if (from.length === 0 || to.length === 0)
    return ok(
      check,
      `${standby.region} has ${instances(has)}, as ${primary.region} has ${instances(had)} ` +
        '(RDS reports no instance classes to compare)',
    );
  if (from.join() !== to.join())
    return failed(
      check,
      `instance classes differ: ${primary.region} ${from.join(', ')}, ${standby.region} ${to.join(', ')}`,
      `give ${standby.region} the classes ${primary.region} runs`,
    );
  return ok(check, `${standby.region} has ${instances(has)} of ${to.join(', ')}, as ${primary.region}`);
}

const replicationSql = `
  SELECT application_name, client_addr::text AS client_addr, state,
         pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 AS behind_bytes,
         (extract(epoch FROM replay_lag) * 1000)::float8 AS replay_lag_ms,
         pg_is_in_recovery() AS in_recovery
    FROM pg_stat_replication`;

interface ReplicationRow {
  application_name: string;
  client_addr: string | null;
  state: string;
  behind_bytes: number | null;
  replay_lag_ms: number | null;
  in_recovery: boolean;
}

/**
 * How far each standby the experiments fail over to is behind, against the strictest RPO
 * objective. Where the target names its writer's database, asked of the writer itself
 * (pg_stat_replication: its replay lag, and the WAL it has not replayed); on Aurora, which
 * keeps that to itself, from what it reports to CloudWatch for each secondary cluster the
 * target names by ARN (AuroraGlobalDBReplicationLag).
 */
export async function lagChecks(session: TargetSession, expected: ReadinessExpectations): Promise<ReadinessCheck[]> {
  const regions = [...new Set(expected.moves.map((move) => move.to))];
  const url = session.databaseUrl('writer');
  if (url === undefined) {
    const aws = session.aws;
    const checks: ReadinessCheck[] = [];
    for (const region of regions) {
      const arn = aws && firstArn(aws.model.resources[region]?.dbClusters);
      checks.push(
        aws && arn
          ? await cloudWatchLagCheck(aws, region, arn, expected)
          : skipped(
              `replication lag ${region}`,
              `the target names neither a writer database to ask nor ${region}'s cluster by ARN ` +
                `(target.resources.${region}.dbClusters), whose lag Aurora reports to CloudWatch`,
            ),
      );
    }
    return checks;
  }
  let rows: ReplicationRow[];
  const resolver = session.dnsServer ? new CachingResolver(session.dnsServer) : null;
  try {
    const client = await postgresClient(url, resolver, { timeoutMs: 5_000, applicationName: 'gameday-check' });
    try {
      await client.connect();
      rows = (await client.query<ReplicationRow>(replicationSql)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  } catch (error) {
    return regions.map((region) =>
      failed(`replication lag ${region}`, `the writer database could not be asked: ${errorMessage(error)}`),
    );
  } finally {
    resolver?.close();
  }
  return regions.map((region) => lagCheck(region, rows, session, expected));
}

function lagCheck(
  region: string,
  rows: readonly ReplicationRow[],
  session: TargetSession,
  expected: ReadinessExpectations,
): ReadinessCheck {
  const check = `replication lag ${region}`;
  const row = rows.find(
    (candidate) =>
      candidate.application_name === region ||
      (candidate.client_addr !== null && session.regionOfAddress(candidate.client_addr) === region),
  );
  if (!row)
    return failed(
      check,
      `the writer streams to ${rows.map((candidate) => candidate.application_name).join(', ') || 'no standby'}, ` +
        `not to ${region}: ${region} is not replicating`,
      `start ${region}'s database and let it reconnect (for the lab: gameday lab reset)`,
    );
  if (row.state !== 'streaming')
    return failed(check, `${region} is ${row.state}, not streaming, from the writer`, `let ${region} catch up`);
  const behind = row.behind_bytes ?? 0;
  // PostgreSQL clears the lag times once a standby has caught up and the writer is idle.
  const lagMs = row.replay_lag_ms ?? (behind === 0 ? 0 : null);
  const rpo = expected.rpo;
  const measured =
    lagMs === null
      ? `${behind} bytes of WAL behind (PostgreSQL reports no replay lag time)`
      : `replay lag ${formatDuration(Math.round(lagMs))}, ${behind} bytes of WAL behind`;
  if (!rpo) return ok(check, `${region} streams from the writer, ${measured} (no RPO objective to hold it to)`);
  const objective = `the RPO objective ${formatDuration(rpo.ms)} (${rpo.experiment})`;
  if (lagMs !== null && lagMs > rpo.ms)
    return failed(
      check,
      `${region} streams from the writer, ${measured}: above ${objective}; a failover now loses that much`,
      `find what slows replication into ${region} (network, load) before a drill`,
    );
  return ok(check, `${region} streams from the writer, ${measured}${lagMs === null ? '' : `, below ${objective}`}`);
}

/** Aurora reports a secondary's lag once a minute; five minutes hold the newest few. */
const lagWindowMs = 5 * 60_000;

async function cloudWatchLagCheck(
  aws: Aws,
  region: string,
  clusterArn: string,
  expected: ReadinessExpectations,
): Promise<ReadinessCheck> {
  const check = `replication lag ${region}`;
  const cluster = clusterArn.split(':cluster:')[1] ?? clusterArn;
  let reading;
  try {
    reading = await auroraGlobalReplicationLag(aws.clients.cloudwatch(region), cluster, {
      now: new Date(),
      windowMs: lagWindowMs,
    });
  } catch (error) {
    return failed(check, `CloudWatch could not be asked for ${cluster}'s lag: ${describeAwsError(error)}`);
  }
  if (reading === null)
    return failed(
      check,
      `${cluster} reported no AuroraGlobalDBReplicationLag to CloudWatch in the last ${formatDuration(lagWindowMs)}: ` +
        `${region} is not a replicating secondary of the global database`,
      `add ${region}'s cluster to the global database, or start it and let it catch up`,
    );
  const lag = formatDuration(Math.round(reading.value));
  const measured = `replication lag ${lag} at ${reading.at.toISOString()} (CloudWatch)`;
  const rpo = expected.rpo;
  if (!rpo) return ok(check, `${cluster} reports ${measured} (no RPO objective to hold it to)`);
  const objective = `the RPO objective ${formatDuration(rpo.ms)} (${rpo.experiment})`;
  if (reading.value > rpo.ms)
    return failed(
      check,
      `${cluster} reports ${measured}: above ${objective}; a failover now loses that much`,
      `find what slows replication into ${region} (network, load) before a drill`,
    );
  return ok(check, `${cluster} reports ${measured}, below ${objective}`);
}
