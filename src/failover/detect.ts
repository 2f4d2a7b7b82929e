import { sdk } from '../aws/sdk';
import { describeAwsError } from '../aws/clients';
import type { AwsModel } from '../aws/model';
import { now, sleep } from '../core/clock';
import { errorRatioAbove } from '../probes/recorder';
import type { RunbookContext } from './context';
import { pollMs } from './step';

/**
 * Route 53 semantics: a check is unhealthy after `FailureThreshold` consecutive failed
 * observations. Each poll reads the checkers' latest reports (GetHealthCheckStatus);
 * a new round of reports counts as one observation, failed when most checkers failed.
 */
export async function detect(
  ctx: RunbookContext,
  model: AwsModel,
): Promise<{ at: number; detail: Record<string, unknown> }> {
  if (ctx.skipDetection) return { at: now(), detail: { signal: 'operator-initiated' } };
  const { detect: spec } = ctx.spec;
  const healthCheckId = spec.healthCheck ? model.healthChecks[ctx.from] : undefined;
  if (!healthCheckId && !spec.errorRatio)
    throw new Error(`nothing to detect with: no health check for ${ctx.from} and no detect.errorRatio`);
  const route53 = ctx.target.aws!.clients.route53();
  let threshold = 3;
  if (healthCheckId) {
    const { HealthCheck } = await route53.send(new sdk.route53.GetHealthCheckCommand({ HealthCheckId: healthCheckId }));
    threshold = HealthCheck?.HealthCheckConfig?.FailureThreshold ?? 3;
  }
  let lastRound = 0;
  let consecutiveFailures = 0;
  const deadline = now() + spec.timeout;
  while (!ctx.signal.aborted) {
    if (healthCheckId) {
      try {
        const { HealthCheckObservations = [] } = await route53.send(
          new sdk.route53.GetHealthCheckStatusCommand({ HealthCheckId: healthCheckId }),
        );
        const round = Math.max(0, ...HealthCheckObservations.map((o) => o.StatusReport?.CheckedTime?.getTime() ?? 0));
        if (round > lastRound) {
          lastRound = round;
          const failed = HealthCheckObservations.filter((o) => o.StatusReport?.Status?.startsWith('Failure')).length;
          consecutiveFailures = failed * 2 > HealthCheckObservations.length ? consecutiveFailures + 1 : 0;
          if (consecutiveFailures >= threshold) {
            return {
              at: now(),
              detail: {
                signal: 'route53-health-check',
                healthCheckId,
                failureThreshold: threshold,
                lastReport: HealthCheckObservations[0]?.StatusReport?.Status,
              },
            };
          }
        }
      } catch (error) {
        throw new Error(`Route 53 GetHealthCheckStatus ${healthCheckId}: ${describeAwsError(error)}`);
      }
    }
    if (spec.errorRatio && ctx.recorder) {
      const current = now();
      const breach = errorRatioAbove(ctx.recorder, spec.errorRatio.window, spec.errorRatio.above, current);
      if (breach)
        return {
          at: current,
          detail: {
            signal: 'error-ratio',
            errorRatio: Math.round(breach.errorRatio * 1000) / 1000,
            window: spec.errorRatio.window,
          },
        };
    }
    if (now() > deadline) throw new Error(`no failure of ${ctx.from} detected within ${spec.timeout} ms`);
    await sleep(pollMs, ctx.signal);
  }
  throw new Error('the run ended before a failure was detected');
}

/** Automatic mode goes ahead; manual mode asks the operator (a TTY prompt, or --approve). */
export async function decide(ctx: RunbookContext): Promise<{ at: number; detail: Record<string, unknown> }> {
  if (ctx.spec.mode === 'automatic') return { at: now(), detail: { mode: 'automatic' } };
  const approved = await ctx.approve(`Fail over from ${ctx.from} to ${ctx.to} (${ctx.spec.kind})?`, ctx.signal);
  if (!approved) throw new Error('not approved (manual mode: answer the prompt, or pass --approve)');
  return { at: now(), detail: { mode: 'manual', approved: true } };
}
