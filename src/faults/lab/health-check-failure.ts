import type { HealthCheckFailureFault } from '../../experiment/schema';
import type { FaultKind } from '../types';
import { injectLabRequests, labRollback, requireLab } from './requests';

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
    const lab = requireLab(context, 'healthCheckFailure');
    const path = `/lab/health-checks/${fault.region}`;
    return {
      rollback: labRollback(lab, [{ method: 'POST', path, body: { inverted: false } }], `restore ${fault.region}'s health check (Inverted=false)`),
      inject: async () => {
        await injectLabRequests(lab.state.controlUrl, [{ method: 'POST', path, body: { inverted: true } }]);
      },
    };
  },
};
