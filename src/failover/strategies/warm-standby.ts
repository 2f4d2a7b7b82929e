import type { StrategyRunbook } from './types';

/**
 * After the promotion the region failed over to scales its app up to serving capacity;
 * the step ends when every new worker listens (its warm-up, a phase of the RTO).
 */
export const warmStandbyRunbook: StrategyRunbook = { beforeMove: [], afterMove: ['scale-up'] };
