/**
 * The lab's shape: which regions exist, where each lives on loopback, and which ports
 * every region uses. Every region gets its own loopback address (127.0.0.2, .3, …) and
 * the same port numbers, so the DNS answer for a name differs between regions only by
 * address — as it does in a real multi-region deployment.
 */

export const defaultRegions = ['us-east-1', 'eu-west-1'] as const;
export const maxRegions = 4;
export const zoneOrigin = 'gameday.lab.';

/** Port numbers shared by every region's address. */
export interface LabPorts {
  /** Ingress fault proxy in front of the app: what clients and health checks hit. */
  app: number;
  /** The app process itself (behind the ingress proxy). */
  appInternal: number;
  /** PostgreSQL itself. */
  pg: number;
  /** Database ingress proxy: remote regions' apps reach this region's database through it. */
  db: number;
  /** Replication proxy in each standby region: the WAL stream from the primary passes it. */
  replication: number;
  /** A cold region's WAL archive, and the link each other region ships its archived WAL over. */
  archive: number;
  /** The region's S3 endpoint (path-style); replicas from other regions arrive here. */
  objects: number;
  /**
   * First of `maxRegions` ports: the object replication link from this region to the region
   * with index i listens on objectReplication + i - 1 (a fault proxy in front of that region's S3 endpoint).
   */
  objectReplication: number;
}

export interface RegionLayout {
  name: string;
  /** Loopback address of the region. */
  address: string;
  /** Lab-internal numeric id, used in ARNs and resource names. */
  index: number;
}

export interface LabLayout {
  /** The failover strategy the lab is built as (strategies/). */
  strategy: string;
  regions: RegionLayout[];
  primary: string;
  ports: LabPorts;
  /** Global services on 127.0.0.1. */
  dns: { host: string; port: number };
  control: { host: string; port: number };
  healthCheck: { requestIntervalMs: number; failureThreshold: number; timeoutMs: number };
  ttl: { app: number; writer: number; regional: number };
}

export interface LabOptions {
  /** Default 'active-passive-dns'; see strategies/ for the others. */
  strategy?: string;
  regions?: string[];
  primary?: string;
  healthCheck?: Partial<LabLayout['healthCheck']>;
  ttl?: Partial<LabLayout['ttl']>;
}

export class LabConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabConfigError';
  }
}

const regionNamePattern = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Validated regions and primary; ports are assigned separately (see ports.ts). */
export function resolveRegions(options: LabOptions): { regions: RegionLayout[]; primary: string } {
  const names = options.regions ?? [...defaultRegions];
  if (names.length < 2 || names.length > maxRegions) {
    throw new LabConfigError(
      `the lab runs 2 to ${maxRegions} regions, got ${names.length} (${names.join(', ') || 'none'})`,
    );
  }
  for (const name of names) {
    if (!regionNamePattern.test(name))
      throw new LabConfigError(
        `region ${JSON.stringify(name)} is not named like an AWS region (e.g. us-east-1, eu-west-1)`,
      );
  }
  if (new Set(names).size !== names.length)
    throw new LabConfigError(`regions must be distinct, got ${names.join(', ')}`);
  const primary = options.primary ?? names[0];
  if (!names.includes(primary))
    throw new LabConfigError(`primary ${JSON.stringify(primary)} is not one of the regions (${names.join(', ')})`);
  return {
    regions: names.map((name, i) => ({ name, address: `127.0.0.${i + 2}`, index: i + 1 })),
    primary,
  };
}

/** DNS names in the lab zone. */
export const labNames = {
  app: `app.${zoneOrigin}`,
  writer: `writer.db.${zoneOrigin}`,
  regionalApp: (region: string) => `app.${region}.${zoneOrigin}`,
  regionalDb: (region: string) => `db.${region}.${zoneOrigin}`,
} as const;

/** The lab's bucket in a region: receipts and other objects the app and probes write there. */
export const labBucketFor = (region: string) => `gameday-lab-${region}`;

/** The fault proxy carrying object replication from one region to another. */
export const objectLinkName = (source: string, destination: string) => `objects-${source}-to-${destination}`;

/** Health check ids: one per region, checking the app's /health through its ingress proxy. */
export const healthCheckIdFor = (region: string) => `hc-app-${region}`;
