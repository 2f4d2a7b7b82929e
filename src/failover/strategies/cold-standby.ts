import type { StrategyRunbook } from './types';

/**
 * Before the writer moves, the region failed over to restores its database from the base
 * backup and the archived WAL (promotion then replays the rest of what is archived); once
 * promoted, its app starts. Nothing runs there before: preflight expects no healthy check
 * and no replication in it.
 */
export const coldStandbyRunbook: StrategyRunbook = {
  beforeMove: ['restore'],
  afterMove: ['start-app'],
  standby: 'cold',
};
