import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, type QueryResultRow } from 'pg';
import { findPgBinaries, pgProcessEnv, type PgBinaries } from './binaries';
import { initdbArgs, labConf, labHbaConf, nodeConf, nodeConfFile, pgSuperuser, type PgSettings, type PgUpstream } from './config';
import { copyDataDir } from './copy';
import { PgProcessError, PgStateError, PgTimeoutError } from './errors';
import { defaultTemplateCacheDir, restoreTemplate, saveTemplate, templateKey } from './template';
import { readPostmasterPid } from './postmaster';
import { stopSignals, type PgStopMode } from './stop-mode';
import { chownTree, makeDataDir, makeLabTempDir, pgOsUser, spawnIdentity, untraversableAncestor, type PgOsUser } from './user';

export type PgRole = 'primary' | 'standby';

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

export interface PgConnectionConfig {
  host: string;
  port: number;
  user: string;
  database: string;
}

/** One standby as the primary sees it (pg_stat_replication). Lags in bytes of WAL and in ms. */
export interface PgStandbyStatus {
  applicationName: string;
  clientAddr: string | null;
  state: string;
  syncState: string;
  sentLagBytes: number | null;
  replayLagBytes: number | null;
  writeLagMs: number | null;
  flushLagMs: number | null;
  replayLagMs: number | null;
}

export interface PgPrimaryReplication {
  role: 'primary';
  currentLsn: string;
  standbys: PgStandbyStatus[];
}

export interface PgStandbyReplication {
  role: 'standby';
  receiveLsn: string | null;
  replayLsn: string | null;
  /** WAL received but not yet replayed. */
  replayLagBytes: number | null;
  /**
   * now() − the commit time of the last replayed transaction. Grows while the primary is
   * idle, so it is an upper bound on staleness, not a measure of lag by itself.
   */
  replayDelayMs: number | null;
  /** pg_stat_wal_receiver.status: `streaming` when connected; null when no receiver runs. */
  receiverStatus: string | null;
  upstreamHost: string | null;
  upstreamPort: number | null;
}

export type PgReplicationStatus = PgPrimaryReplication | PgStandbyReplication;

const logLinesKept = 200;

/**
 * Creating files is the dominant cost of copying a data directory (about 1 ms per inode on
 * some VM disks), and every standby, template restore and rebuild copies one. template0
 * is a third of a fresh cluster's ~1000 files and only serves CREATE DATABASE ... TEMPLATE
 * template0 (restoring dumps with another encoding), which a lab never does, so it goes.
 * template1 stays: plain CREATE DATABASE copies it.
 */
const slimTemplateSql = [
  "UPDATE pg_database SET datistemplate = false WHERE datname = 'template0'",
  'DROP DATABASE template0',
];
const pollIntervalMs = 25;

/**
 * Postmasters this process started, stopped immediately if we exit without stopping them
 * (a crashed test, an uncaught error), so a failed run never leaves servers behind.
 * Detached nodes are deliberately left out.
 */
const attachedPostmasters = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackAttached(child: ChildProcess): void {
  attachedPostmasters.add(child);
  child.once('exit', () => attachedPostmasters.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const postmaster of attachedPostmasters) {
      try {
        postmaster.kill('SIGQUIT');
      } catch {
        // Already gone.
      }
    }
  });
}

/**
 * One PostgreSQL server of the lab, in one region. The postmaster is our direct child
 * (`postgres -D dir`, no pg_ctl), so we know its pid, see it exit, and can signal it.
 */
export class PgNode {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly binaries: PgBinaries;
  readonly osUser: PgOsUser;

  private readonly options: PgNodeOptions;
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private upstream: PgUpstream | undefined;
  private readonly logLines: string[] = [];
  private logStream: fs.WriteStream | undefined;

  constructor(options: PgNodeOptions) {
    this.options = options;
    this.name = options.name;
    this.host = options.host;
    this.port = options.port;
    this.dataDir = path.resolve(options.dataDir);
    this.binaries = options.binaries ?? findPgBinaries();
    this.osUser = options.osUser ?? pgOsUser();
  }

  /** The postmaster's pid while it runs; persist it so another process can clean up orphans. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Where clients connect (directly, not through any proxy). */
  get connection(): PgConnectionConfig {
    return { host: this.host, port: this.port, user: pgSuperuser, database: 'postgres' };
  }

  /** The last lines the server logged: the reason behind most failures. */
  logTail(lines = 30): string {
    if (this.options.detached && this.options.logFile) {
      const text = fs.readFileSync(this.options.logFile, 'utf8');
      return text.trimEnd().split('\n').slice(-lines).join('\n');
    }
    return this.logLines.slice(-lines).join('\n');
  }

  /**
   * Create this node's data directory as a new primary: from the template cache when one
   * matches, otherwise by initdb (then saved as the template). Returns which it was.
   */
  async initPrimary(): Promise<{ fromTemplate: boolean }> {
    await this.prepareEmptyDataDir();
    const conf = labConf(this.options.settings);
    const cacheDir = this.options.templateCache ?? defaultTemplateCacheDir();
    const key = templateKey(this.binaries, [...initdbArgs('<dir>'), conf, labHbaConf, ...slimTemplateSql]);
    const owner = this.osUser.switched ? this.osUser : undefined;

    if (cacheDir) {
      await fs.promises.rmdir(this.dataDir);
      if (await restoreTemplate(cacheDir, key, this.dataDir, owner)) {
        await this.writeNodeConf(undefined);
        return { fromTemplate: true };
      }
      await makeDataDir(this.dataDir, this.osUser);
    }

    await this.runInitdb();
    await fs.promises.appendFile(path.join(this.dataDir, 'postgresql.conf'), conf);
    await this.writeOwnedFile('pg_hba.conf', labHbaConf);
    await this.runSingleUser(slimTemplateSql);
    // Saved before the node-specific file is written, so the template fits any node.
    if (cacheDir) await saveTemplate(cacheDir, key, this.dataDir);
    await this.writeNodeConf(undefined);
    return { fromTemplate: false };
  }

  /**
   * Make this node a standby by copying a cleanly shut-down primary's data directory (for
   * example one just created by initPrimary and not yet started). A clean shutdown leaves
   * consistent files, so the copy is a valid base backup without any backup API.
   */
  async cloneStandbyFrom(stoppedPrimary: PgNode, upstream: PgUpstream): Promise<void> {
    if (stoppedPrimary.running || readPostmasterPid(stoppedPrimary.dataDir) !== undefined) {
      throw new PgStateError(stoppedPrimary.name, 'is running; a cold copy needs it cleanly shut down (or use rebuildStandbyFrom)');
    }
    this.assertStopped('cloneStandbyFrom');
    await this.prepareEmptyDataDir();
    await fs.promises.rmdir(this.dataDir);
    await copyDataDir(stoppedPrimary.dataDir, this.dataDir, { mode: 'cold', owner: this.ownerIfSwitched() });
    await this.becomeStandby(upstream);
  }

  /**
   * Replace this (stopped) node's data with a hot base backup of a running primary, and make
   * it that primary's standby: how an old primary rejoins after a failover. Uses the
   * non-exclusive low-level API: pg_backup_start and pg_backup_stop on one session, the files
   * copied in between, and the returned label written as backup_label. pg_wal is not copied;
   * the standby streams it from the primary, which keeps enough (wal_keep_size).
   */
  async rebuildStandbyFrom(runningPrimary: PgNode, upstream: PgUpstream): Promise<void> {
    this.assertStopped('rebuildStandbyFrom');
    if (!runningPrimary.running) throw new PgStateError(runningPrimary.name, 'is not running; rebuildStandbyFrom needs a running primary');

    const staging = `${this.dataDir}.rebuild-${crypto.randomBytes(4).toString('hex')}`;
    const client = await runningPrimary.connect();
    try {
      await client.query('SELECT pg_backup_start($1, true)', [`gameday rebuild of ${this.name}`]);
      await copyDataDir(runningPrimary.dataDir, staging, { mode: 'hot', owner: this.ownerIfSwitched() });
      // Archiving is off in the lab, so there is nothing to wait for.
      const stopped = await client.query<{ labelfile: string; spcmapfile: string | null }>(
        'SELECT labelfile, spcmapfile FROM pg_backup_stop(false)',
      );
      const { labelfile, spcmapfile } = stopped.rows[0];
      await this.writeOwnedFile('backup_label', labelfile, staging);
      if (spcmapfile) await this.writeOwnedFile('tablespace_map', spcmapfile, staging);
    } catch (error) {
      await fs.promises.rm(staging, { recursive: true, force: true });
      throw error;
    } finally {
      // Ending the session also aborts a backup left open by an error.
      await client.end().catch(() => undefined);
    }

    await fs.promises.rm(this.dataDir, { recursive: true, force: true });
    await fs.promises.rename(staging, this.dataDir);
    await this.becomeStandby(upstream);
  }

  /** Start the postmaster and resolve once it accepts connections (a standby: once consistent). */
  async start(timeoutMs = 30_000): Promise<void> {
    this.assertStopped('start');
    const detached = this.options.detached ?? false;
    // A detached server must not hold pipes to us (they would keep this process alive and
    // break when we exit), so it logs straight into the file.
    const logFd = detached ? fs.openSync(this.options.logFile ?? '/dev/null', 'a') : undefined;
    this.logStream = !detached && this.options.logFile ? fs.createWriteStream(this.options.logFile, { flags: 'a' }) : undefined;
    const child = spawn(this.binaries.postgres, ['-D', this.dataDir], {
      cwd: path.dirname(this.dataDir),
      env: pgProcessEnv(this.binaries),
      stdio: logFd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', logFd, logFd],
      detached,
      ...spawnIdentity(this.osUser),
    });
    if (logFd !== undefined) fs.closeSync(logFd);
    this.child = child;
    let exitDescription = '';
    this.exited = new Promise<void>((resolve) => {
      const gone = (description: string) => {
        if (exitDescription) return;
        exitDescription = description;
        if (this.child === child) this.child = undefined;
        this.logStream?.end();
        resolve();
      };
      child.once('exit', (code, signal) => gone(signal ? `signal ${signal}` : `exit code ${code}`));
      // A spawn that failed outright (missing binary, bad uid) may never emit 'exit'.
      child.once('error', (error) => {
        this.recordLog(`spawn error: ${error.message}`);
        if (child.pid === undefined) gone(`spawn failed: ${error.message}`);
      });
    });
    this.captureLog(child);
    if (detached) child.unref();
    else trackAttached(child);

    const deadline = Date.now() + timeoutMs;
    let lastError = '';
    for (;;) {
      if (this.child !== child) {
        await this.exited;
        throw new PgProcessError(this.name, `postgres exited during startup (${exitDescription})`, this.logTail());
      }
      try {
        await this.query('SELECT 1', [], 1_000);
        return;
      } catch (error) {
        lastError = (error as Error).message;
      }
      if (Date.now() > deadline) {
        await this.stop('immediate');
        throw new PgTimeoutError(this.name, 'the server to accept connections', timeoutMs, `${lastError}\n${this.logTail()}`);
      }
      await delay(pollIntervalMs);
    }
  }

  /**
   * Stop the postmaster and resolve when it has exited. A shutdown that hangs (a fast stop
   * waiting on a walsender behind a blackholed link) escalates to immediate, then SIGKILL.
   */
  async stop(mode: PgStopMode = 'fast', timeoutMs = 15_000): Promise<void> {
    const child = this.child;
    const exited = this.exited;
    if (!child || !exited) return;
    for (const signal of stopSignals(mode)) {
      try {
        child.kill(signal);
      } catch {
        // Exited between the check and the signal.
      }
      if (await settlesWithin(exited, timeoutMs)) return;
      this.recordLog(`gameday: no exit ${timeoutMs} ms after ${signal}; escalating`);
    }
    await exited;
  }

  /** Promote a standby and wait until it accepts writes. */
  async promote(timeoutSeconds = 60): Promise<void> {
    const rows = await this.query<{ promoted: boolean }>('SELECT pg_promote(true, $1) AS promoted', [timeoutSeconds], (timeoutSeconds + 5) * 1000);
    if (!rows[0]?.promoted) throw new PgTimeoutError(this.name, 'promotion', timeoutSeconds * 1000);
  }

  /**
   * Point this standby at another upstream (a new primary, or a fault proxy in front of one).
   * primary_conninfo is reloadable, so a running standby only needs a reload, which restarts
   * its WAL receiver; `restart: true` restarts the whole server instead.
   */
  async setPrimaryConninfo(host: string, port: number, options: { slotName?: string; restart?: boolean } = {}): Promise<void> {
    await this.writeNodeConf({ host, port, slotName: options.slotName });
    if (!this.running) return;
    if (options.restart) {
      await this.stop('fast');
      await this.start();
    } else {
      await this.query('SELECT pg_reload_conf()');
    }
  }

  async role(): Promise<PgRole> {
    const rows = await this.query<{ in_recovery: boolean }>('SELECT pg_is_in_recovery() AS in_recovery');
    return rows[0].in_recovery ? 'standby' : 'primary';
  }

  /** Replication as this node sees it: its standbys if primary, its receiver and replay if standby. */
  async replication(): Promise<PgReplicationStatus> {
    const client = await this.connect();
    try {
      const recovery = await client.query<{ in_recovery: boolean }>('SELECT pg_is_in_recovery() AS in_recovery');
      if (!recovery.rows[0].in_recovery) {
        const lsn = await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
        const standbys = await client.query<PgStandbyRow>(primaryReplicationSql);
        return { role: 'primary', currentLsn: lsn.rows[0].lsn, standbys: standbys.rows.map(standbyStatus) };
      }
      const standby = await client.query<PgReceiverRow>(standbyReplicationSql);
      const row = standby.rows[0];
      return {
        role: 'standby',
        receiveLsn: row.receive_lsn,
        replayLsn: row.replay_lsn,
        replayLagBytes: row.replay_lag_bytes,
        replayDelayMs: row.replay_delay_ms,
        receiverStatus: row.receiver_status,
        upstreamHost: row.sender_host,
        upstreamPort: row.sender_port,
      };
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /**
   * Wait until replication streams: on a primary, until a standby (the named one, if given)
   * is in state `streaming`; on a standby, until its WAL receiver is streaming.
   */
  async waitStreaming(timeoutMs = 30_000, applicationName?: string): Promise<PgReplicationStatus> {
    const deadline = Date.now() + timeoutMs;
    let lastError: string | undefined;
    for (;;) {
      try {
        const status = await this.replication();
        const streaming =
          status.role === 'primary'
            ? status.standbys.some((s) => s.state === 'streaming' && (!applicationName || s.applicationName === applicationName))
            : status.receiverStatus === 'streaming';
        if (streaming) return status;
        lastError = undefined;
      } catch (error) {
        lastError = (error as Error).message;
      }
      if (Date.now() > deadline) throw new PgTimeoutError(this.name, `streaming replication${applicationName ? ` of ${applicationName}` : ''}`, timeoutMs, lastError);
      await delay(pollIntervalMs * 2);
    }
  }

  /** A physical slot on this primary, so it keeps WAL for a standby however long it is away. */
  async createReplicationSlot(slotName: string): Promise<void> {
    await this.query(
      'SELECT pg_create_physical_replication_slot($1, true) WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)',
      [slotName],
    );
  }

  /** A connected client (direct, as the superuser); the caller ends it. */
  async connect(connectTimeoutMs = 2_000, queryTimeoutMs?: number): Promise<Client> {
    const client = new Client({ ...this.connection, connectionTimeoutMillis: connectTimeoutMs, query_timeout: queryTimeoutMs });
    // A server stopped under an idle client emits 'error'; without a listener that would crash us.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }

  /** One statement on a fresh connection. */
  async query<R extends QueryResultRow = QueryResultRow>(sql: string, params: unknown[] = [], timeoutMs = 10_000): Promise<R[]> {
    const client = await this.connect(Math.min(timeoutMs, 2_000), timeoutMs);
    try {
      const result = await client.query<R>(sql, params);
      return result.rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private assertStopped(operation: string): void {
    if (this.running) throw new PgStateError(this.name, `${operation} needs the server stopped (pid ${this.pid})`);
  }

  private ownerIfSwitched(): { uid: number; gid: number } | undefined {
    return this.osUser.switched ? { uid: this.osUser.uid, gid: this.osUser.gid } : undefined;
  }

  /** A new, empty, correctly owned data directory; refuses to clobber an existing cluster. */
  private async prepareEmptyDataDir(): Promise<void> {
    const blocked = untraversableAncestor(this.dataDir, this.osUser);
    if (blocked) {
      throw new PgStateError(this.name, `${blocked} is not traversable by ${this.osUser.name}; put data directories under a 0755 directory (see makeLabTempDir)`);
    }
    const existing = await fs.promises.readdir(this.dataDir).catch(() => undefined);
    if (existing && existing.length > 0) throw new PgStateError(this.name, `data directory ${this.dataDir} is not empty`);
    await makeDataDir(this.dataDir, this.osUser);
  }

  private async becomeStandby(upstream: PgUpstream): Promise<void> {
    await this.writeOwnedFile('standby.signal', '');
    await this.writeNodeConf(upstream);
  }

  private async writeNodeConf(upstream: PgUpstream | undefined): Promise<void> {
    this.upstream = upstream;
    await this.writeOwnedFile(nodeConfFile, nodeConf({ name: this.name, host: this.host, port: this.port, upstream: this.upstream }));
  }

  private async writeOwnedFile(name: string, content: string, dir = this.dataDir): Promise<void> {
    const file = path.join(dir, name);
    await fs.promises.writeFile(file, content, { mode: 0o600 });
    if (this.osUser.switched) await fs.promises.chown(file, this.osUser.uid, this.osUser.gid);
  }

  private async runInitdb(): Promise<void> {
    const child = spawn(this.binaries.initdb, initdbArgs(this.dataDir), {
      cwd: path.dirname(this.dataDir),
      env: pgProcessEnv(this.binaries),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...spawnIdentity(this.osUser),
    });
    this.captureLog(child);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    });
    if (code !== 0) throw new PgProcessError(this.name, `initdb failed (${signal ? `signal ${signal}` : `exit code ${code}`})`, this.logTail());
    // initdb created files as the PostgreSQL account already; our later edits keep that owner.
    await chownTree(this.dataDir, this.osUser);
  }

  /**
   * Statements run by a single-user backend (no postmaster, no network), which leaves the
   * cluster cleanly shut down again, so the directory stays a valid cold-copy source.
   */
  private async runSingleUser(statements: readonly string[]): Promise<void> {
    const child = spawn(this.binaries.postgres, ['--single', '-D', this.dataDir, '-F', '-c', 'exit_on_error=on', 'postgres'], {
      cwd: path.dirname(this.dataDir),
      env: pgProcessEnv(this.binaries),
      stdio: ['pipe', 'pipe', 'pipe'],
      ...spawnIdentity(this.osUser),
    });
    this.captureLog(child);
    child.stdin?.end(statements.map((statement) => `${statement}\n`).join(''));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    });
    if (code !== 0) throw new PgProcessError(this.name, `single-user postgres failed (${signal ? `signal ${signal}` : `exit code ${code}`})`, this.logTail());
  }

  private captureLog(child: ChildProcess): void {
    const onData = (pending: { text: string }) => (chunk: Buffer) => {
      pending.text += chunk.toString('utf8');
      const lines = pending.text.split('\n');
      pending.text = lines.pop() ?? '';
      for (const line of lines) this.recordLog(line);
    };
    child.stdout?.on('data', onData({ text: '' }));
    child.stderr?.on('data', onData({ text: '' }));
  }

  private recordLog(line: string): void {
    this.logLines.push(line);
    if (this.logLines.length > logLinesKept) this.logLines.splice(0, this.logLines.length - logLinesKept);
    this.logStream?.write(`${line}\n`);
    this.options.onLog?.(line);
  }
}

export interface PgClusterNodeSpec {
  name: string;
  host: string;
  port: number;
}

export interface StartPgClusterOptions {
  primary: PgClusterNodeSpec;
  standbys: PgClusterNodeSpec[];
  /** Where data directories go (`<rootDir>/<name>`); a new temp dir, removed by destroy(), when omitted. */
  rootDir?: string;
  /** Where each standby streams from: the lab's replication proxy. Default: the primary itself. */
  upstreamFor?: (standby: PgClusterNodeSpec) => PgUpstream;
  binaries?: PgBinaries;
  osUser?: PgOsUser;
  settings?: PgSettings;
  templateCache?: string | false;
  detached?: boolean;
  onLog?: (node: string, line: string) => void;
  timeoutMs?: number;
}

export interface PgCluster {
  rootDir: string;
  primary: PgNode;
  standbys: PgNode[];
  nodes: PgNode[];
  /** How the primary's data directory was made and how long until every standby streamed. */
  startup: { fromTemplate: boolean; ms: number };
  stop(mode?: PgStopMode): Promise<void>;
  /** Stop every node and remove the data directories (the root too, if we created it). */
  destroy(): Promise<void>;
}

/**
 * A primary and its streaming standbys, the way the lab starts them: initPrimary, copy the
 * never-started primary directory to each standby, start all at once, wait for streaming.
 */
export async function startPgCluster(options: StartPgClusterOptions): Promise<PgCluster> {
  const started = Date.now();
  const ownRoot = options.rootDir === undefined;
  const rootDir = options.rootDir ?? (await makeLabTempDir());
  const binaries = options.binaries ?? findPgBinaries();
  const osUser = options.osUser ?? pgOsUser();
  const makeNode = (spec: PgClusterNodeSpec) =>
    new PgNode({
      ...spec,
      dataDir: path.join(rootDir, spec.name),
      binaries,
      osUser,
      settings: options.settings,
      templateCache: options.templateCache,
      detached: options.detached,
      onLog: options.onLog && ((line) => options.onLog?.(spec.name, line)),
    });
  const primary = makeNode(options.primary);
  const standbys = options.standbys.map(makeNode);
  const nodes = [primary, ...standbys];

  const stop = async (mode: PgStopMode = 'fast') => {
    await Promise.all(nodes.map((node) => node.stop(mode)));
  };
  const destroy = async () => {
    await stop('immediate');
    if (ownRoot) await fs.promises.rm(rootDir, { recursive: true, force: true });
    else await Promise.all(nodes.map((node) => fs.promises.rm(node.dataDir, { recursive: true, force: true })));
  };

  try {
    const { fromTemplate } = await primary.initPrimary();
    await Promise.all(
      standbys.map((standby, i) =>
        standby.cloneStandbyFrom(primary, options.upstreamFor?.(options.standbys[i]) ?? { host: primary.host, port: primary.port }),
      ),
    );
    await Promise.all(nodes.map((node) => node.start(options.timeoutMs)));
    await Promise.all(standbys.map((standby) => primary.waitStreaming(options.timeoutMs, standby.name)));
    return { rootDir, primary, standbys, nodes, startup: { fromTemplate, ms: Date.now() - started }, stop, destroy };
  } catch (error) {
    await destroy();
    throw error;
  }
}

interface PgStandbyRow {
  application_name: string;
  client_addr: string | null;
  state: string;
  sync_state: string;
  sent_lag_bytes: number | null;
  replay_lag_bytes: number | null;
  write_lag_ms: number | null;
  flush_lag_ms: number | null;
  replay_lag_ms: number | null;
}

interface PgReceiverRow {
  receive_lsn: string | null;
  replay_lsn: string | null;
  replay_lag_bytes: number | null;
  replay_delay_ms: number | null;
  receiver_status: string | null;
  sender_host: string | null;
  sender_port: number | null;
}

// float8 casts: pg returns numeric and interval as strings/objects, float8 as JS numbers.
const primaryReplicationSql = `
  SELECT application_name, client_addr::text AS client_addr, state, sync_state,
         pg_wal_lsn_diff(pg_current_wal_lsn(), sent_lsn)::float8 AS sent_lag_bytes,
         pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 AS replay_lag_bytes,
         (extract(epoch FROM write_lag) * 1000)::float8 AS write_lag_ms,
         (extract(epoch FROM flush_lag) * 1000)::float8 AS flush_lag_ms,
         (extract(epoch FROM replay_lag) * 1000)::float8 AS replay_lag_ms
    FROM pg_stat_replication
   ORDER BY application_name`;

const standbyReplicationSql = `
  SELECT pg_last_wal_receive_lsn()::text AS receive_lsn,
         pg_last_wal_replay_lsn()::text AS replay_lsn,
         -- Before anything new arrives, the receive LSN is the segment streaming started from,
         -- which can be behind replay; that is no lag.
         greatest(0, pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()))::float8 AS replay_lag_bytes,
         (extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000)::float8 AS replay_delay_ms,
         receiver.status AS receiver_status, receiver.sender_host, receiver.sender_port
    FROM (SELECT 1) AS one
    LEFT JOIN pg_stat_wal_receiver AS receiver ON true`;

function standbyStatus(row: PgStandbyRow): PgStandbyStatus {
  return {
    applicationName: row.application_name,
    clientAddr: row.client_addr,
    state: row.state,
    syncState: row.sync_state,
    sentLagBytes: row.sent_lag_bytes,
    replayLagBytes: row.replay_lag_bytes,
    writeLagMs: row.write_lag_ms,
    flushLagMs: row.flush_lag_ms,
    replayLagMs: row.replay_lag_ms,
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether `promise` settles within `ms`, without leaving a timer behind either way. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
