import { GetHealthCheckCommand, UpdateHealthCheckCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { describeAwsError } from './clients';
import { GamedayError } from '../core/errors';

export class Route53Error extends GamedayError {}

/**
 * Sets a health check's Inverted flag with optimistic locking (HealthCheckVersion): a
 * concurrent change by someone else makes Route 53 refuse ours instead of silently
 * overwriting it. Returns the value it had, so the caller can restore exactly that.
 */
export async function setHealthCheckInverted(
  route53: Route53Client,
  healthCheckId: string,
  inverted: boolean,
): Promise<{ previous: boolean }> {
  try {
    const { HealthCheck } = await route53.send(new GetHealthCheckCommand({ HealthCheckId: healthCheckId }));
    const previous = HealthCheck?.HealthCheckConfig?.Inverted ?? false;
    await route53.send(
      new UpdateHealthCheckCommand({
        HealthCheckId: healthCheckId,
        HealthCheckVersion: HealthCheck?.HealthCheckVersion,
        Inverted: inverted,
      }),
    );
    return { previous };
  } catch (error) {
    throw new Route53Error(
      `Route 53 UpdateHealthCheck ${healthCheckId} Inverted=${inverted}: ${describeAwsError(error)}`,
    );
  }
}
