import type { AwsModel } from '../aws/model';
import { readHealthCheck, setHealthCheckInverted } from '../aws/route53';
import { now } from '../core/clock';
import type { RunbookContext } from './context';
import type { FailoverSpec } from './spec';
import type { Topology, TopologyCheck } from './topology';

/**
 * `gameday failover --failback`: the runbook that undoes a failover done for real. It
 * moves the writer back from `to` to `from` as a planned switchover (nothing lost: both
 * regions are up by then), and lets the health-check failover records move clients
 * home. The experiment's hooks were written for the way out, so none of them run.
 */
export function failbackSpec(spec: FailoverSpec, regions: { from: string; to: string }): FailoverSpec {
  return {
    ...spec,
    from: regions.to,
    to: regions.from,
    kind: 'planned',
    trafficShift: 'dns',
    failback: false,
    warm: [],
    steps: [],
  };
}

/**
 * A failback moves the writer from the failback's `from` (where the failover sent it) to its
 * `to`; a writer anywhere else leaves nothing for it to do, or something else to undo first.
 */
export function judgeFailbackTopology(topology: Topology, regions: { from: string; to: string }): TopologyCheck {
  const { writer, busy } = topology;
  const check = 'writer';
  if (busy !== null)
    return { check, ok: false, detail: `the global cluster is ${busy}`, fix: 'wait until its Status is available' };
  if (writer === regions.from)
    return { check, ok: true, detail: `${regions.from} holds the writer: failing back to ${regions.to}` };
  if (writer === regions.to)
    return { check, ok: false, detail: `nothing to fail back: the writer is already ${writer}` };
  return {
    check,
    ok: false,
    detail:
      `the writer is ${writer ?? 'no cluster'}, not ${regions.from}, where the experiment fails over to; ` +
      `a failback moves it from there`,
    fix: `make ${regions.to} the writer by other means (RDS SwitchoverGlobalCluster; for the lab, gameday lab reset)`,
  };
}

/**
 * The failback's first change: the region the writer returns to comes back. Its database
 * rejoins (the lab fenced it by stopping it, and rebuilds it as a standby of the writer; an
 * AWS region rejoins by itself), and its health check, if a DR move with
 * invert-health-check left it inverted, is restored: inverted, it would keep clients away.
 */
export async function rejoin(
  ctx: RunbookContext,
  model: AwsModel,
): Promise<{ at: number; detail: Record<string, unknown> }> {
  await ctx.target.rejoinRegion(ctx.to);
  const detail: Record<string, unknown> = { region: ctx.to };
  const healthCheckId = model.healthChecks[ctx.to];
  if (healthCheckId) {
    const route53 = ctx.target.aws!.clients.route53();
    if ((await readHealthCheck(route53, healthCheckId)).inverted) {
      ctx.registerChange(`failback: restore ${healthCheckId}`, {
        kind: 'route53-health-check',
        connection: model.connection,
        healthCheckId,
        inverted: true,
        description: `Route 53: UpdateHealthCheck ${healthCheckId} Inverted=true`,
        timeoutMs: 30_000,
      });
      await setHealthCheckInverted(route53, healthCheckId, false);
      detail.healthCheck = `${healthCheckId} Inverted=false`;
    }
  }
  return { at: now(), detail };
}
