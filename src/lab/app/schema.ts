import type { Pool } from 'pg';
import { DbFailure, queryPool } from './db';

/**
 * The app's tables, and the storefront's products. Idempotent, run against the writer at startup and again (once) for
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
  created_at timestamptz NOT NULL DEFAULT now(),
  -- the order's receipt object in the bucket of the region that took it
  receipt_key text
);
CREATE TABLE IF NOT EXISTS products (
  sku         text    PRIMARY KEY,
  name        text    NOT NULL,
  description text    NOT NULL,
  price_cents integer NOT NULL CHECK (price_cents > 0)
);
INSERT INTO products (sku, name, description, price_cents) VALUES
  ('espresso-beans', 'Espresso beans (1 kg)', 'Dark roast, for the moka pot or the machine.', 2400),
  ('milk-jug', 'Milk jug', 'Stainless steel, 350 ml.', 1200),
  ('moka-pot', 'Moka pot', 'Three cups, aluminium, for the stove.', 3500),
  ('hand-grinder', 'Hand grinder', 'Ceramic burrs, adjustable from espresso to filter.', 6900)
ON CONFLICT (sku) DO NOTHING;
CREATE TABLE IF NOT EXISTS ledger (
  client       text        NOT NULL,
  seq          bigint      NOT NULL,
  region       text        NOT NULL,
  committed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client, seq)
);
-- A customer's cart, updated in place: the row two regions can both write (carts.ts). Each write is also kept in
-- cart_writes with the write it replaced, so two writes that replaced the same one (a conflict) can be told apart
-- from one that followed the other. Write ids start with the region that took the write: no two regions mint the same.
CREATE TABLE IF NOT EXISTS carts (
  customer   text        PRIMARY KEY,
  items      text        NOT NULL,
  write_id   text        NOT NULL,
  region     text        NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS cart_writes (
  write_id   text        PRIMARY KEY,
  customer   text        NOT NULL,
  items      text        NOT NULL,
  region     text        NOT NULL,
  based_on   text,
  written_at timestamptz NOT NULL DEFAULT now()
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
