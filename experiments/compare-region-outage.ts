import { defineExperiment, faults, probes } from 'gameday';

/**
 * One outage for every failover strategy: us-east-1 drops off the network for 20 s. Run
 * it against each architecture the lab builds, one lab after another, and set the
 * results side by side (RTO and its phases, RPO, error budget, steady-state latency,
 * stale reads, conflicting writes, the standby's idle cost):
 *
 *   npx gameday compare experiments/compare-region-outage.ts --strategies all
 *
 * The runbook promotes eu-west-1 where the strategy needs it; `gameday run` of this file
 * measures the default strategy alone.
 */
export default defineExperiment({
  name: 'compare: lose us-east-1',
  description: 'us-east-1 drops off the network for 20 s; how long until orders are taken again, and what was lost.',
  target: {
    kind: 'lab',
    regions: ['us-east-1', 'eu-west-1'],
    healthCheck: { interval: '1s', failureThreshold: 3 },
    ttl: { app: '5s', writer: '1s' },
  },
  hypothesis: { rto: '30s', recovery: { successRatio: 0.95, window: '3s' } },
  slos: [{ name: 'orders-available', sli: 'availability', objective: '99.9%', window: '30d' }],
  traffic: probes.http({
    endpoint: 'app',
    path: '/orders',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ item: 'gameday-compare', quantity: 1 }),
    rate: 20,
    timeout: '2s',
    // Many clients rather than one: each request on a new connection, sent where DNS or the
    // balancer says at the time (a kept connection stays with the region it was opened to).
    connection: 'new',
  }),
  probes: [
    probes.ledger({ endpoint: 'app', rate: 10 }),
    // A client writes, then reads its own write from the region that took it: stale reads.
    probes.readYourWrites({ rate: 2 }),
    // What each region's processes consume: the standby side's idle cost.
    probes.resources({ interval: '1s' }),
    // Where every region writes (data-active-active): both sides compared after the drill, conflicts counted.
    probes.consistency(),
  ],
  faults: [faults.regionOutage({ name: 'us-east-1-offline', region: 'us-east-1', after: '5s', duration: '20s' })],
  failover: {
    from: 'us-east-1',
    to: 'eu-west-1',
    detect: { healthCheck: true },
    verify: { successRatio: 0.95, window: '2s', timeout: '60s' },
  },
  duration: '40s',
  tags: ['lab', 'compare'],
});
