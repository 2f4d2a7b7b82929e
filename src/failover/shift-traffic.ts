import { sdk } from '../aws/sdk';
import type { AwsModel } from '../aws/model';
import { setHealthCheckInverted } from '../aws/route53';
import { now, sleep } from '../core/clock';
import type { RunbookContext } from './context';
import { trafficShiftOf } from './spec';
import { pollMs } from './step';

/**
 * Data plane first: Route 53 failover records move clients once the old region's check is
 * unhealthy. With `invert-health-check` the runbook forces that (control plane), with its
 * undo journaled first. Where the target can watch its DNS (the lab), the step ends when
 * DNS answers the new region.
 */
export async function shiftTraffic(
  ctx: RunbookContext,
  model: AwsModel,
): Promise<{ at: number; detail: Record<string, unknown> }> {
  const healthCheckId = model.healthChecks[ctx.from];
  const mode = trafficShiftOf(ctx.spec);
  if (mode === 'invert-health-check') {
    if (!healthCheckId) throw new Error(`no health check for ${ctx.from} to invert`);
    await untilHealthy(ctx, healthCheckId);
    ctx.registerChange(`failover: invert ${healthCheckId}`, {
      kind: 'route53-health-check',
      connection: model.connection,
      healthCheckId,
      inverted: false,
      description: `Route 53: UpdateHealthCheck ${healthCheckId} Inverted=false`,
      timeoutMs: 30_000,
    });
    await setHealthCheckInverted(ctx.target.aws!.clients.route53(), healthCheckId, true);
  }
  const shifted = await ctx.target.awaitTrafficShift(ctx.to, ctx.signal);
  if (!shifted)
    return { at: now(), detail: { mode, note: 'Route 53 answers the secondary while the primary check is unhealthy' } };
  return { at: now(), detail: { mode, ...shifted } };
}

/**
 * Inverting a failing check makes it healthy: clients would move back to the broken
 * region, so a failing check is never inverted. A planned switchover restarts the old
 * writer as a replica, and a check that watches its database fails while it restarts:
 * a planned move waits for it to report healthy again (up to verify.timeout); an
 * unplanned one refuses at once, its region being the broken one.
 */
async function untilHealthy(ctx: RunbookContext, healthCheckId: string): Promise<void> {
  const deadline = now() + (ctx.spec.kind === 'planned' ? ctx.spec.verify.timeout : 0);
  for (;;) {
    const { HealthCheckObservations = [] } = await ctx.target
      .aws!.clients.route53()
      .send(new sdk.route53.GetHealthCheckStatusCommand({ HealthCheckId: healthCheckId }));
    const failing = HealthCheckObservations.filter((o) => o.StatusReport?.Status?.startsWith('Failure')).length;
    if (failing * 2 <= HealthCheckObservations.length) return;
    if (now() >= deadline || ctx.signal.aborted) {
      throw new Error(
        `${ctx.from}'s health check ${healthCheckId} is failing; inverting it would report it ` +
          `healthy and send clients back there. Use trafficShift: 'dns' (the failover records move ` +
          `clients by themselves)`,
      );
    }
    await sleep(pollMs, ctx.signal);
  }
}
