import { defineExperiment, faults, probes } from 'gameday';
import { slos } from './support/slos';

/**
 * Step 4 (experiments/region-failover.ts, shorter): us-east-1 drops off the network (FIS
 * disrupt-connectivity); the runbook detects it from the health check, fails the global
 * cluster over to eu-west-1, waits for DNS and verifies clients are served there, then
 * fails back after the fault. The write ledger says whether an acknowledged order was lost.
 */
export default defineExperiment({
  name: 'region outage: lose us-east-1',
  description: 'us-east-1 drops off the network for 12 s; orders must be placed through eu-west-1 within 20 s.',
  hypothesis: { rto: '20s', rpo: '1s', recovery: { successRatio: 0.95, window: '3s' } },
  slos: [{ ...slos[0], expect: 'budget<3%' }, slos[1]],
  traffic: probes.http({
    endpoint: 'app',
    path: '/orders',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ item: 'gameday-drill', quantity: 1 }),
    rate: 20,
    timeout: '2s',
  }),
  probes: [probes.ledger({ endpoint: 'app', rate: 10 })],
  faults: [
    faults.regionOutage({
      name: 'us-east-1-offline',
      region: 'us-east-1',
      mode: 'blackhole',
      after: '3s',
      duration: '12s',
    }),
  ],
  failover: {
    mode: 'automatic',
    kind: 'unplanned',
    from: 'us-east-1',
    to: 'eu-west-1',
    detect: { healthCheck: true },
    trafficShift: 'dns',
    verify: { successRatio: 0.95, window: '2s', timeout: '20s' },
    failback: true,
  },
  duration: '20s',
  tags: ['gameday', 'region-failover'],
});
