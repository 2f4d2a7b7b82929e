import type { StrategyRunbook } from './types';

/**
 * The runbook as written: fence, promote; the traffic shift ends when the load balancer
 * routes to the new region (TargetSession.awaitTrafficShift), which its health checks
 * decide with no DNS in between.
 */
export const globalLoadBalancerRunbook: StrategyRunbook = { beforeMove: [], afterMove: [] };
