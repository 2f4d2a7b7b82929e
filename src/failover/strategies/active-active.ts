import type { StrategyRunbook } from './types';

/**
 * The runbook as written, for the loss of the writer's region: fence, promote; the regions
 * left already serve their clients, and DNS stops answering the lost one when its health
 * check fails.
 */
export const activeActiveRunbook: StrategyRunbook = { beforeMove: [], afterMove: [] };
