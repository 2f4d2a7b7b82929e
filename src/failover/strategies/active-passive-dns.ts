import type { StrategyRunbook } from './types';

/** The runbook as written: fence, promote, let DNS move the clients. */
export const activePassiveDnsRunbook: StrategyRunbook = { beforeMove: [], afterMove: [] };
