import { defineExperiment, faults, probes } from 'gameday';

/**
 * Losing us-east-1, on the local lab: the region drops off the network; Route 53-style
 * health checks notice; DNS fails app.gameday.lab over to eu-west-1; eu-west-1's
 * database is promoted and the writer name moves to it; clients' orders succeed again.
 *
 *   npm install
 *   npx gameday run experiments/region-failover.ts
 *
 * Until the built-in failover executor lands, the promotion is a lab helper run on a
 * schedule (`gameday lab promote`); its rollback restores the lab's initial topology.
 */
export default defineExperiment({
  name: 'region failover: lose us-east-1',
  description: 'us-east-1 drops off the network for 25 s; clients must be placing orders through eu-west-1 within 30 s.',
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
  traffic: probes.http({
    endpoint: 'app',
    path: '/orders',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ item: 'gameday-drill', quantity: 1 }),
    rate: 20,
    timeout: '2s',
  }),
  faults: [
    faults.regionOutage({ name: 'us-east-1-offline', region: 'us-east-1', mode: 'blackhole', after: '5s', duration: '25s' }),
    faults.exec({
      name: 'promote-eu-west-1',
      after: '9s',
      inject: 'gameday lab promote eu-west-1',
      rollback: 'gameday lab reset',
      timeout: '30s',
      rollbackTimeout: '60s',
    }),
  ],
  duration: '40s',
  tags: ['lab', 'region-failover'],
});
