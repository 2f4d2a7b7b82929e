import path from 'node:path';
import type { Client, QueryResultRow } from 'pg';
import { findPgBinaries, type PgBinaries } from './binaries';
import type { PgSettings, PgUpstream } from './config';
import { connectPg, directConnection, queryPg, type PgConnectionConfig } from './connection';
import { PgDataDir } from './data-dir';
import {
  cloneStandby,
  createReplicationSlot,
  promoteStandby,
  rebuildStandby,
  repointStandby,
  type PgReplicationMember,
} from './replication';
import {
  readReplicationStatus,
  readRole,
  waitForStreaming,
  type PgReplicationStatus,
  type PgRole,
} from './replication-status';
import { PgStateError } from './errors';
import { PgServerLog } from './server-log';
import { PgServerProcess } from './server-process';
import type { PgStopMode } from './stop-mode';
import { pgOsUser, type PgOsUser } from './user';

export interface PgNodeOptions {
  /** The region this node serves, e.g. `us-east-1`; the standby's application_name. */
  name: string;
  /** Loopback address of the region, e.g. `127.0.0.2`. */
  host: string;
  port: number;
  dataDir: string;
  binaries?: PgBinaries;
  osUser?: PgOsUser;
  /** Overrides of the lab settings, applied by initPrimary (standbys inherit them by copy). */
  settings?: PgSettings;
  /** Directory of initdb templates, or false to always run initdb. Default: see defaultTemplateCacheDir. */
  templateCache?: string | false;
  /** Arguments to initdb beyond the lab's (a smaller WAL segment for a WAL archive). */
  initdbArgs?: readonly string[];
  /** Settings of this node alone (its archive_command), kept through every rewrite of its own config file. */
  nodeSettings?: PgSettings;
  /** Append the server log here as well as keeping the last lines in memory. */
  logFile?: string;
  onLog?: (line: string) => void;
  /**
   * Own process group, not stopped when this Node process exits: for a lab that must outlive
   * the command that started it. Default false: a Ctrl-C or our exit takes the server down
   * with us, so nothing is orphaned.
   */
  detached?: boolean;
}

/**
 * One PostgreSQL server of the lab, in one region: its postmaster (server-process.ts), its
 * data directory (data-dir.ts) and its part in replication (replication*.ts) behind one
 * object, so callers never assemble the parts themselves.
 */
export class PgNode {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly binaries: PgBinaries;
  readonly osUser: PgOsUser;

  private readonly log: PgServerLog;
  private readonly parts: PgReplicationMember;

  constructor(options: PgNodeOptions) {
    this.name = options.name;
    this.host = options.host;
    this.port = options.port;
    this.dataDir = path.resolve(options.dataDir);
    this.binaries = options.binaries ?? findPgBinaries();
    this.osUser = options.osUser ?? pgOsUser();

    const { name, host, port, dataDir, binaries, osUser } = this;
    const connection = directConnection(host, port);
    this.log = new PgServerLog({ file: options.logFile, detached: options.detached, onLog: options.onLog });
    this.parts = {
      name,
      connection,
      server: new PgServerProcess({
        name,
        dataDir,
        binaries,
        osUser,
        connection,
        log: this.log,
        logFile: options.logFile,
        detached: options.detached,
      }),
      data: new PgDataDir({
        name,
        host,
        port,
        path: dataDir,
        binaries,
        osUser,
        settings: options.settings,
        templateCache: options.templateCache,
        initdbArgs: options.initdbArgs,
        nodeSettings: options.nodeSettings,
        log: this.log,
      }),
    };
  }

  /** The postmaster's pid while it runs; persist it so another process can clean up orphans. */
  get pid(): number | undefined {
    return this.parts.server.pid;
  }

  get running(): boolean {
    return this.parts.server.running;
  }

  /** Where clients connect (directly, not through any proxy). */
  get connection(): PgConnectionConfig {
    return directConnection(this.host, this.port);
  }

  /** The last lines the server logged: the reason behind most failures. */
  logTail(lines?: number): string {
    return this.log.tail(lines);
  }

  /**
   * Create this node's data directory as a new primary: from the template cache when one
   * matches, otherwise by initdb (then saved as the template). Returns which it was.
   */
  async initPrimary(): Promise<{ fromTemplate: boolean }> {
    return this.parts.data.initPrimary();
  }

  /**
   * Make this node a standby by copying a cleanly shut-down primary's data directory (for
   * example one just created by initPrimary and not yet started).
   */
  async cloneStandbyFrom(stoppedPrimary: PgNode, upstream: PgUpstream): Promise<void> {
    return cloneStandby(this.parts, stoppedPrimary.parts, upstream);
  }

  /**
   * Replace this (stopped) node's data with a hot base backup of a running primary, and make
   * it that primary's standby: how an old primary rejoins after a failover.
   */
  async rebuildStandbyFrom(runningPrimary: PgNode, upstream: PgUpstream): Promise<void> {
    return rebuildStandby(this.parts, runningPrimary.parts, upstream);
  }

  /**
   * A base backup of this running server into `targetDir`, done once every WAL segment it needs is archived; see
   * PgDataDir.baseBackupInto.
   */
  async baseBackupInto(targetDir: string, label: string): Promise<{ stopWalFile: string }> {
    if (!this.running) throw new PgStateError(this.name, 'is not running; a base backup needs a running server');
    return this.parts.data.baseBackupInto({ dataDir: this.dataDir, connection: this.connection }, targetDir, label);
  }

  /** Replace this stopped node's data with a base backup, to recover from a WAL archive when started. */
  async restoreFromBackup(baseDir: string, archiveDir: string): Promise<void> {
    this.parts.server.assertStopped('restoreFromBackup');
    return this.parts.data.restoreFrom(baseDir, archiveDir);
  }

  /**
   * Start the postmaster and resolve once it accepts connections (a standby: once consistent). Default timeout 30 s.
   */
  async start(timeoutMs?: number): Promise<void> {
    return this.parts.server.start(timeoutMs);
  }

  /** Stop the postmaster (default `fast`) and resolve when it has exited, escalating if it hangs. */
  async stop(mode?: PgStopMode, timeoutMs?: number): Promise<void> {
    return this.parts.server.stop(mode, timeoutMs);
  }

  /** Promote a standby and wait until it accepts writes. */
  async promote(timeoutSeconds?: number): Promise<void> {
    return promoteStandby(this.parts, timeoutSeconds);
  }

  /** Point this standby at another upstream (a new primary, or a fault proxy in front of one). */
  async setPrimaryConninfo(
    host: string,
    port: number,
    options: { slotName?: string; restart?: boolean } = {},
  ): Promise<void> {
    return repointStandby(this.parts, { host, port, slotName: options.slotName }, { restart: options.restart });
  }

  async role(): Promise<PgRole> {
    return readRole(this.parts.connection);
  }

  /** Replication as this node sees it: its standbys if primary, its receiver and replay if standby. */
  async replication(): Promise<PgReplicationStatus> {
    return readReplicationStatus(this.parts.connection);
  }

  /**
   * Wait until replication streams: on a primary, until a standby (the named one, if given)
   * is in state `streaming`; on a standby, until its WAL receiver is streaming.
   */
  async waitStreaming(timeoutMs?: number, applicationName?: string): Promise<PgReplicationStatus> {
    return waitForStreaming(this.parts, timeoutMs, applicationName);
  }

  /** A physical slot on this primary, so it keeps WAL for a standby however long it is away. */
  async createReplicationSlot(slotName: string): Promise<void> {
    return createReplicationSlot(this.parts.connection, slotName);
  }

  /** A connected client (direct, as the superuser); the caller ends it. */
  async connect(connectTimeoutMs?: number, queryTimeoutMs?: number): Promise<Client> {
    return connectPg(this.parts.connection, connectTimeoutMs, queryTimeoutMs);
  }

  /** One statement on a fresh connection. */
  async query<R extends QueryResultRow = QueryResultRow>(
    sql: string,
    params?: unknown[],
    timeoutMs?: number,
  ): Promise<R[]> {
    return queryPg<R>(this.parts.connection, sql, params, timeoutMs);
  }
}
