import { defineExperiment, faults, probes } from 'gameday';
import { slos } from './support/slos';

/**
 * Step 1 of the region GameDay (experiments/health-check-failure.ts, shorter): us-east-1's
 * Route 53 health check is inverted, so DNS sends clients to eu-west-1 although nothing is
 * broken, and back when it is restored. No target: it runs on the day's.
 */
export default defineExperiment({
  name: 'health check failure on us-east-1',
  description: 'DNS moves clients to eu-west-1 and back without errors.',
  hypothesis: { rto: '5s', recovery: { window: '2s' } },
  slos: [{ ...slos[0], expect: 'budget<1%' }, slos[1]],
  traffic: probes.http({ endpoint: 'app', path: '/health', rate: 20, connection: 'new' }),
  faults: [faults.healthCheckFailure({ name: 'invert-us-east-1', region: 'us-east-1', after: '2s', duration: '6s' })],
  duration: '12s',
  tags: ['gameday', 'dns'],
});
