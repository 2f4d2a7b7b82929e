import type { RDSClient } from '@aws-sdk/client-rds';
import { sdk } from '../aws/sdk';
import { describeAwsError } from '../aws/clients';
import type { AwsModel, ResourceSelector } from '../aws/model';
import { describeGlobalCluster, isSettledWriter, RdsError, requestWriterMove, writerArn } from '../aws/rds';
import { now, sleep } from '../core/clock';
import type { RunbookContext } from './context';
import { pollMs, StepFailed } from './step';

export function firstArn(selector: ResourceSelector | undefined): string | undefined {
  return selector && 'arns' in selector ? selector.arns[0] : undefined;
}

/**
 * Moves the writer with RDS: FailoverGlobalCluster with AllowDataLoss (unplanned) or
 * SwitchoverGlobalCluster (planned). Fencing is verified, not assumed: the old writer's
 * cluster stops being the writer and, where its instance is known, stops accepting
 * connections; promotion ends when the target cluster is the available writer.
 */
export async function moveWriter(
  ctx: RunbookContext,
  model: AwsModel,
): Promise<{ fencedAt: number; promotedAt: number }> {
  const globalClusterId = model.globalClusterId;
  const targetArn = firstArn(model.resources[ctx.to]?.dbClusters);
  const fromArn = firstArn(model.resources[ctx.from]?.dbClusters);
  const fromInstance = firstArn(model.resources[ctx.from]?.dbInstances);
  const rds = ctx.target.aws!.clients.rds(ctx.to);
  const rdsFrom = ctx.target.aws!.clients.rds(ctx.from);
  const planned = ctx.spec.kind === 'planned';
  let fencedAt = 0;
  let promotedAt = 0;
  let step: 'fence' | 'promote' = 'fence';
  const fenceVerification: string[] = [];

  // Each step is journaled when it begins, so a run killed mid-promotion shows what was in flight.
  ctx.journal.append({ type: 'failover.step', step: 'fence', status: 'started', at: now() });
  const fenced = (at: number) => {
    fencedAt = at;
    ctx.journal.append({
      type: 'failover.step',
      step: 'fence',
      status: 'succeeded',
      at,
      detail: { verified: fenceVerification.join('; '), planned },
    });
    ctx.journal.append({ type: 'failover.step', step: 'promote', status: 'started', at });
    step = 'promote';
  };
  try {
    if (!globalClusterId || !targetArn || !fromArn)
      throw new Error('the target names no global cluster, or no cluster ARN for one of the regions');
    if (ctx.spec.failback) {
      // Registered before the writer moves: a run that dies after it still fails back (`gameday recover`).
      ctx.registerChange(`failover: writer back to ${ctx.from}`, {
        kind: 'failback',
        connection: model.connection,
        globalClusterId,
        region: ctx.from,
        clusterArn: fromArn,
        rejoin: ctx.target.rejoinRecord(ctx.from),
        description: `${ctx.from} rejoins, then RDS SwitchoverGlobalCluster back to ${fromArn}`,
        timeoutMs: 5 * 60_000,
      });
    }
    await requestWriterMove(rds, globalClusterId, targetArn, planned);
    const deadline = now() + 15 * 60_000;
    for (;;) {
      const cluster = await describeGlobalCluster(rds, globalClusterId);
      const writer = writerArn(cluster);
      if (!fencedAt && fromInstance) {
        const instanceStatus = await instanceStatusOf(rdsFrom, fromInstance);
        if (instanceStatus !== 'available') fenceVerification.push(`old writer instance ${instanceStatus}`);
      }
      if (writer !== fromArn && !fenceVerification.includes('old cluster no longer the writer'))
        fenceVerification.push('old cluster no longer the writer');
      if (!fencedAt && fenceVerification.length > 0) fenced(now());
      if (isSettledWriter(cluster, targetArn)) {
        promotedAt = now();
        if (!fencedAt) fenced(promotedAt);
        break;
      }
      if (now() > deadline) throw new Error(`${targetArn} did not become the writer within 15 minutes`);
      if (ctx.signal.aborted) throw new Error('interrupted while the writer was moving (RDS carries on with it)');
      await sleep(pollMs);
    }
  } catch (error) {
    const message =
      error instanceof RdsError
        ? error.message
        : `RDS ${planned ? 'SwitchoverGlobalCluster' : 'FailoverGlobalCluster'}: ${describeAwsError(error)}`;
    ctx.journal.append({ type: 'failover.step', step, status: 'failed', at: now(), error: message });
    throw new StepFailed(`failover step ${step} failed: ${message}`);
  }
  ctx.journal.append({
    type: 'failover.step',
    step: 'promote',
    status: 'succeeded',
    at: promotedAt,
    detail: { writer: targetArn },
  });
  return { fencedAt, promotedAt };
}

async function instanceStatusOf(rds: RDSClient, instanceArn: string): Promise<string> {
  const { DBInstances } = await rds.send(new sdk.rds.DescribeDBInstancesCommand({ DBInstanceIdentifier: instanceArn }));
  return DBInstances?.[0]?.DBInstanceStatus ?? 'unknown';
}
