import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pgProcessEnv, type PgBinaries } from './binaries';
import { initdbArgs, labConf, labHbaConf, nodeConf, nodeConfFile, type PgSettings, type PgUpstream } from './config';
import { connectPg, type PgConnectionConfig } from './connection';
import { copyDataDir } from './copy';
import { PgProcessError, PgStateError } from './errors';
import type { PgServerLog } from './server-log';
import { defaultTemplateCacheDir, restoreTemplate, saveTemplate, templateKey } from './template';
import { chownTree, makeDataDir, spawnIdentity, untraversableAncestor, type PgOsUser } from './user';

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

export interface PgDataDirOptions {
  /** The node's name, host and port: its own config file names them. */
  name: string;
  host: string;
  port: number;
  path: string;
  binaries: PgBinaries;
  osUser: PgOsUser;
  /** Overrides of the lab settings, applied by initPrimary (standbys inherit them by copy). */
  settings?: PgSettings;
  /** Directory of initdb templates, or false to always run initdb. Default: see defaultTemplateCacheDir. */
  templateCache?: string | false;
  /** Arguments to initdb beyond the lab's (a smaller WAL segment for a WAL archive). */
  initdbArgs?: readonly string[];
  /** Settings of this node alone, kept through every rewrite of its own config file. */
  nodeSettings?: PgSettings;
  log: PgServerLog;
}

/** A running server whose data directory can be copied inside a backup. */
export interface PgBackupSource {
  dataDir: string;
  connection: PgConnectionConfig;
}

/** One node's data directory. Its server must be stopped while the directory is made or replaced. */
export class PgDataDir {
  readonly path: string;

  constructor(private readonly options: PgDataDirOptions) {
    this.path = options.path;
  }

  /**
   * Create the directory as a new primary's: from the template cache when one matches,
   * otherwise by initdb (then saved as the template). Returns which it was.
   */
  async initPrimary(): Promise<{ fromTemplate: boolean }> {
    await this.prepareEmpty();
    const conf = labConf(this.options.settings);
    const cacheDir = this.options.templateCache ?? defaultTemplateCacheDir();
    const key = templateKey(this.options.binaries, [
      ...initdbArgs('<dir>', this.options.initdbArgs),
      conf,
      labHbaConf,
      ...slimTemplateSql,
    ]);
    const osUser = this.options.osUser;
    const owner = osUser.switched ? osUser : undefined;

    if (cacheDir) {
      await fs.promises.rmdir(this.path);
      if (await restoreTemplate(cacheDir, key, this.path, owner)) {
        await this.writeNodeConf(undefined);
        return { fromTemplate: true };
      }
      await makeDataDir(this.path, osUser);
    }

    await this.runInitdb();
    await fs.promises.appendFile(path.join(this.path, 'postgresql.conf'), conf);
    await this.writeOwnedFile('pg_hba.conf', labHbaConf);
    await this.runSingleUser(slimTemplateSql);
    // Saved before the node-specific file is written, so the template fits any node.
    if (cacheDir) await saveTemplate(cacheDir, key, this.path);
    await this.writeNodeConf(undefined);
    return { fromTemplate: false };
  }

  /**
   * Fill this new directory with a copy of a cleanly shut-down server's. A clean shutdown
   * leaves consistent files, so the copy is a valid base backup without any backup API.
   */
  async copyFromStopped(sourceDataDir: string): Promise<void> {
    await this.prepareEmpty();
    await fs.promises.rmdir(this.path);
    await copyDataDir(sourceDataDir, this.path, { mode: 'cold', owner: this.ownerIfSwitched() });
  }

  /**
   * Replace this directory with a hot base backup of a running server. Uses the
   * non-exclusive low-level API: pg_backup_start and pg_backup_stop on one session, the
   * files copied in between, and the returned label written as backup_label. pg_wal is not
   * copied; a standby streams it from the primary, which keeps enough (wal_keep_size).
   */
  async replaceWithBackupOf(source: PgBackupSource, label: string): Promise<void> {
    // Archiving is off in the lab's streaming nodes, so there is nothing to wait for.
    await this.backupInto(source, this.path, label, false);
  }

  /** The node's own settings file; rewriting it is how a node is re-pointed. `extra` for this rewrite alone. */
  async writeNodeConf(upstream: PgUpstream | undefined, extra: PgSettings = {}): Promise<void> {
    const { name, host, port, nodeSettings } = this.options;
    await this.writeOwnedFile(
      nodeConfFile,
      nodeConf({ name, host, port, upstream, settings: { ...nodeSettings, ...extra } }),
    );
  }

  /**
   * A base backup of a running server into `targetDir` (replaced), for restoring later:
   * the low-level API's pg_backup_start, a copy of the files, then pg_backup_stop waiting
   * until every WAL segment the backup needs is archived (archive_command succeeded), its
   * label written as backup_label. Returns the WAL segment the backup ends in: the backup
   * is usable once the archive holds it.
   */
  async baseBackupInto(source: PgBackupSource, targetDir: string, label: string): Promise<{ stopWalFile: string }> {
    return { stopWalFile: (await this.backupInto(source, targetDir, label, true))! };
  }

  /**
   * The low-level backup both share: pg_backup_start and pg_backup_stop on one session, the
   * files copied in between into a staging directory that replaces `targetDir` only once
   * the label is written. With `waitForArchive`, returns the WAL segment the backup ends in.
   */
  private async backupInto(
    source: PgBackupSource,
    targetDir: string,
    label: string,
    waitForArchive: boolean,
  ): Promise<string | null> {
    const staging = `${targetDir}.backup-${crypto.randomBytes(4).toString('hex')}`;
    const client = await connectPg(source.connection);
    let stopWalFile: string | null = null;
    try {
      await client.query('SELECT pg_backup_start($1, true)', [label]);
      await copyDataDir(source.dataDir, staging, { mode: 'hot', owner: this.ownerIfSwitched() });
      const stopped = await client.query<{ labelfile: string; spcmapfile: string | null; wal: string | null }>(
        waitForArchive
          ? 'SELECT labelfile, spcmapfile, pg_walfile_name(lsn) AS wal FROM pg_backup_stop(true)'
          : 'SELECT labelfile, spcmapfile, NULL AS wal FROM pg_backup_stop(false)',
      );
      const { labelfile, spcmapfile, wal } = stopped.rows[0];
      stopWalFile = wal;
      await this.writeOwnedFile('backup_label', labelfile, staging);
      if (spcmapfile) await this.writeOwnedFile('tablespace_map', spcmapfile, staging);
    } catch (error) {
      await removeDataDir(staging);
      throw error;
    } finally {
      // Ending the session also aborts a backup left open by an error.
      await client.end().catch(() => undefined);
    }
    await removeDataDir(targetDir);
    await fs.promises.rename(staging, targetDir);
    return stopWalFile;
  }

  /**
   * This (stopped) node's data replaced by a copy of a base backup, set to recover from a
   * WAL archive: standby.signal, and restore_command fetching each segment from
   * `archiveDir`. Started, it replays the base backup and every archived segment, then
   * waits for more until promoted.
   */
  async restoreFrom(baseDir: string, archiveDir: string): Promise<void> {
    const staging = `${this.path}.restore-${crypto.randomBytes(4).toString('hex')}`;
    await copyDataDir(baseDir, staging, { mode: 'cold', owner: this.ownerIfSwitched() });
    await removeDataDir(this.path);
    await fs.promises.rename(staging, this.path);
    await this.writeOwnedFile('standby.signal', '');
    await this.writeNodeConf(undefined, {
      restore_command: `cp '${archiveDir.replace(/'/g, '')}/%f' '%p'`,
      recovery_target_timeline: 'latest',
    });
  }

  /** Owned by the PostgreSQL account: as root we write files that only it must read. */
  async writeOwnedFile(name: string, content: string, dir = this.path): Promise<void> {
    const file = path.join(dir, name);
    await fs.promises.writeFile(file, content, { mode: 0o600 });
    const osUser = this.options.osUser;
    if (osUser.switched) await fs.promises.chown(file, osUser.uid, osUser.gid);
  }

  private ownerIfSwitched(): { uid: number; gid: number } | undefined {
    const osUser = this.options.osUser;
    return osUser.switched ? { uid: osUser.uid, gid: osUser.gid } : undefined;
  }

  /** A new, empty, correctly owned data directory; refuses to clobber an existing cluster. */
  private async prepareEmpty(): Promise<void> {
    const { name, osUser } = this.options;
    const blocked = untraversableAncestor(this.path, osUser);
    if (blocked) {
      throw new PgStateError(
        name,
        `${blocked} is not traversable by ${osUser.name}; put data directories under a 0755 ` +
          `directory (see makeLabTempDir)`,
      );
    }
    const existing = await fs.promises.readdir(this.path).catch(() => undefined);
    if (existing && existing.length > 0) throw new PgStateError(name, `data directory ${this.path} is not empty`);
    await makeDataDir(this.path, osUser);
  }

  private async runInitdb(): Promise<void> {
    const { binaries, osUser, log } = this.options;
    const child = spawn(binaries.initdb, initdbArgs(this.path, this.options.initdbArgs), {
      cwd: path.dirname(this.path),
      env: pgProcessEnv(binaries),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...spawnIdentity(osUser),
    });
    log.capture(child);
    const [code, signal] = await exitOf(child);
    if (code !== 0)
      throw new PgProcessError(
        this.options.name,
        `initdb failed (${signal ? `signal ${signal}` : `exit code ${code}`})`,
        log.tail(),
      );
    // initdb created files as the PostgreSQL account already; our later edits keep that owner.
    await chownTree(this.path, osUser);
  }

  /**
   * Statements run by a single-user backend (no postmaster, no network), which leaves the
   * cluster cleanly shut down again, so the directory stays a valid cold-copy source.
   */
  private async runSingleUser(statements: readonly string[]): Promise<void> {
    const { binaries, osUser, log } = this.options;
    const child = spawn(binaries.postgres, ['--single', '-D', this.path, '-F', '-c', 'exit_on_error=on', 'postgres'], {
      cwd: path.dirname(this.path),
      env: pgProcessEnv(binaries),
      stdio: ['pipe', 'pipe', 'pipe'],
      ...spawnIdentity(osUser),
    });
    log.capture(child);
    child.stdin?.end(statements.map((statement) => `${statement}\n`).join(''));
    const [code, signal] = await exitOf(child);
    if (code !== 0)
      throw new PgProcessError(
        this.options.name,
        `single-user postgres failed (${signal ? `signal ${signal}` : `exit code ${code}`})`,
        log.tail(),
      );
  }
}

/** Remove a data directory and everything in it; a missing one is fine. */
export function removeDataDir(dataDir: string): Promise<void> {
  return fs.promises.rm(dataDir, { recursive: true, force: true });
}

function exitOf(child: ChildProcess): Promise<[number | null, NodeJS.Signals | null]> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
}
