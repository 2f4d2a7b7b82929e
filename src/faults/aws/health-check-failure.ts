import { GetHealthCheckCommand } from '@aws-sdk/client-route-53';
import { setHealthCheckInverted } from '../../aws/route53';
import { describeAwsError } from '../../aws/clients';
import type { HealthCheckFailureFault } from '../../experiment/schema';
import { FaultError, type FaultKind } from '../types';

type Fault = HealthCheckFailureFault & { name: string };

/** healthCheckFailure through Route 53: UpdateHealthCheck Inverted=true, restored to what it was. */
export const route53HealthCheckFailure: FaultKind<Fault> = {
  plan: (fault, context) => {
    const id = context?.aws?.healthChecks[fault.region] ?? '<health check id>';
    return {
      inject: `Route 53: GetHealthCheck ${id} -> UpdateHealthCheck ${id} Inverted=true (HealthCheckVersion from the get)`,
      rollback: `Route 53: UpdateHealthCheck ${id} Inverted=<value before the fault>`,
    };
  },

  async prepare(fault, context) {
    const aws = context.target.aws;
    const healthCheckId = aws?.model.healthChecks[fault.region];
    if (!aws || !healthCheckId) throw new FaultError(`no Route 53 health check is configured for ${fault.region}`);
    const route53 = aws.clients.route53();
    let previous: boolean;
    try {
      const { HealthCheck } = await route53.send(new GetHealthCheckCommand({ HealthCheckId: healthCheckId }));
      previous = HealthCheck?.HealthCheckConfig?.Inverted ?? false;
    } catch (error) {
      throw new FaultError(`Route 53 GetHealthCheck ${healthCheckId}: ${describeAwsError(error)}`);
    }
    return {
      rollback: {
        kind: 'route53-health-check',
        connection: aws.model.connection,
        healthCheckId,
        inverted: previous,
        description: `Route 53: UpdateHealthCheck ${healthCheckId} Inverted=${previous}`,
        timeoutMs: 30_000,
      },
      async inject() {
        await setHealthCheckInverted(route53, healthCheckId, true);
        return { healthCheckId };
      },
    };
  },
};
