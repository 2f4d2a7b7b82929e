import { sdk } from '../aws/sdk';
import { z } from 'zod';
import { describeAwsError } from '../aws/clients';
import { setHealthCheckInverted } from '../aws/route53';
import { regionName } from '../core/fields';
import { injectLabRequests, labRollback, requireDirectApi } from './direct';
import { faultTiming } from './timing';
import { FaultError, type FaultImplementation, type FaultKind, type Named } from './types';

export const healthCheckFailureFaultSchema = z.strictObject({
  kind: z.literal('healthCheckFailure'),
  ...faultTiming,
  region: regionName,
});

export type HealthCheckFailureFault = z.output<typeof healthCheckFailureFaultSchema>;
type Fault = Named<HealthCheckFailureFault>;

/** Through Route 53: UpdateHealthCheck Inverted=true, restored to what it was. */
const route53: FaultImplementation<Fault> = {
  validate(fault, context, report) {
    const model = context.aws;
    if (model && model.regions.includes(fault.region) && !model.healthChecks[fault.region]) {
      report(
        ['region'],
        `needs target.route53.healthChecks[${JSON.stringify(fault.region)}], the health check id of ` +
          `that region's failover record`,
      );
    }
  },

  plan: (fault, context) => {
    const id = context?.aws?.healthChecks[fault.region] ?? '<health check id>';
    return {
      inject: `Route 53: GetHealthCheck ${id} -> UpdateHealthCheck ${id} Inverted=true (its HealthCheckVersion)`,
      rollback: `Route 53: UpdateHealthCheck ${id} Inverted=<value before the fault>`,
    };
  },

  async prepare(fault, context) {
    const aws = context.target.aws;
    const healthCheckId = aws?.model.healthChecks[fault.region];
    if (!aws || !healthCheckId) throw new FaultError(`no Route 53 health check is configured for ${fault.region}`);
    const client = aws.clients.route53();
    let previous: boolean;
    try {
      const { HealthCheck } = await client.send(
        new sdk.route53.GetHealthCheckCommand({ HealthCheckId: healthCheckId }),
      );
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
        await setHealthCheckInverted(client, healthCheckId, true);
        return { healthCheckId };
      },
    };
  },
};

/** Through the lab's direct API: the same inversion, by the lab's control endpoint. */
const direct: FaultImplementation<Fault> = {
  plan: (fault) => ({
    inject: `lab: invert ${fault.region}'s health check (Inverted=true)`,
    rollback: `lab: restore it (Inverted=false)`,
  }),

  async prepare(fault, context) {
    const api = requireDirectApi(context, 'healthCheckFailure');
    const path = `/lab/health-checks/${fault.region}`;
    return {
      rollback: labRollback(
        api,
        [{ method: 'POST', path, body: { inverted: false } }],
        `restore ${fault.region}'s health check (Inverted=false)`,
      ),
      inject: async () => {
        await injectLabRequests(api.controlUrl, [{ method: 'POST', path, body: { inverted: true } }]);
      },
    };
  },
};

/**
 * `healthCheckFailure`: the region's health check is inverted, so DNS fails traffic over
 * although the region itself is fine — the cheapest way to rehearse the traffic shift.
 */
export const healthCheckFailureFault: FaultKind<typeof healthCheckFailureFaultSchema> = {
  schema: healthCheckFailureFaultSchema,
  via: { aws: route53, direct },
};
