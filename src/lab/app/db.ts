import { Client, DatabaseError, Pool, type QueryResultRow } from 'pg';
import type { AppDbConfig, AppTimeouts } from './config';

/**
 * Why a database call failed, in the terms the HTTP layer answers with. Availability
 * problems are 503s with a reason; only a duplicate ledger entry is the caller's fault.
 */
export type DbFailureKind =
  | 'unreachable' // connect refused/timed out, connection lost, server shutting down or starting
  | 'timeout' // statement or client-side query timeout
  | 'read_only' // the "writer" is a standby (DNS not yet moved after a failover, or split view)
  | 'schema_missing' // tables not created (yet) on this server
  | 'duplicate'
  | 'internal';

export class DbFailure extends Error {
  override readonly name = 'DbFailure';
  constructor(
    readonly kind: DbFailureKind,
    readonly target: string,
    override readonly cause: unknown,
  ) {
    super(`${target}: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

export function classifyDbError(error: unknown, phase: 'connect' | 'query'): DbFailureKind {
  if (error instanceof DatabaseError) {
    switch (error.code) {
      case '23505':
        return 'duplicate';
      case '25006':
        return 'read_only';
      case '42P01':
        return 'schema_missing';
      case '57014':
        return 'timeout';
    }
    // Class 08 connection exceptions; 57P0x admin shutdown, crash shutdown, cannot connect now.
    if (error.code?.startsWith('08') || error.code?.startsWith('57P')) return 'unreachable';
    return 'internal';
  }
  // Below SQL: failing to connect at all is unreachability; a query that got no answer in
  // time is a timeout (the server may be alive but stalled, or the link blackholed).
  if (phase === 'query' && /timeout/i.test((error as Error)?.message ?? '')) return 'timeout';
  return 'unreachable';
}

export function describeTarget(host: string, port: number): string {
  return `${host}:${port}`;
}

export function createPool(
  db: AppDbConfig,
  host: string,
  port: number,
  timeouts: AppTimeouts,
  applicationName: string,
): Pool {
  const pool = new Pool({
    host,
    port,
    user: db.user,
    database: db.database,
    max: 10,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    // The client-side bound catches a server that stopped answering (a blackholed link),
    // which statement_timeout, enforced by that very server, cannot.
    query_timeout: timeouts.statementMs + 500,
    keepAlive: true,
    application_name: applicationName,
  });
  // Idle clients of a server that went away emit errors; the pool drops them. Without a
  // listener Node would treat the error as unhandled and crash the app.
  pool.on('error', () => undefined);
  // A checked-out client whose server dies (a fenced writer) emits 'error' on the client
  // itself, where the pool's listener does not reach; the failing query reports it.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/**
 * One statement on a pooled connection. A connection that failed below SQL (lost, timed
 * out) is destroyed rather than returned, so the next request does not inherit a broken
 * or still-busy socket; a plain SQL error keeps the healthy connection.
 */
export async function queryPool<R extends QueryResultRow>(
  pool: Pool,
  target: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  let client;
  try {
    client = await pool.connect();
  } catch (error) {
    throw new DbFailure(classifyDbError(error, 'connect'), target, error);
  }
  try {
    const result = await client.query<R>(sql, params);
    client.release();
    return result.rows;
  } catch (error) {
    const kind = classifyDbError(error, 'query');
    client.release(kind === 'unreachable' || kind === 'timeout' ? (error as Error) : undefined);
    throw new DbFailure(kind, target, error);
  }
}

/** A single statement on a fresh connection: health checks must not be fooled by pooled state. */
export async function queryOnce<R extends QueryResultRow>(
  db: AppDbConfig,
  timeouts: AppTimeouts,
  sql: string,
): Promise<R[]> {
  const target = describeTarget(db.host, db.port);
  const client = new Client({
    ...db,
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    query_timeout: timeouts.statementMs + 500,
  });
  client.on('error', () => undefined);
  try {
    try {
      await client.connect();
    } catch (error) {
      throw new DbFailure(classifyDbError(error, 'connect'), target, error);
    }
    try {
      return (await client.query<R>(sql)).rows;
    } catch (error) {
      throw new DbFailure(classifyDbError(error, 'query'), target, error);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
