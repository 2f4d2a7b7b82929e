import fs from 'node:fs';
import path from 'node:path';
import { startApp, type AppCapacity, type AppProcess } from './app';
import { schemaSql } from './app/schema';
import { ledgerReplayOrder, readWriteQueue } from './app/write-queue';
import { ArchiveReceiver } from './archive/receiver';
import { WalShipper } from './archive/shipper';
import { GlobalLoadBalancer } from './balancer/balancer';
import { DnsServer, Zone, type Change, type RecordSet } from './dns';
import { HealthCheckRegistry } from './healthcheck';
import { PgNode, findPgBinaries, makeLabTempDir, pgOsUser, type PgOsUser, type PgStopMode } from './postgres';
import { LabObjectStores } from './objects';
import { LabPrometheusHolder, type PrometheusStatus } from './prometheus/holder';
import { FaultProxy } from './proxy';
import { findLabPorts } from './ports';
import { readProcessTable, type ProcessUsage } from './usage';
import { labAccountId, labResources, type LabRegionResources } from './aws/resources';
import { labStrategy, type LabStrategy, type StrategyStep } from './strategies';
import type { PgSettings } from './postgres';
import { readBothSides, replicateBothWays, type LogicalSide } from './postgres/logical';
import type { DataSnapshot } from '../core/data-snapshot';
import {
  healthCheckIdFor,
  labBucketFor,
  labNames,
  LabConfigError,
  objectLinkName,
  resolveRegions,
  type LabLayout,
  type LabOptions,
  type RegionLayout,
} from './topology';

export type RegionRole = 'primary' | 'standby';

/** One region's moving parts. */
interface RegionRuntime {
  layout: RegionLayout;
  role: RegionRole;
  pg: PgNode;
  app: AppProcess | null;
  proxies: { app: FaultProxy; db: FaultProxy; replication: FaultProxy; archive?: FaultProxy };
  /** Object replication from this region to each other region crosses one of these. */
  objectLinks: FaultProxy[];
  /** Clients' S3 requests for the region's buckets cross this on their way to its S3 endpoint. */
  objectsIngress: FaultProxy;
}

type StepAction = (region: RegionRuntime) => Promise<Record<string, unknown>>;

/**
 * Each archived file goes to the region's spool for the shipper, written aside and renamed so the shipper never
 * takes half of one.
 */
function archiveCommand(spool: string): PgSettings {
  const dir = spool.replace(/'/g, '');
  return { archive_command: `cp '%p' '${dir}/%f.tmp' && mv '${dir}/%f.tmp' '${dir}/%f'` };
}

/** A directory PostgreSQL's account can write in (we may be root, running it as nobody). */
function makeOwnedDir(dir: string, osUser: PgOsUser): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(dir, 0o755);
  if (osUser.switched) fs.chownSync(dir, osUser.uid, osUser.gid);
}

export class LabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabError';
  }
}

const defaultHealthCheck = { requestIntervalMs: 1_000, failureThreshold: 3, timeoutMs: 800 };
const defaultTtl = { app: 5, writer: 1, regional: 5 };
const startTimeoutMs = 60_000;
/** How long a drain-queue step waits for a region's write queue to be replayed. */
const drainTimeoutMs = 60_000;
/** Beyond the writer's TTL, how long an app may take to look its writer up again (the queue's replay interval). */
const writerLookupMs = 100;
/** Longer than any client waits: the client's own timeout decides, as with any slow region. */
const balancerUpstreamTimeoutMs = 10_000;
/** Starting workers: a cold Node start on a busy machine, several at once. */
const fleetScaleTimeoutMs = 60_000;

/**
 * The local multi-region lab, in one process: per region a PostgreSQL (primary or hot
 * standby), the app, and fault proxies (app ingress, database ingress, replication
 * link); globally a DNS server with Route 53 failover records fed by Route 53-style
 * health checks. The lab daemon (daemon.ts) runs one of these and serves its control
 * API; tests may run one in-process.
 */
export class Lab {
  readonly proxies = new Map<string, FaultProxy>();
  readonly healthChecks = new HealthCheckRegistry();
  readonly zone: Zone;
  /** Each region's S3-compatible store and the replication between them. */
  readonly objects = new LabObjectStores((source, destination) => this.objectLinkAddress(source, destination));
  private regions = new Map<string, RegionRuntime>();
  /** Former primaries whose data has diverged from the current primary's. */
  private readonly demoted = new Set<string>();
  private dns: DnsServer | null = null;
  /** The global load balancer, for a strategy whose entry point is one. */
  private balancer: GlobalLoadBalancer | null = null;
  /** A WAL archive's two ends ('archive' strategies): the cold region's archive, the primary's shipper. */
  private archive: { receiver: ArchiveReceiver; shipper: WalShipper } | null = null;
  private closed = false;
  /** Serialises topology changes (promote, reset, stop/start) so they never interleave. */
  private queue: Promise<unknown> = Promise.resolve();
  startupMs = 0;
  /** The lab's Prometheus, started on demand (lab/prometheus/). */
  readonly prometheus = new LabPrometheusHolder(() => ({
    dir: path.join(this.dataRoot, 'prometheus'),
    logFile: path.join(this.logDir, 'prometheus.log'),
    apps: this.layout.regions.map((region) => ({
      region: region.name,
      address: region.address,
      port: this.layout.ports.appInternal,
    })),
  }));

  private constructor(
    readonly strategy: LabStrategy,
    readonly layout: LabLayout,
    readonly dataRoot: string,
    private readonly ownsDataRoot: boolean,
    private readonly logDir: string,
  ) {
    this.zone = new Zone({
      healthOf: (id) => this.healthChecks.isHealthy(id),
      healthCheckExists: (id) => this.healthChecks.has(id),
    });
  }

  /**
   * Starts a lab and resolves when every region is up: primary accepting writes, every
   * standby streaming, every app answering /health, DNS answering.
   */
  static async start(
    options: LabOptions & { dataRoot?: string; logDir?: string; preferredPort?: number; dnsPort?: number } = {},
  ): Promise<Lab> {
    const started = performance.now();
    const strategy = labStrategy(options.strategy);
    const { regions, primary } = resolveRegions(options);
    if (strategy.regions && regions.length > strategy.regions.max)
      throw new LabConfigError(
        `the ${strategy.name} lab runs at most ${strategy.regions.max} regions, got ${regions.length} ` +
          `(${regions.map((region) => region.name).join(', ')})`,
      );
    const ports = await findLabPorts(
      regions.map((region) => region.address),
      options.preferredPort,
    );
    const layout: LabLayout = {
      strategy: strategy.name,
      regions,
      primary,
      ports,
      dns: { host: '127.0.0.1', port: options.dnsPort ?? 0 },
      control: { host: '127.0.0.1', port: 0 },
      healthCheck: { ...defaultHealthCheck, ...options.healthCheck },
      ttl: { ...defaultTtl, ...options.ttl },
    };
    const dataRoot = options.dataRoot ?? (await makeLabTempDir('gameday-lab-'));
    const logDir = options.logDir ?? path.join(dataRoot, 'logs');
    fs.mkdirSync(logDir, { recursive: true });
    const lab = new Lab(strategy, layout, dataRoot, options.dataRoot === undefined, logDir);
    try {
      await lab.bringUp();
    } catch (error) {
      await lab.close();
      throw error;
    }
    lab.startupMs = Math.round(performance.now() - started);
    return lab;
  }

  private get primaryRegion(): RegionRuntime {
    // Where every region writes (data-active-active), the writer the lab names is the one it started as primary.
    const named = this.regions.get(this.layout.primary);
    if (named?.role === 'primary') return named;
    for (const region of this.regions.values()) if (region.role === 'primary') return region;
    throw new LabError('the lab has no primary region');
  }

  region(name: string): RegionRuntime {
    const region = this.regions.get(name);
    if (!region)
      throw new LabError(`unknown region ${JSON.stringify(name)}; the lab has: ${[...this.regions.keys()].join(', ')}`);
    return region;
  }

  regionNames(): string[] {
    return [...this.regions.keys()];
  }

  /** The lab's resources as AWS names them (ARNs, ids, tags), one entry per region in layout order. */
  awsResources(): LabRegionResources[] {
    return this.layout.regions.map((region) => labResources(region.name, region.index));
  }

  /** The current writer region. */
  writerRegion(): string {
    return this.primaryRegion.layout.name;
  }

  dnsAddress(): { host: string; port: number } {
    if (!this.dns) throw new LabError('DNS is not running');
    return this.dns.address();
  }

  /** Every region's processes, proxies, DNS records and health checks, from scratch. */
  private async bringUp(): Promise<void> {
    const { layout } = this;
    const { ports } = layout;
    const primaryLayout = layout.regions.find((region) => region.name === layout.primary)!;
    const logical = this.strategy.database === 'logical';
    // Where every region writes, each region's link carries its subscription to the other region's database.
    const replicationSource = (region: RegionLayout) =>
      logical ? layout.regions.find((other) => other !== region)! : primaryLayout;

    // DNS first: apps resolve the writer name as soon as they start.
    if (!this.dns) {
      this.dns = await DnsServer.start({ zone: this.zone, host: layout.dns.host, port: layout.dns.port });
      layout.dns.port = this.dns.address().port;
    }

    const binaries = findPgBinaries();
    const osUser = pgOsUser();
    const pgRoot = path.join(this.dataRoot, 'pg');
    fs.mkdirSync(pgRoot, { recursive: true, mode: 0o755 });
    fs.chmodSync(pgRoot, 0o755);

    for (const region of layout.regions) {
      const proxies = {
        app: await this.addProxy(
          `app-${region.name}`,
          { host: region.address, port: ports.app },
          { host: region.address, port: ports.appInternal },
        ),
        db: await this.addProxy(
          `db-${region.name}`,
          { host: region.address, port: ports.db },
          { host: region.address, port: ports.pg },
        ),
        // In a standby region, the WAL stream from the primary crosses this link (data-active-active: the changes
        // of the other region's database).
        replication: await this.addProxy(
          `replication-${region.name}`,
          { host: region.address, port: ports.replication },
          { host: replicationSource(region).address, port: ports.pg },
        ),
      };
      const pg = new PgNode({
        name: region.name,
        host: region.address,
        port: ports.pg,
        dataDir: path.join(pgRoot, region.name),
        binaries,
        osUser,
        logFile: path.join(this.logDir, `postgres-${region.name}.log`),
        settings: this.strategy.postgres?.settings,
        initdbArgs: this.strategy.postgres?.initdbArgs,
        nodeSettings: this.strategy.database === 'archive' ? archiveCommand(this.spoolOf(region.name)) : undefined,
      });
      const objectsIngress = await this.addProxy(`s3-${region.name}`, this.objectsIngressAddress(region.name), {
        host: region.address,
        port: ports.objects,
      });
      const objectLinks: FaultProxy[] = [];
      for (const destination of layout.regions) {
        if (destination.name === region.name) continue;
        objectLinks.push(
          await this.addProxy(
            objectLinkName(region.name, destination.name),
            this.objectLinkAddress(region.name, destination.name)!,
            { host: destination.address, port: ports.objects },
          ),
        );
      }
      this.regions.set(region.name, {
        layout: region,
        role: logical || region.name === layout.primary ? 'primary' : 'standby',
        pg,
        app: null,
        proxies,
        objectLinks,
        objectsIngress,
      });
    }
    await this.startObjectStores();

    const primary = this.primaryRegion;
    const standbys = [...this.regions.values()].filter((region) => region.role === 'standby');
    if (this.strategy.database === 'archive') await this.bringUpArchive(primary, standbys, osUser);
    else if (logical) await this.bringUpLogical();
    else await this.bringUpStreaming(primary, standbys);

    const records = this.initialRecords();
    // Sets with health checks go in once the checks exist.
    const isFailover = (record: RecordSet) => 'healthCheckId' in record;
    // Apps resolve the writer name as they start; failover records need their health checks to exist.
    this.zone.applyChanges(
      records.filter((record) => !isFailover(record)).map((recordSet) => ({ action: 'UPSERT', recordSet }) as Change),
    );
    // A cold region runs no app until the runbook starts one.
    const serving = [...this.regions.values()].filter((region) => region.pg.running);
    await Promise.all(serving.map((region) => this.startRegionApp(region)));
    if (this.strategy.database === 'streaming')
      await Promise.all(standbys.map((standby) => primary.pg.waitStreaming(startTimeoutMs, standby.layout.name)));

    for (const region of this.regions.values()) {
      if (!this.healthChecks.has(healthCheckIdFor(region.layout.name))) {
        this.healthChecks.add({
          id: healthCheckIdFor(region.layout.name),
          type: 'HTTP',
          ipAddress: region.layout.address,
          port: ports.app,
          resourcePath: '/health',
          requestIntervalMs: layout.healthCheck.requestIntervalMs,
          failureThreshold: layout.healthCheck.failureThreshold,
          timeoutMs: layout.healthCheck.timeoutMs,
        });
      }
    }
    this.zone.applyChanges(records.filter(isFailover).map((recordSet) => ({ action: 'UPSERT', recordSet }) as Change));
    if (this.strategy.entry === 'load-balancer' && !this.balancer) {
      // The primary first: traffic goes there while its check passes, as a failover record's PRIMARY does.
      const ordered = [primaryLayout, ...layout.regions.filter((region) => region !== primaryLayout)];
      this.balancer = await GlobalLoadBalancer.start({
        host: '127.0.0.1',
        port: 0,
        targets: ordered.map((region) => ({ region: region.name, host: region.address, port: ports.app })),
        isHealthy: (region) => this.healthChecks.isHealthy(healthCheckIdFor(region)),
        upstreamTimeoutMs: balancerUpstreamTimeoutMs,
      });
    }
  }

  /** A primary and a hot standby in every other region, streaming its WAL through that region's replication link. */
  private async bringUpStreaming(primary: RegionRuntime, standbys: RegionRuntime[]): Promise<void> {
    const { ports } = this.layout;
    await primary.pg.initPrimary();
    await Promise.all(
      standbys.map((standby) =>
        standby.pg.cloneStandbyFrom(primary.pg, { host: standby.layout.address, port: ports.replication }),
      ),
    );
    await Promise.all([...this.regions.values()].map((region) => region.pg.start(startTimeoutMs)));
  }

  /**
   * A primary in every region, each subscribed to the other's tables through its replication link
   * (postgres/logical.ts), the app's tables created on both before any app starts.
   */
  private async bringUpLogical(): Promise<void> {
    const regions = [...this.regions.values()];
    await Promise.all(regions.map((region) => region.pg.initPrimary()));
    await Promise.all(regions.map((region) => region.pg.start(startTimeoutMs)));
    await replicateBothWays(this.logicalSides() as [LogicalSide, LogicalSide], schemaSql, startTimeoutMs);
  }

  private logicalSides(): LogicalSide[] {
    return [...this.regions.values()].map((region) => ({
      region: region.layout.name,
      pg: region.pg,
      subscribeVia: { host: region.layout.address, port: this.layout.ports.replication },
    }));
  }

  /**
   * What every region's database holds, once replication between them caught up with what each held when asked (up
   * to `timeoutMs`): the consistency check's input (data-active-active only).
   */
  dataSnapshot(timeoutMs = 20_000): Promise<DataSnapshot> {
    if (this.strategy.database !== 'logical')
      return Promise.reject(
        new LabError(`the ${this.strategy.name} lab has one writer: only data-active-active has two sides to compare`),
      );
    return this.serialised(() => readBothSides(this.logicalSides(), timeoutMs));
  }

  /**
   * A primary archiving its WAL, and a cold region: the archive there (its receiver), the primary's shipper across
   * the primary region's archive link, and a base backup of the primary once its WAL is archived. Nothing runs in
   * the cold region.
   */
  private async bringUpArchive(primary: RegionRuntime, standbys: RegionRuntime[], osUser: PgOsUser): Promise<void> {
    const { ports } = this.layout;
    const cold = standbys[0];
    for (const region of this.regions.values()) makeOwnedDir(this.spoolOf(region.layout.name), osUser);
    await primary.pg.initPrimary();
    await primary.pg.start(startTimeoutMs);
    const receiver = await ArchiveReceiver.start({
      host: cold.layout.address,
      port: ports.archive,
      dir: this.archiveDir(),
    });
    primary.proxies.archive = await this.addProxy(
      `archive-${primary.layout.name}`,
      { host: primary.layout.address, port: ports.archive },
      { host: cold.layout.address, port: ports.archive },
    );
    const shipper = new WalShipper({
      spool: this.spoolOf(primary.layout.name),
      url: `http://${primary.layout.address}:${ports.archive}`,
      intervalMs: 200,
      timeoutMs: 3_000,
    });
    shipper.start();
    this.archive = { receiver, shipper };
    await this.baseBackup(primary, cold);
  }

  /** A base backup of the primary for a cold region, usable once the WAL it ends in is in the archive. */
  private async baseBackup(primary: RegionRuntime, cold: RegionRuntime): Promise<{ stopWalFile: string }> {
    const backup = await primary.pg.baseBackupInto(
      this.baseBackupDir(cold.layout.name),
      `gameday base backup for ${cold.layout.name}`,
    );
    const deadline = Date.now() + startTimeoutMs;
    while (!this.archive!.receiver.files().includes(backup.stopWalFile)) {
      if (Date.now() > deadline)
        throw new LabError(`the base backup's last WAL segment ${backup.stopWalFile} never reached the archive`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return backup;
  }

  /** A region's durable write queue (writeQueue strategies), kept with the lab's data: a reset empties it. */
  private writeQueueOf(region: string): string {
    const dir = path.join(this.dataRoot, 'pg', 'write-queue');
    fs.mkdirSync(dir, { recursive: true });
    return path.join(dir, `${region}.ndjson`);
  }

  /** A region's WAL spool: archive_command puts each archived file there for the shipper. */
  private spoolOf(region: string): string {
    return path.join(this.dataRoot, 'pg', 'wal-spool', region);
  }

  /** The WAL archive, in the cold region. */
  private archiveDir(): string {
    return path.join(this.dataRoot, 'pg', 'wal-archive');
  }

  private baseBackupDir(region: string): string {
    return path.join(this.dataRoot, 'pg', `${region}.base-backup`);
  }

  /** Where clients enter, and the regions it sends them to now. */
  entry(): LabEntry {
    if (this.balancer) return { kind: 'load-balancer', url: this.balancer.url, routesTo: [this.balancer.routesTo()] };
    const answered = this.zone.lookup(labNames.app, 'A').answers.map((record) => String(record.data));
    return {
      kind: this.strategy.entry,
      url: `http://${labNames.app.replace(/\.$/, '')}:${this.layout.ports.app}`,
      routesTo: this.layout.regions.filter((region) => answered.includes(region.address)).map((region) => region.name),
    };
  }

  /** Every region's bucket, empty, each replicating to every other region's bucket (S3 two-way replication). */
  private async startObjectStores(): Promise<void> {
    const { regions, ports } = this.layout;
    for (const region of regions)
      await this.objects.addRegion({ name: region.name, endpoint: { host: region.address, port: ports.objects } }, [
        labBucketFor(region.name),
      ]);
    for (const region of regions) {
      this.objects.setReplication(labBucketFor(region.name), {
        role: `arn:aws:iam::${labAccountId}:role/gameday-lab-replication`,
        rules: regions
          .filter((destination) => destination.name !== region.name)
          .map((destination) => ({
            id: `to-${destination.name}`,
            priority: destination.index,
            enabled: true,
            prefix: '',
            destinationBucket: labBucketFor(destination.name),
            deleteMarkerReplication: true,
          })),
      });
    }
  }

  /**
   * Where clients' S3 requests for a region enter it: the port of the replication link to itself, which no region
   * has, so the lab's port block stays ten wide.
   */
  objectsIngressAddress(regionName: string): { host: string; port: number } {
    const region = this.layout.regions.find((candidate) => candidate.name === regionName);
    if (!region) throw new LabError(`unknown region ${JSON.stringify(regionName)}`);
    return { host: region.address, port: this.layout.ports.objectReplication + region.index - 1 };
  }

  /** Where a region's replicas to `destination` leave from: the listener of the fault proxy on that link. */
  private objectLinkAddress(source: string, destination: string): { host: string; port: number } | undefined {
    const from = this.layout.regions.find((region) => region.name === source);
    const to = this.layout.regions.find((region) => region.name === destination);
    if (!from || !to || from === to) return undefined;
    return { host: from.address, port: this.layout.ports.objectReplication + to.index - 1 };
  }

  private async addProxy(
    name: string,
    listen: { host: string; port: number },
    upstream: { host: string; port: number },
  ): Promise<FaultProxy> {
    const existing = this.proxies.get(name);
    if (existing) {
      // reset: keep the listener, drop every fault
      for (const toxic of existing.toxics()) existing.removeToxic(toxic.name);
      if (!existing.enabled) await existing.setEnabled(true);
      existing.setUpstream(upstream);
      return existing;
    }
    const proxy = await FaultProxy.start({ name, listen, upstream });
    // A refused upstream (a stopped region) is an expected state in the lab, not a crash.
    proxy.on('error', () => undefined);
    this.proxies.set(name, proxy);
    return proxy;
  }

  /** Route 53-style records: failover for the app, the writer name, and per-region names. */
  private initialRecords(): RecordSet[] {
    const { layout } = this;
    const regions = layout.regions;
    const primary = regions.find((region) => region.name === layout.primary)!;
    const secondary = regions.find((region) => region.name !== layout.primary)!;
    const appRecords: RecordSet[] =
      this.strategy.entry === 'dns-multivalue'
        ? regions.map((region) => ({
            name: labNames.app,
            type: 'A',
            ttl: layout.ttl.app,
            values: [region.address],
            setIdentifier: region.name,
            multiValueAnswer: true,
            healthCheckId: healthCheckIdFor(region.name),
          }))
        : [
            {
              name: labNames.app,
              type: 'A',
              ttl: layout.ttl.app,
              values: [primary.address],
              setIdentifier: primary.name,
              failover: 'PRIMARY',
              healthCheckId: healthCheckIdFor(primary.name),
            },
            {
              name: labNames.app,
              type: 'A',
              ttl: layout.ttl.app,
              values: [secondary.address],
              setIdentifier: secondary.name,
              failover: 'SECONDARY',
              healthCheckId: healthCheckIdFor(secondary.name),
            },
          ];
    const records: RecordSet[] = [
      ...appRecords,
      { name: labNames.writer, type: 'A', ttl: layout.ttl.writer, values: [primary.address] },
    ];
    for (const region of regions) {
      records.push({
        name: labNames.regionalApp(region.name),
        type: 'A',
        ttl: layout.ttl.regional,
        values: [region.address],
      });
      records.push({
        name: labNames.regionalDb(region.name),
        type: 'A',
        ttl: layout.ttl.regional,
        values: [region.address],
      });
    }
    return records;
  }

  private async startRegionApp(region: RegionRuntime): Promise<void> {
    const { ports } = this.layout;
    const dns = this.dnsAddress();
    region.app = await startApp(
      {
        region: region.layout.name,
        host: region.layout.address,
        port: ports.appInternal,
        localDb: { host: region.layout.address, port: ports.pg, user: 'postgres', database: 'postgres' },
        // Where every region writes, each app writes to its own region's database.
        writer:
          this.strategy.database === 'logical'
            ? { host: region.layout.address, port: ports.pg }
            : { name: labNames.writer.replace(/\.$/, ''), port: ports.db, dnsServer: `${dns.host}:${dns.port}` },
        capacity: this.capacityFor(region),
        ...(this.strategy.writeQueue ? { writeQueue: { file: this.writeQueueOf(region.layout.name) } } : {}),
        objects: { endpoint: `${region.layout.address}:${ports.objects}`, bucket: labBucketFor(region.layout.name) },
      },
      { logFile: path.join(this.logDir, `app-${region.layout.name}.log`), timeoutMs: startTimeoutMs },
    );
  }

  /**
   * After a failback, the region that held the writer goes cold again: its app and database stop, its data goes, and a
   * fresh base backup of the writer waits for it (the WAL archive keeps what the writer ships).
   */
  private async coolDown(primary: RegionRuntime, cold: RegionRuntime): Promise<void> {
    await cold.app?.stop(2_000).catch(() => undefined);
    cold.app = null;
    await cold.pg.stop('fast');
    fs.rmSync(cold.pg.dataDir, { recursive: true, force: true });
    makeOwnedDir(this.spoolOf(primary.layout.name), pgOsUser());
    await this.baseBackup(primary, cold);
  }

  /** A fleet's capacity as the region's role says: serving as the primary, standing by otherwise. */
  private capacityFor(region: RegionRuntime): AppCapacity | undefined {
    const fleet = this.strategy.fleet;
    if (!fleet) return undefined;
    const serving = this.strategy.serving === 'every-region' || region.role === 'primary';
    return {
      workers: serving ? fleet.servingWorkers : fleet.standbyWorkers,
      minWorkers: fleet.standbyWorkers,
      maxWorkers: fleet.servingWorkers,
      rpsPerWorker: fleet.rpsPerWorker,
    };
  }

  /** After a planned move (a failback), each fleet at its role's capacity again: the new writer's up, the rest down. */
  private async rescaleFleets(): Promise<void> {
    if (!this.strategy.fleet) return;
    await Promise.all(
      [...this.regions.values()].map((region) =>
        region.app?.running ? region.app.scale(region.role === 'primary' ? 'up' : 'down', fleetScaleTimeoutMs) : null,
      ),
    );
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  // ------------------------------------------------------------------ actions

  /** Stops a region's PostgreSQL: 'immediate' is a crash (SIGQUIT), 'fast' a clean shutdown. */
  stopDatabase(regionName: string, mode: PgStopMode = 'immediate'): Promise<void> {
    return this.serialised(async () => {
      await this.region(regionName).pg.stop(mode);
    });
  }

  /**
   * Starts a stopped database. A former primary that was demoted by a promotion while it
   * was down must not come back as a second writer: it rejoins as a standby, rebuilt
   * from the current primary (its unreplicated writes are discarded, as on Aurora).
   */
  startDatabase(regionName: string): Promise<{ rebuilt: boolean }> {
    return this.serialised(async () => {
      const region = this.region(regionName);
      if (region.pg.running) return { rebuilt: false };
      if (this.demoted.has(regionName)) {
        await region.pg.rebuildStandbyFrom(this.primaryRegion.pg, {
          host: region.layout.address,
          port: this.layout.ports.replication,
        });
        this.demoted.delete(regionName);
        await region.pg.start(startTimeoutMs);
        return { rebuilt: true };
      }
      await region.pg.start(startTimeoutMs);
      return { rebuilt: false };
    });
  }

  stopApp(regionName: string): Promise<void> {
    return this.serialised(async () => {
      const region = this.region(regionName);
      await region.app?.kill();
      region.app = null;
    });
  }

  startApp(regionName: string): Promise<void> {
    return this.serialised(async () => {
      const region = this.region(regionName);
      if (!region.app || !region.app.running) await this.startRegionApp(region);
    });
  }

  /**
   * Promotes a standby to primary and points everything at it: the other standbys'
   * replication links, and the writer DNS name. A lab helper, not the failover runbook
   * (that one fences the old writer first and times each step).
   */
  promote(regionName: string): Promise<{ previousPrimary: string; promotedMs: number }> {
    return this.serialised(async () => {
      this.refuseWriterMove();
      const target = this.region(regionName);
      if (target.role === 'primary') throw new LabError(`${regionName} is already the primary`);
      const previous = this.primaryRegion;
      const promotedMs = await this.promoteUnserialised(target, previous);
      return { previousPrimary: previous.layout.name, promotedMs };
    });
  }

  /** Where every region writes there is no writer to move: losing a region sends its clients to the others. */
  private refuseWriterMove(): void {
    if (this.strategy.database === 'logical')
      throw new LabError(
        `every region of the ${this.strategy.name} lab already takes writes: there is no writer to move, and no ` +
          'promotion; clients of a lost region go to the others',
      );
  }

  private async promoteUnserialised(target: RegionRuntime, previous: RegionRuntime): Promise<number> {
    const started = performance.now();
    await target.pg.promote();
    previous.role = 'standby';
    target.role = 'primary';
    // Still running, it remains a writable primary until fenced (status shows it); stopped,
    // it is rebuilt as a standby when started again.
    this.demoted.add(previous.layout.name);
    this.demoted.delete(target.layout.name);
    const newUpstream = { host: target.layout.address, port: this.layout.ports.pg };
    for (const region of this.regions.values()) region.proxies.replication.setUpstream(newUpstream);
    this.zone.applyChanges([
      {
        action: 'UPSERT',
        recordSet: { name: labNames.writer, type: 'A', ttl: this.layout.ttl.writer, values: [target.layout.address] },
      },
    ]);
    return Math.round(performance.now() - started);
  }

  /**
   * Unplanned failover (RDS FailoverGlobalCluster with AllowDataLoss): fence the old
   * writer — its process is stopped, which works even when it is cut off the network —
   * then promote the target. Writes the old writer acknowledged but had not shipped are
   * lost; the old writer rejoins as a standby when it is started again.
   */
  failover(regionName: string): Promise<FailoverOutcome> {
    return this.serialised(async () => {
      this.refuseWriterMove();
      const target = this.region(regionName);
      if (target.role === 'primary') throw new LabError(`${regionName} is already the writer`);
      // Check before fencing: stopping the writer for a target that cannot be promoted leaves no writer at all.
      if (!target.pg.running)
        throw new LabError(
          `failover: ${regionName}'s database is stopped, so it cannot be promoted; the writer was left in place`,
        );
      const previous = this.primaryRegion;
      const started = performance.now();
      if (previous.pg.running) await previous.pg.stop('immediate');
      // WAL its region archived but never shipped is lost with it: the new writer's timeline has left it behind.
      if (this.strategy.database === 'archive')
        fs.rmSync(this.spoolOf(previous.layout.name), { force: true, recursive: true });
      const fencedMs = performance.now() - started;
      const promotedMs = await this.promoteUnserialised(target, previous);
      return {
        previousWriter: previous.layout.name,
        newWriter: regionName,
        fencedMs: Math.round(fencedMs),
        promotedMs,
        caughtUpLsn: null,
      };
    });
  }

  /**
   * Planned switchover (RDS SwitchoverGlobalCluster): no acknowledged write may be lost.
   * The old writer stops accepting writes (read-only, client sessions ended), the target
   * replays up to the old writer's last WAL position, the old writer shuts down cleanly,
   * the target is promoted, and the old writer is rebuilt as a standby of it.
   */
  switchover(regionName: string, timeoutMs = 60_000): Promise<FailoverOutcome> {
    return this.serialised(async () => {
      this.refuseWriterMove();
      const target = this.region(regionName);
      if (target.role === 'primary') throw new LabError(`${regionName} is already the writer`);
      const previous = this.primaryRegion;
      if (!previous.pg.running)
        throw new LabError(`switchover needs the writer ${previous.layout.name} running; use a failover`);
      if (!target.pg.running)
        throw new LabError(
          `switchover: ${regionName}'s database is stopped, so it cannot be promoted; the writer was left in place`,
        );
      const started = performance.now();
      await previous.pg.query('ALTER SYSTEM SET default_transaction_read_only = on');
      let lsn: string;
      try {
        await previous.pg.query('SELECT pg_reload_conf()');
        await previous.pg.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'client " +
            "backend' AND pid <> pg_backend_pid()",
        );
        [{ lsn }] = await previous.pg.query<{ lsn: string }>('SELECT pg_current_wal_flush_lsn()::text AS lsn');
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const [{ caught_up: caughtUp }] = await target.pg.query<{ caught_up: boolean }>(
            'SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false) AS caught_up',
            [lsn],
          );
          if (caughtUp) break;
          if (Date.now() > deadline)
            throw new LabError(
              `switchover: ${regionName} did not replay up to ${lsn} within ${timeoutMs} ms; the ` +
                `writer was left in place and writable`,
            );
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      } catch (error) {
        // Whatever stopped the switchover (timeout, the target failing), the writer must not stay read-only.
        await previous.pg.query('ALTER SYSTEM RESET default_transaction_read_only');
        await previous.pg.query('SELECT pg_reload_conf()');
        throw error;
      }
      await previous.pg.stop('fast');
      const fencedMs = performance.now() - started;
      const promotedMs = await this.promoteUnserialised(target, previous);
      await previous.pg.rebuildStandbyFrom(target.pg, {
        host: previous.layout.address,
        port: this.layout.ports.replication,
      });
      this.demoted.delete(previous.layout.name);
      await previous.pg.start(startTimeoutMs);
      await this.rescaleFleets();
      if (this.strategy.database === 'archive') await this.coolDown(target, previous);
      return {
        previousWriter: previous.layout.name,
        newWriter: regionName,
        fencedMs: Math.round(fencedMs),
        promotedMs,
        caughtUpLsn: lsn,
      };
    });
  }

  /**
   * One step of the strategy's runbook, carried out in `regionName` (strategies/ lists each strategy's steps); resolves
   * with what it did, for the runbook's journal.
   */
  strategyStep(step: string, regionName: string): Promise<Record<string, unknown>> {
    this.region(regionName);
    const steps: readonly string[] = this.strategy.steps;
    if (!steps.includes(step)) {
      const valid = steps.length > 0 ? `its steps: ${steps.join(', ')}` : 'it has none';
      return Promise.reject(
        new LabError(`the ${this.strategy.name} lab has no step ${JSON.stringify(step)}; ${valid}`),
      );
    }
    return (this.stepActions as Record<string, StepAction>)[step](this.region(regionName));
  }

  /**
   * Until the region's write queue is replayed (its app does that once its writer takes writes), then what the
   * writer holds of it (ledgerReplayOrder: every queued ledger entry found, and in the order acknowledged); how long
   * each waited from its acknowledgement to its replay.
   */
  private async drainQueue(region: RegionRuntime): Promise<Record<string, unknown>> {
    const file = this.writeQueueOf(region.layout.name);
    const started = performance.now();
    // Until the region's app sees the new writer (its DNS answer expires), its writes still go to the old one and
    // queue: only then can the queue empty for good.
    await new Promise((resolve) => setTimeout(resolve, this.layout.ttl.writer * 1000 + 2 * writerLookupMs));
    let queue = readWriteQueue(file);
    while (queue.replays.length < queue.writes.length) {
      if (performance.now() - started > drainTimeoutMs)
        throw new LabError(
          `${region.layout.name}'s write queue still holds ${queue.writes.length - queue.replays.length} of ` +
            `${queue.writes.length} writes after ${drainTimeoutMs / 1000} s: its writer does not take them`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
      queue = readWriteQueue(file);
    }
    const ledger = queue.writes.flatMap((write) => (write.kind === 'ledger' ? [write] : []));
    const committed = ledger.length
      ? await this.primaryRegion.pg.query<{ client: string; seq: string }>(
          `SELECT client, seq::text AS seq FROM ledger
           WHERE (client, seq) IN (SELECT * FROM unnest($1::text[], $2::bigint[]))
           ORDER BY committed_at, client, seq`,
          [ledger.map((write) => write.client), ledger.map((write) => write.seq)],
        )
      : [];
    const replayedAt = new Map(queue.replays.map((replay) => [replay.n, replay.replayedAt]));
    const lags = queue.writes.map((write) => replayedAt.get(write.n)! - write.queuedAt).sort((a, b) => a - b);
    return {
      queued: queue.writes.length,
      replayed: queue.replays.length,
      ...ledgerReplayOrder(queue, committed),
      replayLagMs: lags.length ? { p50: lags[Math.floor((lags.length - 1) / 2)], max: lags[lags.length - 1] } : null,
      drainedMs: Math.round(performance.now() - started),
    };
  }

  /** How the lab carries out each step a strategy may declare. */
  private readonly stepActions: Record<StrategyStep, StepAction> = {
    restore: (region) =>
      this.serialised(async () => {
        if (region.pg.running) throw new LabError(`${region.layout.name}'s database already runs: nothing to restore`);
        const started = performance.now();
        const archived = this.archive!.receiver.files();
        await region.pg.restoreFromBackup(this.baseBackupDir(region.layout.name), this.archiveDir());
        // It starts once consistent (the base backup replayed); promotion replays the rest of the archive.
        await region.pg.start(startTimeoutMs);
        return {
          baseBackup: this.baseBackupDir(region.layout.name),
          archivedFiles: archived.length,
          lastArchived: archived.at(-1) ?? null,
          restoredMs: Math.round(performance.now() - started),
        };
      }),
    'start-app': (region) =>
      this.serialised(async () => {
        if (region.app?.running) return { app: 'already running' };
        const started = performance.now();
        await this.startRegionApp(region);
        return { app: `started in ${region.layout.name}`, startedMs: Math.round(performance.now() - started) };
      }),
    'drain-queue': (region) => this.drainQueue(region),
    'scale-up': (region) =>
      this.serialised(async () => {
        if (!region.app?.running) throw new LabError(`${region.layout.name}'s app is not running: nothing to scale up`);
        const scaled = await region.app.scale('up', fleetScaleTimeoutMs);
        return {
          workers: `${scaled.fromWorkers} → ${scaled.workers}`,
          warmUpMs: scaled.ms,
          shedBeforeScaledUp: scaled.shed,
        };
      }),
  };

  /** Inverts or disables a region's health check (Route 53 UpdateHealthCheck). */
  updateHealthCheck(regionName: string, update: { inverted?: boolean; disabled?: boolean }): void {
    this.region(regionName);
    this.healthChecks.update(healthCheckIdFor(regionName), update);
  }

  /**
   * Back to the initial topology: every fault removed, data rebuilt, original primary.
   * Resolves once every health check reports Healthy again, so DNS answers as in a fresh lab.
   */
  reset(): Promise<void> {
    return this.serialised(async () => {
      await this.stopRegions();
      this.demoted.clear();
      fs.rmSync(path.join(this.dataRoot, 'pg'), { recursive: true, force: true });
      await this.bringUp();
      // The checks kept running while the regions were down, so they may be Unhealthy or part
      // way there. Updating restarts each check's requests (a reply to one sent during the
      // teardown is dropped); then wait for the checks to see the healthy apps.
      for (const region of this.layout.regions) {
        const id = healthCheckIdFor(region.name);
        if (this.healthChecks.has(id)) this.healthChecks.update(id, { inverted: false, disabled: false });
      }
      await this.waitHealthChecksHealthy();
    });
  }

  private async waitHealthChecksHealthy(): Promise<void> {
    const { requestIntervalMs, timeoutMs, failureThreshold } = this.layout.healthCheck;
    // failureThreshold successes in a row flip a check back; allow twice that, and slack.
    const limitMs = 2 * failureThreshold * Math.max(requestIntervalMs, timeoutMs) + 10_000;
    const ids = this.layout.regions.map((region) => healthCheckIdFor(region.name));
    const deadline = Date.now() + limitMs;
    for (;;) {
      const unhealthy = ids.filter((id) => !this.healthChecks.isHealthy(id));
      if (unhealthy.length === 0) return;
      if (Date.now() > deadline) {
        const why = unhealthy.map(
          (id) => `${id} (last request: ${this.healthChecks.status(id).recentObservations.at(-1)?.detail ?? 'none'})`,
        );
        throw new LabError(
          `reset: health checks still Unhealthy ${limitMs} ms after the regions came back: ${why.join(', ')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  private async stopRegions(): Promise<void> {
    await this.archive?.shipper.stop();
    await this.archive?.receiver.close();
    this.archive = null;
    await Promise.all(
      [...this.regions.values()].map(async (region) => {
        await region.app?.stop(2_000).catch(() => undefined);
        region.app = null;
        await region.pg.stop('immediate').catch(() => undefined);
      }),
    );
    this.regions.clear();
  }

  /** Stops every process and server; removes data the lab created. Idempotent. */
  async close(options: { keepData?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    await this.prometheus.stop();
    await this.stopRegions();
    await this.objects.close();
    await this.healthChecks.close();
    await this.balancer?.close();
    await Promise.all([...this.proxies.values()].map((proxy) => proxy.close()));
    await this.dns?.close();
    if (this.ownsDataRoot && !options.keepData) fs.rmSync(this.dataRoot, { recursive: true, force: true });
  }

  // ------------------------------------------------------------------ observation

  /** Process ids and data dirs, for the state file (so another process can clean up orphans). */
  processes(): Array<{
    region: string;
    role: RegionRole;
    pgPid: number | null;
    pgDataDir: string;
    appPid: number | null;
  }> {
    return [...this.regions.values()].map((region) => ({
      region: region.layout.name,
      role: region.role,
      pgPid: region.pg.pid ?? null,
      pgDataDir: region.pg.dataDir,
      appPid: region.app?.running ? region.app.pid : null,
    }));
  }

  /**
   * What each region's processes consume right now (usage.ts): its database and app process trees, and whether the
   * region serves clients (active) or stands by.
   */
  async usage(): Promise<LabUsage> {
    const table = await readProcessTable();
    const primary = this.writerRegion();
    return {
      regions: [...this.regions.values()].map((region) => {
        const roots = [region.pg.pid, region.app?.running ? region.app.pid : undefined];
        return {
          region: region.layout.name,
          side:
            this.strategy.serving === 'every-region' || region.layout.name === primary
              ? ('active' as const)
              : ('standby' as const),
          processes: table.trees(roots.filter((pid): pid is number => pid !== undefined)),
        };
      }),
    };
  }

  async status(): Promise<LabStatus> {
    const regions = await Promise.all(
      [...this.regions.values()].map(async (region): Promise<RegionStatus> => {
        let replication: RegionStatus['replication'] = null;
        if (region.pg.running) {
          try {
            replication = await region.pg.replication();
          } catch (error) {
            replication = { error: (error as Error).message };
          }
        }
        const healthCheck = this.healthChecks.has(healthCheckIdFor(region.layout.name))
          ? this.healthChecks.status(healthCheckIdFor(region.layout.name))
          : null;
        const description = this.healthChecks.has(healthCheckIdFor(region.layout.name))
          ? this.healthChecks.get(healthCheckIdFor(region.layout.name))
          : null;
        return {
          name: region.layout.name,
          address: region.layout.address,
          role: region.role,
          appUrl: `http://${region.layout.address}:${this.layout.ports.app}`,
          database: {
            running: region.pg.running,
            pid: region.pg.pid ?? null,
            port: this.layout.ports.pg,
            // What the server itself says: a demoted primary still running says 'primary' (not fenced).
            actualRole:
              replication && 'role' in (replication as object) ? (replication as { role: RegionRole }).role : null,
            demoted: this.demoted.has(region.layout.name),
          },
          app: { running: region.app?.running ?? false, pid: region.app?.running ? region.app.pid : null },
          replication,
          healthCheck:
            healthCheck && description
              ? {
                  id: healthCheck.id,
                  status: healthCheck.status,
                  since: healthCheck.since,
                  inverted: description.config.inverted,
                  disabled: description.config.disabled,
                }
              : null,
          proxies: [
            ...(['app', 'db', 'replication', 'archive'] as const).flatMap((kind) => region.proxies[kind] ?? []),
            region.objectsIngress,
            ...region.objectLinks,
          ].map((proxy) => {
            const upstream = proxy.upstream();
            return {
              name: proxy.name,
              enabled: proxy.enabled,
              upstream: `${upstream.host}:${upstream.port}`,
              toxics: proxy.toxics().map((toxic) => `${toxic.name}:${toxic.type}`),
            };
          }),
          objects: this.objects.status().find((entry) => entry.region === region.layout.name) ?? null,
        };
      }),
    );
    const explainApp = this.zone.explain(labNames.app, 'A');
    const explainWriter = this.zone.explain(labNames.writer, 'A');
    return {
      strategy: { name: this.strategy.name, summary: this.strategy.summary },
      entry: this.entry(),
      regions,
      dns: {
        server: this.dnsAddress(),
        answers: [
          { name: labNames.app, values: this.zone.present(explainApp), why: explainApp.summary },
          { name: labNames.writer, values: this.zone.present(explainWriter), why: explainWriter.summary },
        ],
      },
      prometheus: this.prometheus.status(),
    };
  }
}

export interface FailoverOutcome {
  previousWriter: string;
  newWriter: string;
  /** Until the old writer could no longer accept writes. */
  fencedMs: number;
  promotedMs: number;
  /** Switchover only: the WAL position the new writer replayed before promotion. */
  caughtUpLsn: string | null;
}

export interface RegionStatus {
  name: string;
  address: string;
  role: RegionRole;
  appUrl: string;
  database: { running: boolean; pid: number | null; port: number; actualRole: RegionRole | null; demoted: boolean };
  app: { running: boolean; pid: number | null };
  replication: unknown;
  healthCheck: { id: string; status: string; since: number; inverted: boolean; disabled: boolean } | null;
  proxies: Array<{ name: string; enabled: boolean; upstream: string; toxics: string[] }>;
  /** The region's buckets (object counts) and its replication backlog to each destination. */
  objects: ReturnType<LabObjectStores['status']>[number] | null;
}

export interface LabUsage {
  regions: Array<{ region: string; side: 'active' | 'standby'; processes: ProcessUsage[] }>;
}

/** The clients' entry point: its URL (the `app` endpoint) and the regions it sends them to now. */
export interface LabEntry {
  kind: string;
  url: string;
  routesTo: string[];
}

export interface LabStatus {
  strategy: { name: string; summary: string };
  entry: LabEntry;
  regions: RegionStatus[];
  dns: { server: { host: string; port: number }; answers: Array<{ name: string; values: string[]; why: string }> };
  /** The lab's Prometheus while it runs. */
  prometheus: PrometheusStatus | null;
}
