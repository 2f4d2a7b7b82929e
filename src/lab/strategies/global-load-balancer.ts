import type { LabStrategy } from './types';

/**
 * A global L7 entry point with health checks in front of the regions (as AWS Global
 * Accelerator, Azure Front Door or a global ALB): clients keep one address, and the
 * balancer sends each request to the most preferred healthy region. Behind it, the same
 * primary and hot standby as active-passive-dns; the runbook promotes the standby. No
 * DNS TTL in the clients' path.
 */
export const globalLoadBalancer: LabStrategy = {
  name: 'global-load-balancer',
  summary:
    'clients keep one address: a global load balancer sends each request to the most preferred region whose ' +
    'health check passes; a hot standby in every other region, promoted by the runbook',
  database: 'streaming',
  entry: 'load-balancer',
  serving: 'primary',
  steps: [],
};
