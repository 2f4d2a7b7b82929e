import { defineExperiment, faults, probes } from 'gameday';
import { slos } from './support/slos';

/**
 * Step 3 (experiments/db-primary-stop.ts, shorter): us-east-1's PostgreSQL crashes and
 * stays down. The runbook detects it from us-east-1's health check (its /health checks its
 * database), fails the global cluster over to eu-west-1 and verifies clients are served
 * there; after the drill the old primary rejoins and the writer fails back. The write
 * ledger says whether any acknowledged order was lost.
 */
export default defineExperiment({
  name: 'primary database crash',
  description: "us-east-1's database crashes; orders must be accepted again within 20 s.",
  hypothesis: { rto: '20s', recovery: { window: '2s' } },
  slos: [{ ...slos[0], expect: 'budget<3%' }, slos[1]],
  traffic: probes.http({
    endpoint: 'app',
    path: '/orders',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ item: 'gameday-drill', quantity: 1 }),
    rate: 20,
    timeout: '2s',
  }),
  probes: [probes.ledger({ endpoint: 'app', rate: 10 })],
  faults: [faults.dbStop({ name: 'crash-us-east-1-db', region: 'us-east-1', mode: 'immediate', after: '3s' })],
  failover: { from: 'us-east-1', to: 'eu-west-1', kind: 'unplanned', verify: { window: '2s', timeout: '20s' } },
  duration: '15s',
  tags: ['gameday', 'database'],
});
