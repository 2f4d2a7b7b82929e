/*
 * measure/ imports nothing else from src/: these types mirror core/data-snapshot.ts (what the lab reads, what the
 * journal keeps), and the compiler checks they agree where the consistency probe hands one to the other.
 */
export interface DataSnapshot {
  /** When the reading began: rows committed later (on any side) are left out; replication may not carry them yet. */
  cutoff: string;
  regions: RegionData[];
  /** Each subscription: whether it had applied everything its publisher held at the cutoff. */
  replication: SubscriptionCatchUp[];
}

export interface RegionData {
  region: string;
  /** Each replicated table's rows: [primary key, digest of the whole row], sorted by key. */
  tables: Record<string, Array<[key: string, digest: string]>>;
  /** Which write each cart holds on this side. */
  carts: Array<{ customer: string; writeId: string }>;
  /** Every cart write this side knows (its own and those replicated to it), with the write each replaced. */
  cartWrites: CartWrite[];
}

export interface CartWrite {
  writeId: string;
  customer: string;
  /** The region that took it. */
  region: string;
  /** The write it replaced where it was taken; null for a cart's first write. */
  basedOn: string | null;
  writtenAt: string;
}

export interface SubscriptionCatchUp {
  subscriber: string;
  publisher: string;
  caughtUp: boolean;
  /** How long the reading waited for it. */
  waitedMs: number;
  /** WAL of the publisher's at the cutoff not yet confirmed by the subscriber, when it gave up; 0 once caught up. */
  behindBytes: number | null;
}

export interface ConsistencyReport {
  regions: string[];
  /** Every subscription applied what its publisher held at the cutoff: otherwise rows may differ only by lag. */
  caughtUp: boolean;
  tables: TableComparison[];
  divergentRows: number;
  conflicts: CartConflict[];
  lostUpdates: number;
  /** Caught up, no divergent row, no conflict. */
  consistent: boolean;
}

export interface TableComparison {
  table: string;
  rows: Record<string, number>;
  /** Keys in some region but not in this one, by region. */
  missing: Record<string, number>;
  /** Keys every region has, with rows that differ. */
  differing: number;
  /** Keys some region lacks or whose rows differ: this table's divergent rows. */
  divergent: number;
  /** The first divergent keys (at most 10), for the report. */
  sampleKeys: string[];
}

export interface CartConflict {
  customer: string;
  /** The write both replaced; null when both created the cart. */
  basedOn: string | null;
  /** The racing writes, oldest first. */
  writes: Array<{ writeId: string; region: string; writtenAt: string }>;
  /** Which write each region holds now (null: it has no such cart), and the region that took it. */
  held: Record<string, { writeId: string; region: string | null } | null>;
  /** The racing writes some region no longer holds, and where. */
  lost: Array<{ writeId: string; region: string; lostIn: string[] }>;
}

/** How many divergent keys a table's comparison names. */
const sampleSize = 10;

/**
 * The data-active-active consistency check: what every region's database holds once
 * replication has caught up, judged. Pure: a snapshot in (core/data-snapshot.ts), a report
 * out.
 *
 * - Divergent row: a key some region lacks, or whose row differs between regions.
 * - Conflict: two writes of the same cart, taken in different regions, each replacing the
 *   same earlier write (or both creating the cart): neither saw the other, as during a
 *   partition. One conflict per cart and replaced write, however many writes raced.
 * - Lost update: a cart write that no later write replaced knowingly (a tip of the cart's
 *   history), yet some region holds another write for that cart: that region overwrote it
 *   without having seen it. Each conflict leaves at least one; with PostgreSQL's rule
 *   (the change that arrives last is applied) each region keeps the other's write and
 *   loses its own.
 */
export function checkConsistency(snapshot: DataSnapshot): ConsistencyReport {
  const regions = snapshot.regions.map((side) => side.region);
  const tableNames = [...new Set(snapshot.regions.flatMap((side) => Object.keys(side.tables)))].sort();
  const tables = tableNames.map((table) => compareTable(table, snapshot));
  const divergentRows = tables.reduce((sum, table) => sum + table.divergent, 0);

  // Every cart write any region knows, once.
  const writes = new Map<string, CartWrite>();
  for (const side of snapshot.regions) for (const write of side.cartWrites) writes.set(write.writeId, write);
  const heldBy = new Map(
    snapshot.regions.map((side) => [side.region, new Map(side.carts.map((cart) => [cart.customer, cart.writeId]))]),
  );
  const replaced = new Set([...writes.values()].flatMap((write) => (write.basedOn === null ? [] : [write.basedOn])));
  const lostIn = (write: CartWrite) =>
    replaced.has(write.writeId)
      ? []
      : regions.filter((region) => {
          const held = heldBy.get(region)!.get(write.customer);
          return held !== undefined && held !== write.writeId;
        });

  const forks = new Map<string, CartWrite[]>();
  for (const write of writes.values()) {
    const key = `${write.customer}\u0000${write.basedOn ?? ''}`;
    const fork = forks.get(key);
    if (fork) fork.push(write);
    else forks.set(key, [write]);
  }
  const conflicts: CartConflict[] = [];
  for (const racing of forks.values()) {
    if (new Set(racing.map((write) => write.region)).size < 2) continue;
    racing.sort((a, b) => a.writtenAt.localeCompare(b.writtenAt) || a.writeId.localeCompare(b.writeId));
    const { customer, basedOn } = racing[0];
    const held: CartConflict['held'] = {};
    for (const region of regions) {
      const writeId = heldBy.get(region)!.get(customer);
      held[region] = writeId === undefined ? null : { writeId, region: writes.get(writeId)?.region ?? null };
    }
    conflicts.push({
      customer,
      basedOn,
      writes: racing.map((write) => ({ writeId: write.writeId, region: write.region, writtenAt: write.writtenAt })),
      held,
      lost: racing.flatMap((write) => {
        const where = lostIn(write);
        return where.length > 0 ? [{ writeId: write.writeId, region: write.region, lostIn: where }] : [];
      }),
    });
  }
  conflicts.sort((a, b) => a.customer.localeCompare(b.customer));
  const lostUpdates = [...writes.values()].filter((write) => lostIn(write).length > 0).length;
  const caughtUp = snapshot.replication.every((subscription) => subscription.caughtUp);
  return {
    regions,
    caughtUp,
    tables,
    divergentRows,
    conflicts,
    lostUpdates,
    consistent: caughtUp && divergentRows === 0 && conflicts.length === 0,
  };
}

function compareTable(table: string, snapshot: DataSnapshot): TableComparison {
  const sides = snapshot.regions.map((side) => ({ region: side.region, rows: new Map(side.tables[table] ?? []) }));
  const keys = new Set(sides.flatMap((side) => [...side.rows.keys()]));
  const missing: Record<string, number> = Object.fromEntries(sides.map((side) => [side.region, 0]));
  let differing = 0;
  let divergent = 0;
  const sampleKeys: string[] = [];
  for (const key of [...keys].sort()) {
    const digests = sides.map((side) => side.rows.get(key));
    const absent = sides.filter((_, index) => digests[index] === undefined);
    for (const side of absent) missing[side.region]++;
    const differs = absent.length === 0 && new Set(digests).size > 1;
    if (differs) differing++;
    if (absent.length > 0 || differs) {
      divergent++;
      if (sampleKeys.length < sampleSize) sampleKeys.push(key);
    }
  }
  return {
    table,
    rows: Object.fromEntries(sides.map((side) => [side.region, side.rows.size])),
    missing,
    differing,
    divergent,
    sampleKeys,
  };
}
