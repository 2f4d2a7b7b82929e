import { defineExperiment, faults, probes } from 'gameday';
import { slos } from './support/slos';

/**
 * Step 2 (experiments/latency.ts, shorter): us-east-1 answers 300 ms (± 50 ms) slower;
 * clients must stay served, 99% of them within 500 ms, spending little of either budget.
 */
export default defineExperiment({
  name: 'latency on us-east-1',
  description: 'us-east-1 answers 300 ms slower for 8 s; clients stay served, 99% of them within 500 ms.',
  hypothesis: { recovery: { successRatio: 0.95, window: '2s' } },
  slos: [
    { ...slos[0], expect: 'budget<0.1%' },
    { ...slos[1], expect: 'budget<0.5%' },
  ],
  traffic: probes.http({ endpoint: 'app', path: '/health', rate: 20, timeout: '2s' }),
  faults: [
    faults.latency({
      name: 'slow-us-east-1',
      region: 'us-east-1',
      link: 'ingress',
      latency: '300ms',
      jitter: '50ms',
      after: '2s',
      duration: '8s',
    }),
  ],
  duration: '14s',
  tags: ['gameday', 'latency'],
});
