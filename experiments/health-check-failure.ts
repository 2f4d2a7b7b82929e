import { defineExperiment, faults, probes } from 'gameday';

/**
 * The cheapest rehearsal of a traffic shift: us-east-1's Route 53 health check is
 * inverted, so DNS fails app.gameday.lab over to eu-west-1 although nothing is broken.
 * Clients open a new connection per request, so they follow DNS as soon as their cached
 * answer expires (keep-alive clients would stay where they are).
 */
export default defineExperiment({
  name: 'health check failure on us-east-1',
  description: 'DNS moves clients to eu-west-1 and back without errors.',
  target: { kind: 'lab', ttl: { app: '2s' } },
  hypothesis: { rto: '5s', recovery: { window: '3s' } },
  traffic: probes.http({ endpoint: 'app', path: '/health', rate: 20, connection: 'new' }),
  faults: [faults.healthCheckFailure({ name: 'invert-us-east-1', region: 'us-east-1', after: '5s', duration: '15s' })],
  duration: '30s',
  tags: ['lab', 'dns'],
  service: 'orders',
});
