import type { LabStrategy } from './types';

/**
 * Warm standby: the secondary region runs everything at reduced capacity — its database a
 * hot standby, its app one worker where the primary runs four — and the runbook scales it
 * up after the promotion. Until the new workers listen, the region sheds what one worker
 * cannot serve: clients see the warm-up. Each worker serves 15 requests a second (a sized
 * instance), so the primary's fleet takes 60 and the standby's 15.
 */
export const warmStandby: LabStrategy = {
  name: 'warm-standby',
  summary:
    'DNS failover records; the primary region runs its app as 4 workers, every other region as 1 (each worker ' +
    'serves 15 requests/s) over a hot standby; the runbook promotes it and scales its app up',
  database: 'streaming',
  entry: 'dns-failover',
  serving: 'primary',
  fleet: { standbyWorkers: 1, servingWorkers: 4, rpsPerWorker: 15 },
  steps: ['scale-up'],
};
