import { connectPg, queryPg, type PgConnectionConfig } from './connection';
import { PgTimeoutError } from './errors';

export type PgRole = 'primary' | 'standby';

/** One standby as the primary sees it (pg_stat_replication). Lags in bytes of WAL and in ms. */
export interface PgStandbyStatus {
  applicationName: string;
  clientAddr: string | null;
  state: string;
  syncState: string;
  sentLagBytes: number | null;
  replayLagBytes: number | null;
  writeLagMs: number | null;
  flushLagMs: number | null;
  replayLagMs: number | null;
}

export interface PgPrimaryReplication {
  role: 'primary';
  currentLsn: string;
  standbys: PgStandbyStatus[];
}

export interface PgStandbyReplication {
  role: 'standby';
  receiveLsn: string | null;
  replayLsn: string | null;
  /** WAL received but not yet replayed. */
  replayLagBytes: number | null;
  /**
   * now() − the commit time of the last replayed transaction. Grows while the primary is
   * idle, so it is an upper bound on staleness, not a measure of lag by itself.
   */
  replayDelayMs: number | null;
  /** pg_stat_wal_receiver.status: `streaming` when connected; null when no receiver runs. */
  receiverStatus: string | null;
  upstreamHost: string | null;
  upstreamPort: number | null;
}

export type PgReplicationStatus = PgPrimaryReplication | PgStandbyReplication;

const pollIntervalMs = 50;

interface PgStandbyRow {
  application_name: string;
  client_addr: string | null;
  state: string;
  sync_state: string;
  sent_lag_bytes: number | null;
  replay_lag_bytes: number | null;
  write_lag_ms: number | null;
  flush_lag_ms: number | null;
  replay_lag_ms: number | null;
}

interface PgReceiverRow {
  receive_lsn: string | null;
  replay_lsn: string | null;
  replay_lag_bytes: number | null;
  replay_delay_ms: number | null;
  receiver_status: string | null;
  sender_host: string | null;
  sender_port: number | null;
}

// float8 casts: pg returns numeric and interval as strings/objects, float8 as JS numbers.
const primaryReplicationSql = `
  SELECT application_name, client_addr::text AS client_addr, state, sync_state,
         pg_wal_lsn_diff(pg_current_wal_lsn(), sent_lsn)::float8 AS sent_lag_bytes,
         pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 AS replay_lag_bytes,
         (extract(epoch FROM write_lag) * 1000)::float8 AS write_lag_ms,
         (extract(epoch FROM flush_lag) * 1000)::float8 AS flush_lag_ms,
         (extract(epoch FROM replay_lag) * 1000)::float8 AS replay_lag_ms
    FROM pg_stat_replication
   ORDER BY application_name`;

const standbyReplicationSql = `
  SELECT pg_last_wal_receive_lsn()::text AS receive_lsn,
         pg_last_wal_replay_lsn()::text AS replay_lsn,
         -- Before anything new arrives, the receive LSN is the segment streaming started from,
         -- which can be behind replay; that is no lag.
         greatest(0, pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()))::float8 AS replay_lag_bytes,
         (extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000)::float8 AS replay_delay_ms,
         receiver.status AS receiver_status, receiver.sender_host, receiver.sender_port
    FROM (SELECT 1) AS one
    LEFT JOIN pg_stat_wal_receiver AS receiver ON true`;

export async function readRole(connection: PgConnectionConfig): Promise<PgRole> {
  const rows = await queryPg<{ in_recovery: boolean }>(connection, 'SELECT pg_is_in_recovery() AS in_recovery');
  return rows[0].in_recovery ? 'standby' : 'primary';
}

/** Replication as a node sees it: its standbys if primary, its receiver and replay if standby. */
export async function readReplicationStatus(connection: PgConnectionConfig): Promise<PgReplicationStatus> {
  const client = await connectPg(connection);
  try {
    const recovery = await client.query<{ in_recovery: boolean }>('SELECT pg_is_in_recovery() AS in_recovery');
    if (!recovery.rows[0].in_recovery) {
      const lsn = await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      const standbys = await client.query<PgStandbyRow>(primaryReplicationSql);
      return { role: 'primary', currentLsn: lsn.rows[0].lsn, standbys: standbys.rows.map(standbyStatus) };
    }
    const standby = await client.query<PgReceiverRow>(standbyReplicationSql);
    const row = standby.rows[0];
    return {
      role: 'standby',
      receiveLsn: row.receive_lsn,
      replayLsn: row.replay_lsn,
      replayLagBytes: row.replay_lag_bytes,
      replayDelayMs: row.replay_delay_ms,
      receiverStatus: row.receiver_status,
      upstreamHost: row.sender_host,
      upstreamPort: row.sender_port,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Wait until replication streams: on a primary, until a standby (the named one, if given)
 * is in state `streaming`; on a standby, until its WAL receiver is streaming.
 */
export async function waitForStreaming(
  node: { name: string; connection: PgConnectionConfig },
  timeoutMs = 30_000,
  applicationName?: string,
): Promise<PgReplicationStatus> {
  const deadline = Date.now() + timeoutMs;
  let lastError: string | undefined;
  for (;;) {
    try {
      const status = await readReplicationStatus(node.connection);
      const streaming =
        status.role === 'primary'
          ? status.standbys.some(
              (s) => s.state === 'streaming' && (!applicationName || s.applicationName === applicationName),
            )
          : status.receiverStatus === 'streaming';
      if (streaming) return status;
      lastError = undefined;
    } catch (error) {
      lastError = (error as Error).message;
    }
    if (Date.now() > deadline)
      throw new PgTimeoutError(
        node.name,
        `streaming replication${applicationName ? ` of ${applicationName}` : ''}`,
        timeoutMs,
        lastError,
      );
    await delay(pollIntervalMs);
  }
}

function standbyStatus(row: PgStandbyRow): PgStandbyStatus {
  return {
    applicationName: row.application_name,
    clientAddr: row.client_addr,
    state: row.state,
    syncState: row.sync_state,
    sentLagBytes: row.sent_lag_bytes,
    replayLagBytes: row.replay_lag_bytes,
    writeLagMs: row.write_lag_ms,
    flushLagMs: row.flush_lag_ms,
    replayLagMs: row.replay_lag_ms,
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
