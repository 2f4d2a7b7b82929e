import { z } from 'zod';
import { regionName } from '../core/fields';
import { fisFault } from './fis';
import { faultTiming } from './timing';
import type { FaultKind } from './types';

export const objectReplicationPauseFaultSchema = z.strictObject({
  kind: z.literal('objectReplicationPause'),
  ...faultTiming,
  /** The region whose buckets' outgoing replication pauses (target.resources[region].buckets). */
  region: regionName,
  /** The destination region whose replicas wait; default: the region's failover partner. */
  to: regionName.optional(),
});

export type ObjectReplicationPauseFault = z.output<typeof objectReplicationPauseFaultSchema>;

/**
 * `objectReplicationPause`: S3 Cross-Region Replication out of a region's buckets stops for
 * the fault's duration, through FIS `aws:s3:bucket-pause-replication` — on an `aws` target
 * and on the lab alike (the lab's FIS carries the action out in its own replication; under
 * `api: 'direct'` too, since the lab has no other way to pause it than the one AWS has).
 * Objects written meanwhile exist only in the source region until the pause ends: a region
 * loss in that window loses them. Rollback stops the experiment, which resumes replication.
 */
export const objectReplicationPauseFault: FaultKind<typeof objectReplicationPauseFaultSchema> = {
  schema: objectReplicationPauseFaultSchema,
  via: { aws: fisFault, direct: fisFault },
};
