import type { StrategyRunbook } from './types';

/**
 * Every region already writes: losing one moves its clients to the others (DNS stops
 * answering it when its health check fails), with no fence and no promotion — the roles
 * swap, nothing is rebuilt. Fence and promote are journaled as skipped, so their phases
 * of the RTO are 0. Conflicts from writes both sides took while apart are the consistency
 * check's, after the link heals (the lab's data snapshot, measure/consistency.ts).
 */
export const dataActiveActiveRunbook: StrategyRunbook = { beforeMove: [], afterMove: [], writers: 'every-region' };
