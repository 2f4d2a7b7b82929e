import { readHealthCheck } from '../../aws/route53';
import { errorMessage } from '../../core/errors';
import type { Experiment } from '../../experiment/validate';
import { healthCheckCheck, judgeStartingTopology, readTopology } from '../../failover/topology';
import { openTarget, type Target, type TargetSession } from '../../targets';
import { newRunId } from '../run-id';
import { lagChecks, standbyChecks } from './database';
import { dnsChecks } from './dns';
import { expectationsOf, type ReadinessExpectations } from './expectations';
import { fisChecks } from './fis';
import { timingChecks } from './timing';
import { failed, ok, ReadinessError, skipped, type ReadinessCheck, type ReadinessReport } from './types';

export type { ReadinessCheck, ReadinessReport } from './types';
export { ReadinessError, readinessVerdict } from './types';

/**
 * Whether a failover could work on this target right now, for these experiments — read
 * only, through the same clients a drill acts with (Route 53, RDS, FIS; the writer's
 * database where the target names it): the failover records and the health checks behind
 * them, the configuration against the RTO objective, the writer and the standby, its lag
 * against the RPO objective, its capacity, what FIS is asked to do. Never throws for what
 * the target answers: a call that fails is a failed check that says why.
 */
export async function checkReadiness(
  session: TargetSession,
  experiments: readonly Experiment[],
): Promise<ReadinessReport> {
  const aws = session.aws;
  if (!aws)
    throw new ReadinessError(
      `readiness checks need a target with regions (lab or aws); target ${session.kind} has none to fail over between`,
    );
  const expected = expectationsOf(experiments);
  if (expected.moves.length === 0) throw new ReadinessError('the target has a single region: nothing to fail over to');
  const dns = await dnsChecks(aws);
  const checks: ReadinessCheck[] = [...dns.checks, ...(await topologyChecks(aws, expected))];
  const from = expected.moves[0].from;
  const settings = dns.healthChecks.get(from);
  checks.push(
    ...timingChecks(
      {
        healthCheck:
          settings && settings.requestIntervalS !== null && settings.failureThreshold !== null
            ? {
                id: settings.id,
                region: from,
                intervalMs: settings.requestIntervalS * 1000,
                failureThreshold: settings.failureThreshold,
              }
            : null,
        ttlMs: dns.ttlS === null ? null : dns.ttlS * 1000,
        recordName: (aws.model.recordName ?? '').replace(/\.$/, ''),
      },
      expected,
    ),
  );
  checks.push(...(await standbyChecks(aws, expected)));
  checks.push(...(await lagChecks(session, expected)));
  checks.push(...(await fisChecks(aws, experiments)));
  return {
    target: describeTarget(session),
    ok: checks.every((check) => check.status !== 'failed'),
    checks,
  };
}

/**
 * Opens the target (a running lab, an ephemeral one started for the check, an account on
 * the allow-list), checks it and closes it: what `gameday check` and a schedule's
 * precondition call. The target is taken as a run takes it, so a drill in progress on it
 * makes this refuse (target busy) rather than read a target mid-fault.
 */
export async function checkTargetReadiness(
  target: Target,
  experiments: readonly Experiment[],
  options: { label: string; onProgress?: (message: string) => void },
): Promise<ReadinessReport> {
  const runId = newRunId(`check ${options.label}`);
  const session = await openTarget(
    target,
    { runId, runDir: '(gameday check: no run directory)', experiment: `readiness check of ${options.label}` },
    options.onProgress ?? (() => undefined),
  );
  try {
    return await checkReadiness(session, experiments);
  } finally {
    await session.close();
  }
}

/**
 * The writer, each secondary in sync, and the health checks of the regions clients move
 * between, as preflight judges them before a failover drill (failover/topology.ts).
 */
async function topologyChecks(
  aws: NonNullable<TargetSession['aws']>,
  expected: ReadinessExpectations,
): Promise<ReadinessCheck[]> {
  const checks = new Map<string, ReadinessCheck>();
  const add = (check: ReadinessCheck) => {
    const known = checks.get(check.check);
    if (!known || (known.status !== 'failed' && check.status === 'failed')) checks.set(check.check, check);
  };
  for (const move of expected.moves) {
    if (aws.model.globalClusterId) {
      try {
        const topology = await readTopology(aws, move);
        for (const check of judgeStartingTopology(topology, { ...move, file: expected.file }))
          add(check.ok ? ok(check.check, check.detail) : failed(check.check, check.detail, check.fix));
      } catch (error) {
        add(failed('writer', errorMessage(error)));
      }
      continue;
    }
    add(skipped('writer', 'the target names no global cluster (target.rds.globalClusterId)'));
    for (const region of [move.from, move.to]) {
      const id = aws.model.healthChecks[region];
      if (!id) continue;
      try {
        const check = healthCheckCheck({ region, id, ...(await readHealthCheck(aws.clients.route53(), id)) });
        add(check.ok ? ok(check.check, check.detail) : failed(check.check, check.detail, check.fix));
      } catch (error) {
        add(failed(`health check ${region}`, errorMessage(error)));
      }
    }
  }
  return [...checks.values()];
}

function describeTarget(session: TargetSession): string {
  const description = session.describe();
  const where = description.labDir ?? description.accountId ?? '';
  const ephemeral = description.ephemeral === true ? ' (ephemeral)' : '';
  return `${description.kind}${where ? ` ${String(where)}` : ''}${ephemeral}`;
}
