import { Client, type QueryResultRow } from 'pg';
import { pgSuperuser } from './config';

export interface PgConnectionConfig {
  host: string;
  port: number;
  user: string;
  database: string;
}

/** Where clients reach a node directly (not through any proxy). */
export function directConnection(host: string, port: number): PgConnectionConfig {
  return { host, port, user: pgSuperuser, database: 'postgres' };
}

/** A connected client; the caller ends it. */
export async function connectPg(
  config: PgConnectionConfig,
  connectTimeoutMs = 2_000,
  queryTimeoutMs?: number,
): Promise<Client> {
  const client = new Client({ ...config, connectionTimeoutMillis: connectTimeoutMs, query_timeout: queryTimeoutMs });
  // A server stopped under an idle client emits 'error'; without a listener that would crash us.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/** One statement on a fresh connection. */
export async function queryPg<R extends QueryResultRow = QueryResultRow>(
  config: PgConnectionConfig,
  sql: string,
  params: unknown[] = [],
  timeoutMs = 10_000,
): Promise<R[]> {
  const client = await connectPg(config, Math.min(timeoutMs, 2_000), timeoutMs);
  try {
    const result = await client.query<R>(sql, params);
    return result.rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}
