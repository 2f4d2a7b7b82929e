import type { LabStrategy } from './types';

/**
 * Data-layer active-active: both regions take writes, each app on its own region's
 * PostgreSQL, which is a primary. Each database publishes its tables and subscribes to the
 * other's publication with `origin = none` (PostgreSQL ≥ 16: a change that arrived by
 * replication is not sent back), both subscriptions crossing the region link, so a
 * partition cuts replication both ways while both sides keep acknowledging writes. Keys
 * never collide on inserts (each region's order ids are its own residue of the sequence,
 * cart writes carry their region in their id), so what a partition leaves behind is
 * updates of the same row on both sides: the consistency check (Lab.consistency) reports
 * them once the link heals. Losing a region needs no promotion: its clients go to the
 * other region, which already writes. Two regions: one subscription each way.
 */
export const dataActiveActive: LabStrategy = {
  name: 'data-active-active',
  summary:
    'both regions take writes on their own primary; bidirectional logical replication (a publication and a ' +
    'subscription with origin = none on each side) across the region link; clients spread over every healthy ' +
    'region (Route 53 multivalue answers); no promotion: the region left already writes',
  database: 'logical',
  entry: 'dns-multivalue',
  serving: 'every-region',
  regions: { max: 2 },
  // track_commit_timestamp: PostgreSQL logs each update_origin_differs conflict it resolves (the remote change wins).
  postgres: { settings: { wal_level: 'logical', track_commit_timestamp: 'on' } },
  steps: [],
};
