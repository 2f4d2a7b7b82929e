import { LabConfigError } from '../topology';
import { activeActive } from './active-active';
import { activePassiveDns } from './active-passive-dns';
import { coldStandby } from './cold-standby';
import { dataActiveActive } from './data-active-active';
import { queueBuffered } from './queue-buffered';
import { globalLoadBalancer } from './global-load-balancer';
import { warmStandby } from './warm-standby';
import type { LabStrategy } from './types';

/** Every strategy the lab can build, by the name `target.strategy` uses; the only list of them. */
export const labStrategies = {
  'active-passive-dns': activePassiveDns,
  'global-load-balancer': globalLoadBalancer,
  'warm-standby': warmStandby,
  'active-active': activeActive,
  'cold-standby': coldStandby,
  'queue-buffered': queueBuffered,
  'data-active-active': dataActiveActive,
} satisfies Record<string, LabStrategy>;

export type StrategyName = keyof typeof labStrategies;

/** As a non-empty tuple, which zod's enum takes. */
export const strategyNames = Object.keys(labStrategies) as [StrategyName, ...StrategyName[]];

/** Today's lab: DNS failover records in front of a primary and its hot standbys. */
export const defaultStrategy: StrategyName = 'active-passive-dns';

export function isStrategyName(name: string): name is StrategyName {
  return Object.hasOwn(labStrategies, name);
}

/** The strategy of that name; an unknown one is refused with the list of valid ones. */
export function labStrategy(name: string = defaultStrategy): LabStrategy {
  if (!isStrategyName(name))
    throw new LabConfigError(`unknown strategy ${JSON.stringify(name)}; valid strategies: ${strategyNames.join(', ')}`);
  return labStrategies[name];
}

export type { LabStrategy, DatabaseTopology, EntryPoint, StrategyStep } from './types';
