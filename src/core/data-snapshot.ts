/**
 * What every region's database holds, read at one moment once replication between them
 * has caught up (the lab reads it, lab/postgres/logical.ts; measure/consistency.ts judges
 * it): the data-active-active consistency check's input, as it crosses the lab's control
 * API.
 */
export interface DataSnapshot {
  /** When the reading began: rows committed later (on any side) are left out, since replication may not carry them yet. */
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
