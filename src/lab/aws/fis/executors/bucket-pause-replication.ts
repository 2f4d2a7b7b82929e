import { durationMs } from '../duration';
import { sleep, type Executor } from './execution';

/**
 * aws:s3:bucket-pause-replication: replication from the target buckets to their destination
 * buckets in `region` stops for the duration; what is written meanwhile queues in the source
 * region and replicates when the pause ends (the revert resumes it), as with S3's own pause.
 */
export const bucketPauseReplication: Executor = ({ lab, targets, parameters }) => {
  const buckets = (targets.Buckets ?? []).map((resource) => resource.arn.replace(/^arn:aws:s3:::/, ''));
  const destination = parameters.region;
  const ms = durationMs(parameters.duration);
  return {
    summary: `replication from ${buckets.join(', ')} to ${destination} paused`,
    inject: async () => {
      const until = Date.now() + ms;
      for (const bucket of buckets) lab.objects.pauseReplication(bucket, destination, until);
    },
    settle: (signal) => sleep(ms, signal),
    revert: async () => {
      for (const bucket of buckets) lab.objects.resumeReplication(bucket, destination);
    },
  };
};
