import { regionsOf, type Executor } from './execution';

/**
 * aws:rds:reboot-db-instances and aws:rds:failover-db-cluster: the instance's PostgreSQL
 * is stopped at once (an immediate shutdown, as a reboot drops every connection) and
 * started again; the action completes when it accepts connections. Its startTime is when
 * the database went down.
 *
 * A lab cluster has one instance, so there is no replica to fail over to inside the
 * region: failing the cluster over restarts its writer, as Aurora does for a cluster
 * without replicas. (Cross-region promotion is RDS's global-cluster failover, not FIS's.)
 */
export const databaseRestart =
  (targetKey: 'DBInstances' | 'Clusters'): Executor =>
  ({ lab, targets }) => {
    const regions = regionsOf(targets[targetKey] ?? []);
    /** Only databases this action stopped are started again: one that was down before stays down. */
    const stopped: string[] = [];
    const startStopped = async (): Promise<void> => {
      for (const region of stopped) await lab.startDatabase(region);
    };
    return {
      summary: `restart of the PostgreSQL of ${regions.join(', ')}`,
      inject: async () => {
        for (const region of regions) {
          // As RDS refuses to reboot an instance that is not available.
          if (!lab.region(region).pg.running)
            throw new Error(`the database of ${region} is not running, so it cannot be restarted`);
        }
        for (const region of regions) {
          stopped.push(region);
          await lab.stopDatabase(region, 'immediate');
        }
      },
      // The restart is the action's own work: a stop request lets it finish.
      settle: () => startStopped(),
      // Starting a running database does nothing, so this is idempotent.
      revert: () => startStopped(),
    };
  };
