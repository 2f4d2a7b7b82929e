import type { StrategyRunbook } from './types';

/**
 * After the promotion, the region failed over to replays the writes it queued while the
 * writer was unreachable: the step ends once its queue is empty, saying how many were
 * replayed, how late, and whether the writer holds them in the order they were
 * acknowledged.
 */
export const queueBufferedRunbook: StrategyRunbook = {
  beforeMove: [],
  afterMove: ['drain-queue'],
};
