import type { Pool } from 'pg';
import { DbFailure, queryPool } from './db';

/**
 * The app's tables. Idempotent, run against the writer at startup and again (once) for
 * every new writer, since a region may start while its writer is unreachable or before DNS
 * points at a promoted primary. Standbys get the tables by replication.
 */
export const schemaSql = `
CREATE TABLE IF NOT EXISTS orders (
  id         bigserial PRIMARY KEY,
  item       text        NOT NULL,
  quantity   integer     NOT NULL CHECK (quantity > 0),
  customer   text,
  region     text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ledger (
  client       text        NOT NULL,
  seq          bigint      NOT NULL,
  region       text        NOT NULL,
  committed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client, seq)
);`;

export async function ensureSchema(pool: Pool, target: string): Promise<void> {
  try {
    await queryPool(pool, target, schemaSql);
  } catch (error) {
    // Two regions racing CREATE TABLE IF NOT EXISTS can collide on the catalog's unique
    // index; the loser's table exists all the same.
    if (error instanceof DbFailure && error.kind === 'duplicate') return;
    throw error;
  }
}
