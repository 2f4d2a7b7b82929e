import type { AwsClients } from '../aws/clients';
import type { AwsModel } from '../aws/model';
import type { DataSnapshot } from '../core/data-snapshot';
import type { LabRequest, TargetDescription } from '../core/events';
import { GamedayError } from '../core/errors';
import type { HeldLock } from './lock';
import type { PrometheusPort } from './prometheus';

/** A DNS server to ask: the lab's, or any. */
export interface DnsServer {
  host: string;
  port: number;
}

/** host:port as resolvers and messages take it, an IPv6 host in brackets (else its port is lost). */
export function formatDnsServer(server: DnsServer): string {
  return server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}

/**
 * The lab's own control API, for faults no AWS API offers (a process stop, latency on the
 * replication link) and for the 'direct' fault path. Only the lab has one.
 */
export interface DirectApi {
  controlUrl: string;
  /** Where the lab lives, so `gameday recover` can find its control endpoint again. */
  labDir: string;
  /** The fault proxy on a region's client ingress, or on the replication stream into it. */
  proxyOf(region: string, link: 'ingress' | 'replication'): string;
  /**
   * The fault proxies a region's outage cuts: every link into or out of it ('all'), or only its links to other regions
   * ('cross-region').
   */
  linksOf(region: string, scope: 'all' | 'cross-region'): Promise<string[]>;
}

/** What each region's processes consume at one moment (the lab reads /proc); see lab/usage.ts. */
export interface ResourceUsage {
  regions: Array<{
    region: string;
    /** Serving clients, or standing by. */
    side: 'active' | 'standby';
    processes: Array<{ pid: number; name: string; cpuMs: number; privateBytes: number; sharedBytes: number }>;
  }>;
}

/**
 * A target opened for one run (or for a whole GameDay, one experiment after another): the
 * port between gameday and where faults land. Faults, probes and the runbook see only
 * this, never which kind of target it is: the lab's needs are capabilities here, so the
 * same code runs against the lab and a real account.
 */
export interface TargetSession {
  kind: string;
  /** How region faults are carried out: AWS APIs (FIS, Route 53, RDS), the lab's direct API, or none (no regions). */
  api: 'aws' | 'direct' | null;
  /**
   * The failover strategy the target is built as (the lab's `target.strategy`), which decides the runbook's extra
   * steps; null where the target does not say (a real account, endpoints): the runbook as written.
   */
  strategy: string | null;
  /** Named URLs probes may hit by name. */
  endpoints: Record<string, string>;
  /**
   * Endpoints nothing serves until the runbook starts it (a cold standby region's app): preflight does not expect
   * them to answer.
   */
  coldEndpoints: string[];
  /** Clients resolve names through this DNS server (the lab's), honouring TTLs; null: the system's resolver. */
  dnsServer: DnsServer | null;
  /** The AWS APIs faults and the runbook act through (the lab serves the same APIs); null without regions. */
  aws: { model: AwsModel; clients: AwsClients } | null;
  /** The lab's control API; null elsewhere. */
  direct: DirectApi | null;
  /** Extra environment for exec commands and hooks (where the lab is). */
  env: Record<string, string>;
  /** The Prometheus its metrics are in: the lab's (started on demand), the one the target names, or none. */
  prometheus: PrometheusPort | null;
  /**
   * This run's lock on the target (none for an ephemeral lab, which no one else can reach, or an AWS account, which has
   * markers instead).
   */
  lock: HeldLock | null;
  /**
   * A database the target names (lab: writer, db-<region>) as a postgres:// URL; undefined for a name it does not know.
   */
  databaseUrl(name: string): string | undefined;
  /** The region a server address belongs to, when the target knows (the lab: each region has its own address). */
  regionOfAddress(address: string): string | undefined;
  /**
   * After a promotion: resolves when clients asking the target's DNS are sent to `region`
   * (the end of the traffic shift), with what DNS answered; null when the target cannot
   * watch that (a real account: Route 53 answers the secondary as soon as the check fails).
   */
  awaitTrafficShift(region: string, signal: AbortSignal): Promise<Record<string, unknown> | null>;
  /**
   * Before a failback: brings the old writer's region back as a standby of the new writer.
   * The lab fenced it by stopping its database, so it is started and rebuilt; an AWS
   * global cluster's old region rejoins by itself.
   */
  rejoinRegion(region: string): Promise<void>;
  /**
   * One step a strategy's runbook adds (failover/strategies/), carried out in `region` by the target; resolves with
   * what it did. A target without strategies refuses.
   */
  strategyStep(step: string, region: string): Promise<Record<string, unknown>>;
  /** The same, as data for a journal's rollback record (the lab's control-API calls); null where it rejoins alone. */
  rejoinRecord(region: string): { controlUrl: string; requests: LabRequest[] } | null;
  /** What its regions' processes consume now; null where the target cannot say (a real account, endpoints). */
  resourceUsage(): Promise<ResourceUsage | null>;
  /**
   * What every region's database holds once replication between them caught up, for the consistency check; null
   * where regions do not all take writes (one writer: nothing to reconcile) or the target cannot say.
   */
  dataSnapshot(): Promise<DataSnapshot | null>;
  /** For the journal: enough for `gameday recover` to find the target again. */
  describe(): TargetDescription;
  /** Stops what the session started (an ephemeral lab) and releases its lock; nothing else. */
  close(): Promise<void>;
}

export class TargetError extends GamedayError {}
