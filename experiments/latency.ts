import { defineExperiment, faults, probes } from 'gameday';

/**
 * 300 ms (± 50 ms) added to every response from us-east-1 (AWS: FIS ECS task network
 * latency). No failover: the hypothesis is about latency, so it is judged on latency —
 * the latency SLO (99% of requests under 500 ms) must keep its monthly budget, and the
 * availability SLO says clients stayed served. The report gives the percentiles before,
 * during and after the fault: latency is measured from each request's scheduled time, so
 * queueing behind the slow region counts.
 *
 *   npx gameday run experiments/latency.ts
 */
export default defineExperiment({
  name: 'latency on us-east-1',
  description: 'us-east-1 answers 300 ms slower for 20 s; clients must stay served, 99% of them within 500 ms.',
  hypothesis: { recovery: { successRatio: 0.95, window: '5s' } },
  slos: [
    { name: 'health-available', sli: 'availability', objective: '99.9%', window: '30d', expect: ['budget<0.1%'] },
    {
      name: 'health-fast',
      sli: 'latency',
      objective: '99%',
      threshold: '500ms',
      window: '30d',
      expect: ['budget<0.5%'],
    },
  ],
  traffic: probes.http({ endpoint: 'app', path: '/health', rate: 20, timeout: '2s' }),
  faults: [
    faults.latency({
      name: 'slow-us-east-1',
      region: 'us-east-1',
      link: 'ingress',
      latency: '300ms',
      jitter: '50ms',
      after: '5s',
      duration: '20s',
    }),
  ],
  duration: '30s',
  tags: ['lab', 'latency'],
  service: 'orders',
});
