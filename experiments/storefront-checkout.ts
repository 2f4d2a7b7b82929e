import { defineExperiment, faults, probes } from 'gameday';
import { browse, checkout } from './support/storefront';

/**
 * Losing us-east-1, measured the way customers meet it: two journeys through the lab's
 * storefront in real Chromium — browsing (reads, served by any region) and checking out
 * (an order written through the writer) — every 2 s, each a new visitor, beside the
 * open-model order traffic. Each journey gets its own RTO ("checkout recovered at +7.2 s,
 * browse at +4.1 s"), judged against its own objective; a failed journey leaves a
 * screenshot and a Playwright trace in the run directory. Chromium resolves
 * app.gameday.lab through the lab's DNS, so the journeys follow the failover as DNS does.
 *
 *   npm install        # Chromium itself: apt-get install chromium (or GAMEDAY_CHROMIUM)
 *   npx gameday run experiments/storefront-checkout.ts
 */
export default defineExperiment({
  name: 'storefront: lose us-east-1, keep checking out',
  description:
    'us-east-1 drops off the network for 25 s; customers must be checking out through eu-west-1 within 30 s ' +
    'and browsing within 20 s.',
  target: {
    kind: 'lab',
    regions: ['us-east-1', 'eu-west-1'],
    healthCheck: { interval: '1s', failureThreshold: 3 },
    ttl: { app: '5s', writer: '1s' },
  },
  hypothesis: {
    rto: { traffic: '30s', checkout: '30s', browse: '20s' },
    recovery: { successRatio: 0.95, window: '5s' },
  },
  traffic: probes.http({
    endpoint: 'app',
    path: '/orders',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ item: 'gameday-drill', quantity: 1 }),
    rate: 10,
    timeout: '2s',
  }),
  probes: [
    // A customer gives up on a page after about 8 s: a journey caught by the outage fails then.
    probes.browser({ name: 'checkout', endpoint: 'app', every: '2s', timeout: '8s', journey: checkout }),
    probes.browser({ name: 'browse', endpoint: 'app', every: '2s', timeout: '8s', journey: browse }),
  ],
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
  tags: ['lab', 'region-failover', 'journeys'],
});
