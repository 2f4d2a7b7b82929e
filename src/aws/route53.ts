import {
  GetHealthCheckCommand,
  GetHealthCheckStatusCommand,
  UpdateHealthCheckCommand,
  type Route53Client,
} from '@aws-sdk/client-route-53';
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

/** What preflight needs of a health check: its Inverted flag and its checkers' latest reports. */
export interface HealthCheckReading {
  inverted: boolean;
  /** How many checkers reported, and the reports that are failures ("Failure: HTTP Status Code 503, …"). */
  reports: number;
  failures: string[];
}

/**
 * Reads a health check as Route 53 sees it (GetHealthCheck, GetHealthCheckStatus). The
 * status reports are the checkers' raw results, before Inverted is applied.
 */
export async function readHealthCheck(route53: Route53Client, healthCheckId: string): Promise<HealthCheckReading> {
  let call = 'GetHealthCheck';
  try {
    const { HealthCheck } = await route53.send(new GetHealthCheckCommand({ HealthCheckId: healthCheckId }));
    call = 'GetHealthCheckStatus';
    const { HealthCheckObservations = [] } = await route53.send(
      new GetHealthCheckStatusCommand({ HealthCheckId: healthCheckId }),
    );
    const statuses = HealthCheckObservations.map((observation) => observation.StatusReport?.Status ?? '');
    return {
      inverted: HealthCheck?.HealthCheckConfig?.Inverted ?? false,
      reports: statuses.length,
      failures: statuses.filter((status) => status.startsWith('Failure')),
    };
  } catch (error) {
    throw new Route53Error(`Route 53 ${call} ${healthCheckId}: ${describeAwsError(error)}`);
  }
}
