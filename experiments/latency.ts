import { defineExperiment, faults, probes } from 'gameday';

/**
 * 300 ms (± 50 ms) added to every response from us-east-1 (AWS: FIS ECS task network
 * latency). No failover: the hypothesis is that clients stay served and the p99 shows
 * the delay; the report's latency figures are measured from each request's scheduled
 * time, so queueing behind the slow region counts.
 */
export default defineExperiment({
  name: 'latency on us-east-1',
  description: 'us-east-1 answers 300 ms slower for 20 s; clients must keep being served.',
  hypothesis: { rto: '0ms', recovery: { successRatio: 0.95, window: '5s' } },
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
});
