import type { LabStrategy } from './types';

/**
 * Cold standby: nothing runs in the secondary region. The primary archives its WAL
 * (archive_mode, a segment at least every 5 s; 1 MB segments, initdb --wal-segsize=1) and
 * ships it across the region link to an archive in the secondary region, where a base
 * backup taken when the lab starts waits. The runbook restores the database from the base
 * backup and the archived WAL, promotes it, then starts the app — the same fleet the
 * primary runs (4 workers of 15 requests/s, as warm-standby's), from nothing. What was not
 * archived and shipped when the primary's region was lost is lost: that is the RPO.
 */
export const coldStandby: LabStrategy = {
  name: 'cold-standby',
  summary:
    'the primary archives its WAL to the other region, where a base backup waits and nothing runs; the runbook ' +
    'restores the database from them, promotes it and starts the app (a fleet of 4 workers, each 15 requests/s)',
  database: 'archive',
  entry: 'dns-failover',
  serving: 'primary',
  regions: { max: 2 },
  postgres: { settings: { archive_mode: 'on', archive_timeout: '5s' }, initdbArgs: ['--wal-segsize=1'] },
  // The cold region runs no app at all until the runbook starts it, already serving.
  fleet: { standbyWorkers: 1, servingWorkers: 4, rpsPerWorker: 15 },
  steps: ['restore', 'start-app'],
};
