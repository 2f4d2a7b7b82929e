import fs from 'node:fs';
import path from 'node:path';
import type { TargetDescription } from '../core/events';
import { stateFileName } from '../lab/state';
import { endpointsLockFile, labLockFile } from './lock';

/** How a DNS failover is configured, as far as the target says: what bounds an RTO. */
export interface DnsFailoverConfig {
  healthCheckIntervalMs: number;
  failureThreshold: number;
  /** How long a check waits on an endpoint that does not answer (a blackhole): the last failing check takes this. */
  healthCheckTimeoutMs: number;
  dnsTtlMs: number;
}

/**
 * Reading a target back from a run's journal: facts from its session's description
 * (`target.opened`), for reports and `gameday recover`, without opening anything. Kept
 * apart from the adapters, which bring the AWS SDK and the lab's process control: reading
 * a journal needs neither.
 */
export interface DescriptionReader {
  /** The region a server address belongs to. */
  regionOfAddress?(description: TargetDescription, address: string): string | undefined;
  /** One name per database, from how the target's writers name themselves. */
  writerIdentity?(description: TargetDescription, writer: string): string;
  /** The DNS failover's configuration, when the target states it. */
  dnsFailover?(description: TargetDescription): DnsFailoverConfig | null;
  /** The lock a run of this session held, for `gameday recover` to release. */
  lockFile?(description: TargetDescription): string | null;
  /** Nothing of the target is left to undo anything on (an ephemeral lab that died with its run). */
  isGone?(description: TargetDescription): boolean;
}

const lab: DescriptionReader = {
  regionOfAddress: (description, address) => regionsOf(description).get(address),
  // The lab app names its writer host:port, and a region reaches its own database directly
  // but another region's through that region's database ingress — same database, another
  // port; each region has its own address, so the host alone names the database. A SQL
  // ledger's identity ('host:port (timeline n)') does not end in a port and is kept whole.
  writerIdentity: (_description, writer) => writer.replace(/:\d+$/, ''),
  dnsFailover(description) {
    const healthCheck = description.healthCheck as
      { requestIntervalMs: number; failureThreshold: number; timeoutMs?: number } | undefined;
    const ttl = description.ttl as { app: number } | undefined;
    // A description without the check's timeout cannot bound the slowest detection: no bounds rather than wrong ones.
    if (!healthCheck || !ttl || healthCheck.timeoutMs === undefined) return null;
    // Behind a load balancer clients hold no DNS answer: nothing stale to wait out.
    const balanced = (description.entry as { kind?: string } | undefined)?.kind === 'load-balancer';
    return {
      healthCheckIntervalMs: healthCheck.requestIntervalMs,
      failureThreshold: healthCheck.failureThreshold,
      healthCheckTimeoutMs: healthCheck.timeoutMs,
      dnsTtlMs: balanced ? 0 : ttl.app * 1000,
    };
  },
  lockFile: (description) => (description.ephemeral === true ? null : labLockFile(String(description.labDir))),
  // An ephemeral lab dies with its run (its daemon watches the run's stdin).
  isGone: (description) =>
    description.ephemeral === true && !fs.existsSync(path.join(String(description.labDir), stateFileName)),
};

const endpoints: DescriptionReader = {
  lockFile: (description) => endpointsLockFile(description.endpoints as Record<string, string>),
};

/** Each target kind's reader; an AWS account's writers and locks need no reading (its markers are FIS experiments). */
const readers: Record<string, DescriptionReader> = { lab, endpoints, aws: {} };

/** What gameday can read from a target's description; nothing for a kind it does not know. */
export function descriptionReader(description: TargetDescription): DescriptionReader {
  return readers[description.kind] ?? {};
}

function regionsOf(description: TargetDescription): Map<string, string> {
  const map = new Map<string, string>();
  if (Array.isArray(description.regions)) {
    for (const region of description.regions as Array<{ name?: unknown; address?: unknown }>) {
      if (typeof region?.name === 'string' && typeof region.address === 'string') map.set(region.address, region.name);
    }
  }
  return map;
}
