import type { HealthCheckFailureFault } from '../../experiment/schema';
import type { FaultKind } from '../types';
import { injectLabRequests, labRollback, requireDirectApi } from './requests';

type Fault = HealthCheckFailureFault & { name: string };

/**
 * healthCheckFailure: the region's health check is inverted (Route 53 UpdateHealthCheck
 * Inverted=true), so DNS fails traffic over although the region itself is fine — the
 * cheapest way to rehearse the traffic shift.
 */
export const healthCheckFailureFault: FaultKind<Fault> = {
  plan: (fault) => ({
    inject: `lab: invert ${fault.region}'s health check (Inverted=true)`,
    rollback: `lab: restore it (Inverted=false)`,
  }),

  async prepare(fault, context) {
    const direct = requireDirectApi(context, 'healthCheckFailure');
    const path = `/lab/health-checks/${fault.region}`;
    return {
      rollback: labRollback(direct, [{ method: 'POST', path, body: { inverted: false } }], `restore ${fault.region}'s health check (Inverted=false)`),
      inject: async () => {
        await injectLabRequests(direct.controlUrl, [{ method: 'POST', path, body: { inverted: true } }]);
      },
    };
  },
};
