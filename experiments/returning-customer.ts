import { defineExperiment, faults, probes } from 'gameday';
import { checkout } from './support/storefront';

/**
 * The customer who keeps the tab open: the same checkout journey, but in one browser
 * session for the whole run, so Chromium's host cache and its open connections carry over
 * from one journey to the next. Chromium keeps a DNS answer at least 60 s whatever its TTL
 * (5 s here), so after the failover this customer goes on reaching us-east-1 until the
 * answer it took when it started runs out: the journey's RTO is about a minute where the
 * order traffic, which honours the TTL, recovers in seconds. That difference is the extra
 * DNS caching a browser does.
 *
 *   npx gameday run experiments/returning-customer.ts
 */
export default defineExperiment({
  name: 'storefront: a returning customer through a region outage',
  description:
    "us-east-1 drops off the network for 80 s; how long a customer whose browser keeps its session can't check out.",
  target: {
    kind: 'lab',
    regions: ['us-east-1', 'eu-west-1'],
    healthCheck: { interval: '1s', failureThreshold: 3 },
    ttl: { app: '5s', writer: '1s' },
  },
  hypothesis: {
    rto: { traffic: '30s', checkout: '90s' },
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
    probes.browser({
      name: 'checkout',
      endpoint: 'app',
      every: '2s',
      timeout: '10s',
      session: 'kept',
      journey: checkout,
    }),
  ],
  faults: [
    faults.regionOutage({
      name: 'us-east-1-offline',
      region: 'us-east-1',
      mode: 'blackhole',
      after: '3s',
      duration: '80s',
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
  duration: '90s',
  tags: ['lab', 'region-failover', 'journeys', 'dns-caching'],
});
