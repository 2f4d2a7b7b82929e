import { Gauge, Registry } from 'prom-client';
import { healthCheckIdFor } from './topology';
import type { Lab } from './lab';

/**
 * The lab's own metrics, served by its control endpoint (GET /metrics) for the lab's
 * Prometheus: each region's Route 53-style health check (as CloudWatch's HealthCheckStatus
 * would say it), each region's database (up, primary) and each standby's replication lag
 * behind the writer — read straight from each PostgreSQL, not through the fault proxies,
 * as a control plane sees a region its clients cannot reach. Every series has `region`.
 */
export interface LabMetrics {
  contentType: string;
  render(): Promise<string>;
}

const queryTimeoutMs = 800;

interface DatabaseReading {
  inRecovery: boolean;
  /** The writer's current WAL position, or a standby's last replayed one. */
  lsn: bigint | null;
  /** Commit time (epoch ms) of the last transaction a standby replayed. */
  replayedCommitMs: number | null;
}

export function createLabMetrics(lab: Lab): LabMetrics {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[]) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const healthy = gauge(
    'gameday_lab_health_check_healthy',
    "1 while the region's health check reports Healthy (Route 53's HealthCheckStatus), else 0.",
    ['region', 'health_check_id'],
  );
  const inverted = gauge(
    'gameday_lab_health_check_inverted',
    "1 while the region's health check is inverted (a healthCheckFailure fault), else 0.",
    ['region', 'health_check_id'],
  );
  const databaseUp = gauge('gameday_lab_database_up', "1 while the region's PostgreSQL answers, else 0.", ['region']);
  const primary = gauge(
    'gameday_lab_database_primary',
    "1 while the region's PostgreSQL is a primary (accepts writes), 0 while it is a standby or down.",
    ['region'],
  );
  const lagSeconds = gauge(
    'gameday_lab_replication_lag_seconds',
    "How far a standby's replay is behind the writer: now − the commit time of the last transaction it replayed, " +
      '0 when it has replayed everything the writer wrote.',
    ['region'],
  );
  const lagBytes = gauge(
    'gameday_lab_replication_lag_bytes',
    "WAL the writer has written that a standby has not replayed yet (pg_wal_lsn_diff of the writer's position and " +
      "the standby's replay position).",
    ['region'],
  );

  async function refresh(): Promise<void> {
    const regions = lab.regionNames();
    for (const region of regions) {
      const id = healthCheckIdFor(region);
      if (!lab.healthChecks.has(id)) continue;
      healthy.set({ region, health_check_id: id }, lab.healthChecks.isHealthy(id) ? 1 : 0);
      inverted.set({ region, health_check_id: id }, lab.healthChecks.get(id).config.inverted ? 1 : 0);
    }
    const readings = new Map(
      await Promise.all(regions.map(async (region) => [region, await readDatabase(lab, region)] as const)),
    );
    const writerRegion = lab.writerRegion();
    const writer = readings.get(writerRegion);
    lagSeconds.reset();
    lagBytes.reset();
    for (const [region, reading] of readings) {
      databaseUp.set({ region }, reading ? 1 : 0);
      primary.set({ region }, reading && !reading.inRecovery ? 1 : 0);
      // Lag is a standby's, measured against the writer; unknown (no series) when either does not answer.
      if (!reading?.inRecovery || !writer || writer.inRecovery || writer.lsn === null || reading.lsn === null) continue;
      const behind = writer.lsn > reading.lsn ? writer.lsn - reading.lsn : 0n;
      lagBytes.set({ region }, Number(behind));
      const seconds =
        behind === 0n || reading.replayedCommitMs === null ? 0 : (Date.now() - reading.replayedCommitMs) / 1000;
      lagSeconds.set({ region }, Math.max(0, seconds));
    }
  }

  return {
    contentType: registry.contentType,
    async render() {
      await refresh();
      return registry.metrics();
    },
  };
}

/** What a region's PostgreSQL says of itself, or null when it does not answer. */
async function readDatabase(lab: Lab, region: string): Promise<DatabaseReading | null> {
  const pg = lab.region(region).pg;
  if (!pg.running) return null;
  try {
    const [row] = await pg.query<{ in_recovery: boolean; lsn: string | null; replayed_ms: number | null }>(
      `SELECT pg_is_in_recovery() AS in_recovery,
              (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text AS lsn,
              (extract(epoch FROM pg_last_xact_replay_timestamp()) * 1000)::float8 AS replayed_ms`,
      [],
      queryTimeoutMs,
    );
    return { inRecovery: row.in_recovery, lsn: parseLsn(row.lsn), replayedCommitMs: row.replayed_ms };
  } catch {
    return null;
  }
}

/** PostgreSQL's 'X/Y' WAL position (two hex halves) as one number of bytes. */
export function parseLsn(text: string | null): bigint | null {
  const match = text === null ? null : /^([0-9A-Fa-f]+)\/([0-9A-Fa-f]+)$/.exec(text);
  return match ? (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`) : null;
}
