/**
 * What every region's database holds, read at one moment once replication between them
 * has caught up (the lab reads it, lab/postgres/logical.ts; measure/consistency.ts judges
 * it): the data-active-active consistency check's input, as it crosses the lab's control
 * API.
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

/** The consistency check's verdict on a snapshot (measure/consistency.ts says how each figure is found). */
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
