/**
 * Route 53 failover selection, pure. From the Route 53 API reference
 * (ResourceRecordSet.Failover) and the Developer Guide ("How Amazon Route 53 chooses records
 * when health checking is configured", "How Route 53 averts failover problems"):
 *
 * - PRIMARY healthy            -> PRIMARY, whatever the SECONDARY's health;
 * - PRIMARY unhealthy, SECONDARY healthy -> SECONDARY;
 * - SECONDARY unhealthy        -> PRIMARY, whatever the PRIMARY's health: when every set in
 *   the group is unhealthy Route 53 "considers all the records in the group healthy"
 *   (its mode of last resort), and with all healthy the PRIMARY wins;
 * - a set without a health check is always healthy.
 */

import { FailoverCandidate, FailoverDecision, FailoverRecordSet, HealthOf } from './types';

/** Chooses the answering set of one failover group (same name and type). Empty groups are the caller's bug. */
export function chooseFailoverRecord(group: readonly FailoverRecordSet[], healthOf: HealthOf): FailoverDecision {
  const primarySet = group.find((recordSet) => recordSet.failover === 'PRIMARY');
  const secondarySet = group.find((recordSet) => recordSet.failover === 'SECONDARY');
  const primary: FailoverCandidate | undefined = primarySet && candidate(primarySet, healthOf);
  const secondary: FailoverCandidate | undefined = secondarySet && candidate(secondarySet, healthOf);

  if (primary?.healthy) {
    return {
      outcome: 'primary-healthy',
      answeredBy: primary.recordSet,
      primary,
      secondary,
      reason: `${describe(primary)}`,
    };
  }
  if (secondary?.healthy) {
    const why = primary ? describe(primary) : 'no PRIMARY set';
    return {
      outcome: 'failed-over',
      answeredBy: secondary.recordSet,
      primary,
      secondary,
      reason: `${why}; failed over to ${describe(secondary)}`,
    };
  }
  const lastResort = primary ?? secondary;
  if (lastResort === undefined) throw new Error('chooseFailoverRecord: empty failover group');
  const everyone = [primary, secondary].filter((c): c is FailoverCandidate => c !== undefined).map(describe);
  return {
    outcome: 'all-unhealthy',
    answeredBy: lastResort.recordSet,
    primary,
    secondary,
    reason:
      `${everyone.join(' and ')}; no healthy set, so Route 53 treats all as healthy and ` +
      `answers ${roleAndId(lastResort.recordSet)}`,
  };
}

/** Whether a set counts as healthy; a throwing lookup (unknown check) counts as unhealthy. */
export function candidate<S extends { healthCheckId?: string }>(
  recordSet: S,
  healthOf: HealthOf,
): { recordSet: S; healthy: boolean; healthError?: string } {
  if (recordSet.healthCheckId === undefined) return { recordSet, healthy: true };
  try {
    return { recordSet, healthy: healthOf(recordSet.healthCheckId) };
  } catch (error) {
    return { recordSet, healthy: false, healthError: error instanceof Error ? error.message : String(error) };
  }
}

function describe(c: FailoverCandidate): string {
  const check =
    c.recordSet.healthCheckId === undefined
      ? 'no health check'
      : c.healthError !== undefined
        ? `health check '${c.recordSet.healthCheckId}' unknown: ${c.healthError}`
        : `health check '${c.recordSet.healthCheckId}'`;
  return `${roleAndId(c.recordSet)} ${c.healthy ? 'healthy' : 'unhealthy'} (${check})`;
}

function roleAndId(recordSet: FailoverRecordSet): string {
  return `${recordSet.failover} '${recordSet.setIdentifier}'`;
}
