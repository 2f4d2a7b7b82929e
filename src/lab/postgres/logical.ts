import type { DataSnapshot, RegionData } from '../../core/data-snapshot';
import type { PgNode } from './node';

/**
 * Bidirectional logical replication between two primaries (data-active-active), and the
 * reading of what both hold for the consistency check. Each side publishes every table
 * and subscribes to the other's publication with `origin = none`: a change it received by
 * replication is not sent back, so no change loops. Subscriptions connect through the
 * subscriber's region link (a fault proxy), so a partition cuts them.
 */
export interface LogicalSide {
  region: string;
  pg: PgNode;
  /** Where this side's subscription reaches the other side's database: its end of the region link. */
  subscribeVia: { host: string; port: number };
}

const publication = 'gameday_all';

/** The subscription on `subscriber` to `publisher`'s tables; its slot on the publisher has the same name. */
export function subscriptionName(subscriber: string, publisher: string): string {
  const part = (region: string) => region.toLowerCase().replace(/[^a-z0-9]+/g, '_');
  return `gameday_${part(subscriber)}_from_${part(publisher)}`;
}

/**
 * The tables on both sides (DDL is not replicated), each side's order ids its own residue of the sequence, a
 * publication on each side, then a subscription on each side to the other. Resolves once both subscriptions stream.
 */
export async function replicateBothWays(sides: [LogicalSide, LogicalSide], schemaSql: string, timeoutMs: number) {
  for (const [index, side] of sides.entries()) {
    await side.pg.query(schemaSql);
    // Two regions minting order ids from one sequence each would collide: region 1 takes the odd ids, region 2 the
    // even ones, so both insert without ever meeting the other's key.
    await side.pg.query(`ALTER SEQUENCE orders_id_seq INCREMENT BY ${sides.length} RESTART WITH ${index + 1}`);
    await side.pg.query(`CREATE PUBLICATION ${publication} FOR ALL TABLES`);
  }
  for (const [index, side] of sides.entries()) {
    const other = sides[1 - index];
    const conninfo = `host=${side.subscribeVia.host} port=${side.subscribeVia.port} user=postgres dbname=postgres`;
    // copy_data off: both sides start from the same schema and rows, and a copy would replicate the products twice.
    await side.pg.query(
      `CREATE SUBSCRIPTION ${subscriptionName(side.region, other.region)} CONNECTION '${conninfo}' ` +
        `PUBLICATION ${publication} WITH (origin = none, copy_data = false)`,
    );
  }
  const deadline = Date.now() + timeoutMs;
  for (const [index, side] of sides.entries()) {
    const slot = subscriptionName(sides[1 - index].region, side.region);
    for (;;) {
      const rows = await side.pg.query<{ active: boolean }>(
        'SELECT active FROM pg_replication_slots WHERE slot_name = $1',
        [slot],
      );
      if (rows[0]?.active) break;
      if (Date.now() > deadline)
        throw new Error(`${sides[1 - index].region}'s subscription to ${side.region} did not start streaming`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Each table the lab's app writes, by how its primary key reads as text. */
const tableKeys: Record<string, string> = {
  orders: 'id::text',
  ledger: "client || '/' || seq::text",
  carts: 'customer',
  cart_writes: 'write_id',
  products: 'sku',
};

/**
 * What both sides hold, once each subscription has applied what its publisher held when the reading began (up to
 * `timeoutMs`; one that has not is reported so). Rows committed after that moment are left out on both sides: the
 * commit timestamp of a replicated row is its origin's, so both sides leave out the same rows.
 */
export async function readBothSides(sides: LogicalSide[], timeoutMs: number): Promise<DataSnapshot> {
  const cutoff = new Date();
  const lsns = await Promise.all(
    sides.map(
      async (side) => (await side.pg.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn'))[0].lsn,
    ),
  );
  const replication = await Promise.all(
    sides.flatMap((publisher, index) =>
      sides
        .filter((subscriber) => subscriber !== publisher)
        .map(async (subscriber) => {
          const started = performance.now();
          const slot = subscriptionName(subscriber.region, publisher.region);
          let behind: number | null = null;
          for (;;) {
            const rows = await publisher.pg
              .query<{ behind: string | null }>(
                'SELECT pg_wal_lsn_diff($2::pg_lsn, confirmed_flush_lsn)::text AS behind ' +
                  'FROM pg_replication_slots WHERE slot_name = $1',
                [slot, lsns[index]],
              )
              .catch(() => []);
            behind = rows[0]?.behind == null ? null : Math.max(0, Number(rows[0].behind));
            if (behind === 0 || performance.now() - started > timeoutMs) break;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          return {
            subscriber: subscriber.region,
            publisher: publisher.region,
            caughtUp: behind === 0,
            waitedMs: Math.round(performance.now() - started),
            behindBytes: behind,
          };
        }),
    ),
  );
  const regions = await Promise.all(sides.map((side) => readSide(side, cutoff)));
  return { cutoff: cutoff.toISOString(), regions, replication };
}

async function readSide(side: LogicalSide, cutoff: Date): Promise<RegionData> {
  const before = 'coalesce(pg_xact_commit_timestamp(t.xmin) <= $1, true)';
  const tables: RegionData['tables'] = {};
  for (const [table, key] of Object.entries(tableKeys)) {
    const rows = await side.pg.query<{ key: string; digest: string }>(
      `SELECT ${key} AS key, md5(t::text) AS digest FROM ${table} t WHERE ${before} ORDER BY 1`,
      [cutoff],
    );
    tables[table] = rows.map((row) => [row.key, row.digest]);
  }
  const carts = await side.pg.query<{ customer: string; write_id: string }>(
    `SELECT customer, write_id FROM carts t WHERE ${before} ORDER BY customer`,
    [cutoff],
  );
  const writes = await side.pg.query<{
    write_id: string;
    customer: string;
    region: string;
    based_on: string | null;
    written_at: Date;
  }>(`SELECT write_id, customer, region, based_on, written_at FROM cart_writes t WHERE ${before} ORDER BY write_id`, [
    cutoff,
  ]);
  return {
    region: side.region,
    tables,
    carts: carts.map((row) => ({ customer: row.customer, writeId: row.write_id })),
    cartWrites: writes.map((row) => ({
      writeId: row.write_id,
      customer: row.customer,
      region: row.region,
      basedOn: row.based_on,
      writtenAt: row.written_at.toISOString(),
    })),
  };
}
