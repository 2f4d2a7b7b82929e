import type { PgSettings } from '../postgres';

/**
 * A failover strategy as the lab builds it: which processes run in which region, how the
 * databases replicate, and what clients use as the entry point. Each strategy is one file
 * in this folder, declaring these choices; the lab (lab.ts) carries them out, so the same
 * outage can be measured against every architecture.
 */

/** How the regions' databases replicate. */
export type DatabaseTopology =
  /** A primary in one region, a hot standby streaming its WAL in every other. */
  | 'streaming'
  /**
   * A primary in one region archiving its WAL to the other (shipped across the region link), where a base backup
   * waits; nothing runs there until the runbook restores it.
   */
  | 'archive'
  /**
   * Every region's database a primary taking its own region's writes, each subscribed to the others' publication
   * (logical replication with origin = none) across the region link: data-layer active-active.
   */
  | 'logical';

/** What clients use as the entry point (the `app` endpoint). */
export type EntryPoint =
  /** `app.gameday.lab`: Route 53 failover records, PRIMARY and SECONDARY, each with its health check. */
  | 'dns-failover'
  /** `app.gameday.lab`: Route 53 multivalue answers, one set per region with its health check: every healthy region. */
  | 'dns-multivalue'
  /** One address in front of every region (balancer/): the most preferred region whose health check passes. */
  | 'load-balancer';

export interface LabStrategy {
  /** As written in `target.strategy`. */
  name: string;
  /** One line: what runs where, for `gameday plan`, `lab status` and the README. */
  summary: string;
  database: DatabaseTopology;
  entry: EntryPoint;
  /**
   * Which regions serve clients while nothing is wrong: the primary's alone (the others stand by), or every region.
   * What stands by is what its idle cost is measured on.
   */
  serving: 'primary' | 'every-region';
  /**
   * Each region's app as a fleet of worker processes of a known capacity (app/cluster.ts): so many while the region
   * stands by, so many while it serves (a region starts as its role says); none: one process, unlimited.
   */
  fleet?: { standbyWorkers: number; servingWorkers: number; rpsPerWorker: number };
  /**
   * Each region's app keeps a durable local write queue (app/write-queue.ts): writes its writer cannot take now are
   * acknowledged into it and replayed in order once a writer takes them.
   */
  writeQueue?: boolean;
  /** How many regions it runs, when not the lab's 2 to 4. */
  regions?: { max: number };
  /** PostgreSQL beyond the lab's settings: more settings for every node, more initdb arguments. */
  postgres?: { settings?: PgSettings; initdbArgs?: readonly string[] };
  /**
   * The steps its runbook asks of the lab (failover/strategies/ says where in the runbook), each carried out in one
   * region by Lab.strategyStep.
   */
  steps: readonly StrategyStep[];
}

/** What a strategy's runbook may ask of the lab. */
export type StrategyStep =
  /** A fleet standing by scales up to serve (fleet): resolves once every new worker listens. */
  | 'scale-up'
  /** A cold region's database restored from its base backup and WAL archive ('archive'): it recovers, a standby. */
  | 'restore'
  /** A region's app started (a cold region runs none until then). */
  | 'start-app'
  /** A region's write queue (writeQueue) replayed on the writer: resolves once it is empty, with what was replayed. */
  | 'drain-queue';
