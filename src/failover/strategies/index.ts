import { activeActiveRunbook } from './active-active';
import { activePassiveDnsRunbook } from './active-passive-dns';
import { coldStandbyRunbook } from './cold-standby';
import { dataActiveActiveRunbook } from './data-active-active';
import { queueBufferedRunbook } from './queue-buffered';
import { globalLoadBalancerRunbook } from './global-load-balancer';
import { warmStandbyRunbook } from './warm-standby';
import type { StrategyRunbook } from './types';

/** Each lab strategy's runbook side, by the strategy's name (lab/strategies/ has the same names). */
const strategyRunbooks: Record<string, StrategyRunbook> = {
  'active-passive-dns': activePassiveDnsRunbook,
  'global-load-balancer': globalLoadBalancerRunbook,
  'warm-standby': warmStandbyRunbook,
  'active-active': activeActiveRunbook,
  'cold-standby': coldStandbyRunbook,
  'queue-buffered': queueBufferedRunbook,
  'data-active-active': dataActiveActiveRunbook,
};

/**
 * The steps a target's strategy adds to the runbook; a target without one (a real account, endpoints) runs the
 * runbook as written.
 */
export function strategyRunbook(strategy: string | null): StrategyRunbook {
  return (strategy === null ? undefined : strategyRunbooks[strategy]) ?? activePassiveDnsRunbook;
}

export type { StrategyRunbook } from './types';
