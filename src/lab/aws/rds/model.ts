import type { FailoverOutcome, Lab } from '../../lab';
import { labNames } from '../../topology';
import { labGlobalClusterArn, labGlobalClusterId, type LabRegionResources } from '../resources';
import { RdsError } from './errors';

/**
 * The lab as RDS sees it: one Aurora PostgreSQL global database (`gameday-lab`) with one
 * regional cluster of one instance per lab region. Nothing here is stored: every answer is
 * read from the lab's real processes (which region is the writer, which PostgreSQL runs),
 * plus the global operation (failover or switchover) and instance reboots this model
 * started and that are still running.
 *
 * Shapes carry the RDS API's member names, in the service model's order, so xml.ts renders
 * them as they are.
 */

export const labEngine = 'aurora-postgresql';
const labDatabaseName = 'postgres';
const labMasterUsername = 'postgres';
const labGlobalClusterResourceId = 'cluster-0gamedaylab000000000';

/**
 * FailoverGlobalCluster with AllowDataLoss, or a switchover (SwitchoverGlobalCluster, or FailoverGlobalCluster without
 * it).
 */
export type GlobalOperationKind = 'failover' | 'switchover';

export interface GlobalOperation {
  kind: GlobalOperationKind;
  from: string;
  to: string;
  startedAt: Date;
  /** Settles (never rejects) when the lab operation has ended, either way. */
  done: Promise<void>;
}

export interface GlobalOperationResult {
  kind: GlobalOperationKind;
  from: string;
  to: string;
  outcome?: FailoverOutcome;
  error?: string;
}

export interface GlobalClusterShape {
  GlobalClusterIdentifier: string;
  GlobalClusterResourceId: string;
  GlobalClusterArn: string;
  Status: 'available' | 'failing-over' | 'switching-over';
  Engine: string;
  EngineVersion: string;
  DatabaseName: string;
  StorageEncrypted: boolean;
  DeletionProtection: boolean;
  GlobalClusterMembers: Array<{
    DBClusterArn: string;
    Readers: string[];
    IsWriter: boolean;
    GlobalWriteForwardingStatus?: 'disabled';
    SynchronizationStatus?: 'connected' | 'pending-resync';
  }>;
  /** The global writer endpoint: the lab's writer name, which follows the writer. */
  Endpoint: string;
  FailoverState?: {
    Status: 'failing-over' | 'switching-over';
    FromDbClusterArn: string;
    ToDbClusterArn: string;
    IsDataLossAllowed: boolean;
  };
}

export interface DBClusterShape {
  AllocatedStorage: number;
  AvailabilityZones: string[];
  BackupRetentionPeriod: number;
  DatabaseName: string;
  DBClusterIdentifier: string;
  Status: string;
  Endpoint: string;
  ReaderEndpoint: string;
  MultiAZ: boolean;
  Engine: string;
  EngineVersion: string;
  Port: number;
  MasterUsername: string;
  /** A secondary cluster of a global database replicates from the primary cluster. */
  ReplicationSourceIdentifier?: string;
  DBClusterMembers: Array<{
    DBInstanceIdentifier: string;
    IsClusterWriter: boolean;
    DBClusterParameterGroupStatus: string;
    PromotionTier: number;
  }>;
  StorageEncrypted: boolean;
  DBClusterArn: string;
  EngineMode: string;
  DeletionProtection: boolean;
  TagList: Array<{ Key: string; Value: string }>;
  GlobalClusterIdentifier: string;
  GlobalWriteForwardingStatus?: 'disabled';
}

export interface DBInstanceShape {
  DBInstanceIdentifier: string;
  Engine: string;
  DBInstanceStatus: 'available' | 'rebooting' | 'stopped';
  MasterUsername: string;
  Endpoint: { Address: string; Port: number };
  AvailabilityZone: string;
  MultiAZ: boolean;
  EngineVersion: string;
  PubliclyAccessible: boolean;
  DBClusterIdentifier: string;
  StorageEncrypted: boolean;
  PromotionTier: number;
  DBInstanceArn: string;
  TagList: Array<{ Key: string; Value: string }>;
}

export class LabGlobalCluster {
  private operation: GlobalOperation | null = null;
  private readonly rebooting = new Set<string>();
  /** How the last global operation ended (its timings, or why it failed). */
  lastResult: GlobalOperationResult | null = null;

  constructor(
    private readonly lab: Lab,
    private readonly onChange: () => void = () => undefined,
  ) {}

  // ------------------------------------------------------------------ names

  /** Global cluster identifiers are case-insensitive; the ARN names it too. */
  isGlobalCluster(identifier: string): boolean {
    return identifier.toLowerCase() === labGlobalClusterId || identifier === labGlobalClusterArn;
  }

  requireGlobalCluster(identifier: string): void {
    if (!this.isGlobalCluster(identifier))
      throw new RdsError(
        'GlobalClusterNotFoundFault',
        `GlobalCluster ${identifier} not found. The lab has one global cluster: ${labGlobalClusterId}`,
      );
  }

  /** Every region's resources, in layout order. */
  regions(): LabRegionResources[] {
    return this.lab.awsResources();
  }

  /** A DB cluster by identifier (case-insensitive) or ARN; `inRegion` limits it to one region, as regional APIs are. */
  findCluster(identifier: string, inRegion?: string): LabRegionResources | undefined {
    const wanted = identifier.toLowerCase();
    return this.regions().find(
      (resources) =>
        (inRegion === undefined || resources.region === inRegion) &&
        (resources.dbClusterId === wanted || resources.dbClusterArn.toLowerCase() === wanted),
    );
  }

  findInstance(identifier: string, inRegion: string): LabRegionResources | undefined {
    const wanted = identifier.toLowerCase();
    return this.regions().find(
      (resources) =>
        resources.region === inRegion &&
        (resources.dbInstanceId === wanted || resources.dbInstanceArn.toLowerCase() === wanted),
    );
  }

  /** The writer as RDS reports it: during a global operation still the cluster being demoted. */
  writerRegion(): string {
    return this.operation?.from ?? this.lab.writerRegion();
  }

  runningOperation(): GlobalOperation | null {
    return this.operation;
  }

  // ------------------------------------------------------------------ shapes

  async globalCluster(): Promise<GlobalClusterShape> {
    // One snapshot before any await: a reply that read the writer before a failover ended and
    // its status after would say "the old writer, available" — a state that never existed,
    // which a failback takes as "already the writer" and skips (found by `npm run chaos`).
    const writer = this.writerRegion();
    const operation = this.operation;
    const regions = this.regions();
    const arnOf = (region: string) => regions.find((resources) => resources.region === region)!.dbClusterArn;
    const members = await Promise.all(
      regions.map(async (resources): Promise<GlobalClusterShape['GlobalClusterMembers'][number]> => {
        if (resources.region === writer) {
          return {
            DBClusterArn: resources.dbClusterArn,
            Readers: regions.filter((other) => other.region !== writer).map((other) => other.dbClusterArn),
            IsWriter: true,
          };
        }
        return {
          DBClusterArn: resources.dbClusterArn,
          Readers: [],
          IsWriter: false,
          GlobalWriteForwardingStatus: 'disabled',
          SynchronizationStatus: (await this.streaming(resources.region)) ? 'connected' : 'pending-resync',
        };
      }),
    );
    const status = operation ? (operation.kind === 'failover' ? 'failing-over' : 'switching-over') : 'available';
    return {
      GlobalClusterIdentifier: labGlobalClusterId,
      GlobalClusterResourceId: labGlobalClusterResourceId,
      GlobalClusterArn: labGlobalClusterArn,
      Status: status,
      Engine: labEngine,
      EngineVersion: this.engineVersion(),
      DatabaseName: labDatabaseName,
      StorageEncrypted: false,
      DeletionProtection: false,
      GlobalClusterMembers: members,
      Endpoint: dnsName(labNames.writer),
      FailoverState:
        operation && status !== 'available'
          ? {
              Status: status,
              FromDbClusterArn: arnOf(operation.from),
              ToDbClusterArn: arnOf(operation.to),
              IsDataLossAllowed: operation.kind === 'failover',
            }
          : undefined,
    };
  }

  dbCluster(resources: LabRegionResources): DBClusterShape {
    const { region } = resources;
    const writer = this.writerRegion();
    const isWriter = region === writer;
    const writerArn = this.regions().find((other) => other.region === writer)!.dbClusterArn;
    const operation = this.operation;
    const pg = this.lab.region(region).pg;
    const status =
      operation && (operation.from === region || operation.to === region)
        ? 'failing-over'
        : pg.running || this.rebooting.has(region)
          ? 'available'
          : 'stopped';
    const endpoint = dnsName(labNames.regionalDb(region));
    return {
      AllocatedStorage: 1,
      AvailabilityZones: [`${region}a`],
      BackupRetentionPeriod: 1,
      DatabaseName: labDatabaseName,
      DBClusterIdentifier: resources.dbClusterId,
      Status: status,
      Endpoint: endpoint,
      ReaderEndpoint: endpoint,
      MultiAZ: false,
      Engine: labEngine,
      EngineVersion: this.engineVersion(),
      Port: this.lab.layout.ports.db,
      MasterUsername: labMasterUsername,
      ReplicationSourceIdentifier: isWriter ? undefined : writerArn,
      DBClusterMembers: [
        {
          DBInstanceIdentifier: resources.dbInstanceId,
          IsClusterWriter: isWriter,
          DBClusterParameterGroupStatus: 'in-sync',
          PromotionTier: 1,
        },
      ],
      StorageEncrypted: false,
      DBClusterArn: resources.dbClusterArn,
      EngineMode: 'provisioned',
      DeletionProtection: false,
      TagList: tagList(resources.tags),
      GlobalClusterIdentifier: labGlobalClusterId,
      GlobalWriteForwardingStatus: isWriter ? undefined : 'disabled',
    };
  }

  dbInstance(resources: LabRegionResources): DBInstanceShape {
    const { region } = resources;
    const pg = this.lab.region(region).pg;
    return {
      DBInstanceIdentifier: resources.dbInstanceId,
      Engine: labEngine,
      DBInstanceStatus: this.rebooting.has(region) ? 'rebooting' : pg.running ? 'available' : 'stopped',
      MasterUsername: labMasterUsername,
      Endpoint: { Address: dnsName(labNames.regionalDb(region)), Port: this.lab.layout.ports.db },
      AvailabilityZone: `${region}a`,
      MultiAZ: false,
      EngineVersion: this.engineVersion(),
      PubliclyAccessible: false,
      DBClusterIdentifier: resources.dbClusterId,
      StorageEncrypted: false,
      PromotionTier: 1,
      DBInstanceArn: resources.dbInstanceArn,
      TagList: tagList(resources.tags),
    };
  }

  // ------------------------------------------------------------------ actions

  /**
   * Starts a failover (data loss allowed: the lab fences the writer by stopping it, then
   * promotes the target) or a switchover (no data loss: the lab drains the writer, lets the
   * target catch up, promotes it and rebuilds the old writer as its standby) in the
   * background, as RDS does: the call returns at once, DescribeGlobalClusters shows the
   * FailoverState until the lab operation has ended.
   */
  startGlobalOperation(kind: GlobalOperationKind, target: LabRegionResources): GlobalOperation {
    const running = this.operation;
    if (running) {
      throw new RdsError(
        'InvalidGlobalClusterStateFault',
        `Global cluster ${labGlobalClusterId} is ` +
          `${running.kind === 'failover' ? 'failing over' : 'switching over'} from ${running.from} ` +
          `to ${running.to} (since ${running.startedAt.toISOString()}); wait until its Status is available`,
      );
    }
    const from = this.lab.writerRegion();
    const to = target.region;
    if (to === from) {
      throw new RdsError(
        'InvalidGlobalClusterStateFault',
        `DB cluster ${target.dbClusterArn} is already the primary (writer) cluster of global cluster ` +
          `${labGlobalClusterId}; name a secondary cluster`,
      );
    }
    for (const region of [from, to]) {
      if (this.rebooting.has(region))
        throw new RdsError(
          'InvalidDBClusterStateFault',
          `DB cluster ${this.clusterId(region)} is not available: its instance is rebooting`,
        );
    }
    if (!this.lab.region(to).pg.running) {
      throw new RdsError(
        'InvalidDBClusterStateFault',
        `DB cluster ${target.dbClusterArn} is not available: its instance ${target.dbInstanceId} is ` +
          `stopped, so it cannot be promoted`,
      );
    }
    if (kind === 'switchover' && !this.lab.region(from).pg.running) {
      throw new RdsError(
        'InvalidDBClusterStateFault',
        `A switchover needs the primary cluster ${this.clusterId(from)} available, but its instance ` +
          `is stopped; fail over with AllowDataLoss=true instead`,
      );
    }
    const work = kind === 'failover' ? this.lab.failover(to) : this.lab.switchover(to);
    const operation: GlobalOperation = {
      kind,
      from,
      to,
      startedAt: new Date(),
      done: work
        .then(
          (outcome) => {
            this.lastResult = { kind, from, to, outcome };
          },
          (error: Error) => {
            this.lastResult = { kind, from, to, error: error.message };
          },
        )
        .finally(() => {
          if (this.operation === operation) this.operation = null;
          this.onChange();
        }),
    };
    this.operation = operation;
    return operation;
  }

  /**
   * Restarts an instance's PostgreSQL (clean shutdown, start) in the background; DBInstanceStatus is rebooting
   * meanwhile.
   */
  startReboot(resources: LabRegionResources): void {
    const { region } = resources;
    const operation = this.operation;
    if (operation && (operation.from === region || operation.to === region)) {
      throw new RdsError(
        'InvalidDBInstanceState',
        `DB instance ${resources.dbInstanceId} is not in the available state: its cluster is part of ` +
          `a running global ${operation.kind}`,
      );
    }
    if (this.rebooting.has(region))
      throw new RdsError(
        'InvalidDBInstanceState',
        `DB instance ${resources.dbInstanceId} is not in the available state: it is rebooting`,
      );
    if (!this.lab.region(region).pg.running)
      throw new RdsError(
        'InvalidDBInstanceState',
        `DB instance ${resources.dbInstanceId} is not in the available state: it is stopped`,
      );
    this.rebooting.add(region);
    void this.lab
      .stopDatabase(region, 'fast')
      .then(() => this.lab.startDatabase(region))
      .catch(() => undefined) // the instance then shows stopped, which is what happened
      .finally(() => {
        this.rebooting.delete(region);
        this.onChange();
      });
  }

  // ------------------------------------------------------------------ helpers

  private clusterId(region: string): string {
    return this.regions().find((resources) => resources.region === region)!.dbClusterId;
  }

  private engineVersion(): string {
    return this.lab.region(this.lab.regionNames()[0]).pg.binaries.version;
  }

  /**
   * A secondary is in sync while its PostgreSQL runs as a standby with a streaming WAL receiver; where every region
   * writes (data-active-active), while its subscription to the other region's changes runs and receives them.
   */
  private async streaming(region: string): Promise<boolean> {
    const pg = this.lab.region(region).pg;
    if (!pg.running || this.rebooting.has(region)) return false;
    try {
      if (this.lab.strategy.database === 'logical') {
        const [{ receiving }] = await pg.query<{ receiving: boolean }>(
          'SELECT count(*) > 0 AS receiving FROM pg_stat_subscription ' +
            'WHERE pid IS NOT NULL AND received_lsn IS NOT NULL',
        );
        return receiving;
      }
      const replication = await pg.replication();
      return replication.role === 'standby' && replication.receiverStatus === 'streaming';
    } catch {
      return false;
    }
  }
}

function tagList(tags: Record<string, string>): Array<{ Key: string; Value: string }> {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** DNS names without the root dot, as endpoints are written. */
function dnsName(name: string): string {
  return name.replace(/\.$/, '');
}
