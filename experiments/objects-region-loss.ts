import { defineExperiment, faults, probes } from 'gameday';

/**
 * Objects a region loss takes: S3 replication out of us-east-1 pauses, then us-east-1 is
 * lost. The object ledger measures object RPO beside the rows', and the dangling-reference
 * check counts order rows in eu-west-1 whose receipt never reached eu-west-1's bucket.
 *
 *   npx gameday run experiments/objects-region-loss.ts
 */
export default defineExperiment({
  name: 'lab: objects lost with us-east-1',
  description: 'Replication of us-east-1 receipts pauses for 6 s; 3 s into it us-east-1 is lost.',
  // The region loss through the lab's control API holds until the rollback; the pause goes through the lab's FIS.
  target: { kind: 'lab', api: 'direct' },
  steadyState: { duration: '2s' },
  traffic: { kind: 'http', endpoint: 'app', path: '/health', rate: 10, connection: 'new' },
  hypothesis: { objectRpo: '5s' },
  probes: [
    probes.objects({ bucket: 'gameday-lab-us-east-1', rate: 10, references: { sql: 'db-eu-west-1' } }),
    // Customers ordering in us-east-1: each order stores its receipt in the region's bucket.
    probes.fn({
      name: 'orders',
      every: '250ms',
      timeout: '1s',
      run: async ({ target, signal }) => {
        const response = await fetch(`${target.endpoints['app-us-east-1']}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ item: 'moka-pot' }),
          signal,
        });
        if (response.status !== 201) return { ok: false, detail: `HTTP ${response.status}` };
        return ((await response.json()) as { receiptKey: string }).receiptKey;
      },
    }),
  ],
  faults: [
    faults.objectReplicationPause({ name: 'pause-receipts', region: 'us-east-1', after: '2s', duration: '6s' }),
    faults.regionOutage({ name: 'lose-us-east-1', region: 'us-east-1', after: '5s' }),
  ],
  duration: '8s',
});
