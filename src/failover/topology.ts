import type { AwsClients } from '../aws/clients';
import type { AwsModel } from '../aws/model';
import { describeGlobalCluster } from '../aws/rds';
import { readHealthCheck, type HealthCheckReading } from '../aws/route53';
import { now, sleep } from '../core/clock';
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

/**
 * What a failover experiment must start from: `from` holds the writer, every other region's
 * cluster is a secondary in sync with it (where RDS reports SynchronizationStatus), and
 * the health checks of `from` and `to` are healthy and not inverted. A target left failed
 * over by an earlier run would otherwise have the experiment fail over from a region that
 * does not write, and measure nothing real. `file` goes into the fix it suggests.
 */
export function judgeStartingTopology(
  topology: Topology,
  expected: { from: string; to: string; file: string; standby?: 'running' | 'cold' },
): TopologyCheck[] {
  const { from, to } = expected;
  // A cold standby runs nothing until the runbook restores it: no replica to be in sync, no check to pass.
  const cold = expected.standby === 'cold';
  const checks: TopologyCheck[] = [writerCheck(topology, expected)];
  for (const { region, synchronization } of topology.secondaries) {
    // The old writer of a failed-over target is behind by definition; the writer check names that.
    if (region === from) continue;
    if (cold && region === to) {
      checks.push({
        check: `secondary ${region}`,
        ok: true,
        detail: `${region} is the cold standby: nothing runs there until the runbook restores it`,
      });
      continue;
    }
    checks.push(
      synchronization === undefined || synchronization === 'connected'
        ? {
            check: `secondary ${region}`,
            ok: true,
            detail:
              `${region}'s cluster is a secondary` +
              (synchronization
                ? ' in sync (SynchronizationStatus connected)'
                : ' (RDS reports no SynchronizationStatus)'),
          }
        : {
            check: `secondary ${region}`,
            ok: false,
            detail: `${region}'s cluster is not in sync with the writer (SynchronizationStatus ${synchronization})`,
            fix: `wait until it is connected, or undo what left it behind (${undoFault})`,
          },
    );
  }
  // The writer check speaks for `from`'s cluster: where it is not the writer, that is the mismatch.
  for (const region of topology.missing.filter((region) => region !== from)) {
    checks.push({
      check: `secondary ${region}`,
      ok: false,
      detail: `${region}'s cluster is not a member of the global cluster`,
      fix: 'add it back as a secondary region, or name its cluster in target.resources',
    });
  }
  for (const check of topology.healthChecks) if (!(cold && check.region === to)) checks.push(healthCheckCheck(check));
  return checks;
}

/**
 * Reads the topology until it meets every expectation, for up to `settleMs`: a failback or
 * a reverted fault just before leaves a secondary resynchronising and a health check
 * failing for a moment. A writer in the wrong region does not settle by itself, so that
 * mismatch is answered at once; so is an interrupted run.
 */
export async function startingTopology(
  aws: Aws,
  expected: { from: string; to: string; file: string; standby?: 'running' | 'cold' },
  options: { settleMs: number; signal: AbortSignal },
): Promise<TopologyCheck[]> {
  const deadline = now() + options.settleMs;
  for (;;) {
    const topology = await readTopology(aws, expected);
    const checks = judgeStartingTopology(topology, expected);
    const settledWrongWriter = topology.busy === null && topology.writer !== expected.from;
    const over = now() >= deadline || options.signal.aborted;
    if (checks.every((check) => check.ok) || settledWrongWriter || over) return checks;
    await sleep(500, options.signal);
  }
}

const labReset = 'gameday lab reset';
const undoFault = `gameday recover <run dir> if a run left a fault; for the lab, ${labReset}`;

function writerCheck(topology: Topology, expected: { from: string; to: string; file: string }): TopologyCheck {
  const { writer, busy } = topology;
  const { from, to } = expected;
  const check = 'writer';
  if (busy !== null)
    return {
      check,
      ok: false,
      detail: `the global cluster is ${busy}`,
      fix: 'wait until its Status is available, then run again',
    };
  if (writer === from) return { check, ok: true, detail: `${from} holds the writer (RDS DescribeGlobalClusters)` };
  if (writer === to)
    return {
      check,
      ok: false,
      detail:
        `the writer is ${to}, but the experiment fails over from ${from} — the target is still failed ` +
        `over from an earlier run`,
      fix: `gameday failover ${shellWord(expected.file)} --failback (or, for the lab, ${labReset})`,
    };
  return {
    check,
    ok: false,
    detail:
      writer === null
        ? `no cluster of the global cluster is the writer, but the experiment fails over from ${from}`
        : `the writer is ${writer}, but the experiment fails over from ${from}`,
    fix: `make ${from} the writer again (RDS SwitchoverGlobalCluster; for the lab, ${labReset})`,
  };
}

/** A health check as a failover needs it: not inverted, reported on, passing (preflight and `gameday check`). */
export function healthCheckCheck(reading: Topology['healthChecks'][number]): TopologyCheck {
  const { region, id, inverted, reports, failures } = reading;
  const check = `health check ${region}`;
  const passing = reports - failures.length;
  if (inverted)
    return {
      check,
      ok: false,
      detail: `${region}'s health check ${id} is inverted, so Route 53 counts it unhealthy whatever it sees`,
      fix: `set Inverted=false again (gameday recover the run that inverted it; for the lab, ${labReset})`,
    };
  if (reports === 0)
    return {
      check,
      ok: false,
      detail: `${region}'s health check ${id} has no checker report yet`,
      fix: 'wait for its first round of checks, then run again',
    };
  if (failures.length * 2 > reports)
    return {
      check,
      ok: false,
      detail: `${region}'s health check ${id} is failing (${failures.length} of ${reports} checkers: ${failures[0]})`,
      fix: `bring ${region} back first (${undoFault})`,
    };
  return {
    check,
    ok: true,
    detail: `${region}'s health check ${id} is healthy (${passing}/${reports} checkers), not inverted`,
  };
}

/** A path as a shell word, so the suggested command can be pasted as it is. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
