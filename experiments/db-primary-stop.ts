import { defineExperiment, faults, probes } from 'gameday';

/**
 * The primary database crashes (AWS: FIS reboots the writer instance). The runbook
 * detects it from us-east-1's health check (its /health checks its database), fails the
 * global cluster over to eu-west-1 and verifies clients are served there. The write
 * ledger says whether any acknowledged order was lost.
 */
export default defineExperiment({
  name: 'primary database crash',
  description: "us-east-1's database crashes; orders must be accepted again within 30 s.",
  target: { kind: 'lab', api: 'direct' },
  hypothesis: { rto: '30s', recovery: { window: '3s' } },
  traffic: probes.http({
    endpoint: 'app',
    path: '/orders',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"item":"drill","quantity":1}',
  }),
  probes: [
    probes.ledger({ endpoint: 'app', rate: 10 }),
    // Where the writer name points, and whether what it points at accepts writes: the
    // failover as a fresh database client sees it (checks only; they do not change the verdict).
    probes.dns({ name: 'writer-dns', hostname: 'writer.db.gameday.lab' }),
    probes.sql({
      name: 'writer-sql',
      connection: 'writer',
      query: 'select pg_is_in_recovery()',
      expect: { value: false },
    }),
  ],
  faults: [faults.dbStop({ name: 'crash-us-east-1-db', region: 'us-east-1', mode: 'immediate', after: '5s' })],
  failover: { from: 'us-east-1', to: 'eu-west-1', kind: 'unplanned', verify: { timeout: '30s' } },
  duration: '30s',
  tags: ['lab', 'database'],
  service: 'orders',
});
