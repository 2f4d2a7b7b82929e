import type { LabStrategy } from './types';

/**
 * Queue-buffered writes: as active-passive-dns (one writer, a hot standby, DNS failover
 * records), but each region's app keeps a durable local write queue (app/write-queue.ts).
 * While its writer is unreachable, the region clients were moved to takes their writes
 * into it and acknowledges each once it is on disk (202); once a writer takes writes
 * again (after the promotion, or a failback), the queue is replayed on it in the order it
 * was acknowledged, and writes queue behind it until it is empty.
 */
export const queueBuffered: LabStrategy = {
  name: 'queue-buffered',
  summary:
    'as active-passive-dns, but while its writer is unreachable a region acknowledges writes into a durable ' +
    'local queue, replayed in order on the writer once one takes writes again',
  database: 'streaming',
  entry: 'dns-failover',
  serving: 'primary',
  writeQueue: true,
  steps: ['drain-queue'],
};
