import { defineExperiment, faults, probes } from 'gameday';

/**
 * Losing us-east-1, on the local lab: the region drops off the network (FIS
 * disrupt-connectivity); the failover runbook detects it from the Route 53 health check,
 * fences and promotes eu-west-1's database (RDS FailoverGlobalCluster), waits for DNS to
 * answer eu-west-1, and verifies clients are served there; clients' orders succeed again.
 * After the experiment it fails back (planned switchover, no data loss).
 *
 *   npm install
 *   npx gameday run experiments/region-failover.ts
 */
export default defineExperiment({
  name: 'region failover: lose us-east-1',
  description:
    'us-east-1 drops off the network for 25 s; clients must be placing orders through eu-west-1 within 30 s.',
  target: {
    kind: 'lab',
    regions: ['us-east-1', 'eu-west-1'],
    healthCheck: { interval: '1s', failureThreshold: 3 },
    ttl: { app: '5s', writer: '1s' },
  },
  hypothesis: {
    rto: '30s',
    recovery: { successRatio: 0.95, window: '5s' },
  },
  // What the customers' SLOs lose to a region outage: budget burned, and whether the pages would fire.
  slos: [
    { name: 'orders-available', sli: 'availability', objective: '99.9%', window: '30d', expect: ['budget<2%'] },
    { name: 'orders-fast', sli: 'latency', objective: '99%', threshold: '500ms', window: '30d' },
  ],
  traffic: probes.http({
    endpoint: 'app',
    path: '/orders',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ item: 'gameday-drill', quantity: 1 }),
    rate: 20,
    timeout: '2s',
  }),
  // Sequenced writes, read back from the writer after the failover: RPO.
  probes: [probes.ledger({ endpoint: 'app', rate: 10 })],
  faults: [
    faults.regionOutage({
      name: 'us-east-1-offline',
      region: 'us-east-1',
      mode: 'blackhole',
      after: '5s',
      duration: '25s',
    }),
  ],
  failover: {
    mode: 'automatic',
    kind: 'unplanned',
    from: 'us-east-1',
    to: 'eu-west-1',
    detect: { healthCheck: true },
    trafficShift: 'dns',
    verify: { successRatio: 0.95, window: '3s', timeout: '30s' },
    failback: true,
  },
  duration: '40s',
  tags: ['lab', 'region-failover'],
  service: 'orders',
});
