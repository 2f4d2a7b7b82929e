import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHealthCheckCommand,
  UpdateHealthCheckCommand,
  type Change,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { describeAwsError } from './clients';

export class Route53Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Route53Error';
  }
}

/**
 * Sets a health check's Inverted flag with optimistic locking (HealthCheckVersion): a
 * concurrent change by someone else makes Route 53 refuse ours instead of silently
 * overwriting it. Returns the value it had, so the caller can restore exactly that.
 */
export async function setHealthCheckInverted(route53: Route53Client, healthCheckId: string, inverted: boolean): Promise<{ previous: boolean }> {
  try {
    const { HealthCheck } = await route53.send(new GetHealthCheckCommand({ HealthCheckId: healthCheckId }));
    const previous = HealthCheck?.HealthCheckConfig?.Inverted ?? false;
    await route53.send(
      new UpdateHealthCheckCommand({ HealthCheckId: healthCheckId, HealthCheckVersion: HealthCheck?.HealthCheckVersion, Inverted: inverted }),
    );
    return { previous };
  } catch (error) {
    throw new Route53Error(`Route 53 UpdateHealthCheck ${healthCheckId} Inverted=${inverted}: ${describeAwsError(error)}`);
  }
}

/** Applies a change batch and waits until Route 53 reports it INSYNC on its name servers. */
export async function changeRecordSets(
  route53: Route53Client,
  hostedZoneId: string,
  changes: Change[],
  options: { comment?: string; timeoutMs?: number; pollMs?: number } = {},
): Promise<{ changeId: string; insyncAfterMs: number }> {
  const started = Date.now();
  let changeId: string;
  try {
    const output = await route53.send(
      new ChangeResourceRecordSetsCommand({ HostedZoneId: hostedZoneId, ChangeBatch: { Comment: options.comment, Changes: changes } }),
    );
    changeId = output.ChangeInfo!.Id!;
  } catch (error) {
    throw new Route53Error(`Route 53 ChangeResourceRecordSets on ${hostedZoneId}: ${describeAwsError(error)}`);
  }
  const deadline = started + (options.timeoutMs ?? 180_000);
  for (;;) {
    const { ChangeInfo } = await route53.send(new GetChangeCommand({ Id: changeId }));
    if (ChangeInfo?.Status === 'INSYNC') return { changeId, insyncAfterMs: Date.now() - started };
    if (Date.now() > deadline) throw new Route53Error(`Route 53 change ${changeId} not INSYNC after ${options.timeoutMs ?? 180_000} ms`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}
