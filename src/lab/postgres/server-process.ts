import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pgProcessEnv, type PgBinaries } from './binaries';
import { queryPg, type PgConnectionConfig } from './connection';
import { PgProcessError, PgStateError, PgTimeoutError } from './errors';
import type { PgServerLog } from './server-log';
import { stopSignals, type PgStopMode } from './stop-mode';
import { spawnIdentity, type PgOsUser } from './user';

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

export interface PgServerProcessOptions {
  /** The node's name, for errors. */
  name: string;
  dataDir: string;
  binaries: PgBinaries;
  osUser: PgOsUser;
  /** Where readiness is checked. */
  connection: PgConnectionConfig;
  log: PgServerLog;
  logFile?: string;
  /** Own process group, outliving this Node process (see PgNodeOptions.detached). */
  detached?: boolean;
}

/**
 * A node's postmaster. It is our direct child (`postgres -D dir`, no pg_ctl), so we know
 * its pid, see it exit, and can signal it.
 */
export class PgServerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;

  constructor(private readonly options: PgServerProcessOptions) {}

  /** The postmaster's pid while it runs; persist it so another process can clean up orphans. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  assertStopped(operation: string): void {
    if (this.running)
      throw new PgStateError(this.options.name, `${operation} needs the server stopped (pid ${this.pid})`);
  }

  /** Start the postmaster and resolve once it accepts connections (a standby: once consistent). */
  async start(timeoutMs = 30_000): Promise<void> {
    this.assertStopped('start');
    const { name, dataDir, binaries, osUser, log } = this.options;
    const detached = this.options.detached ?? false;
    // A detached server must not hold pipes to us (they would keep this process alive and
    // break when we exit), so it logs straight into the file.
    const logFd = detached ? fs.openSync(this.options.logFile ?? '/dev/null', 'a') : undefined;
    const child = spawn(binaries.postgres, ['-D', dataDir], {
      cwd: path.dirname(dataDir),
      env: pgProcessEnv(binaries),
      stdio: logFd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', logFd, logFd],
      detached,
      ...spawnIdentity(osUser),
    });
    if (logFd !== undefined) fs.closeSync(logFd);
    this.child = child;
    let exitDescription = '';
    this.exited = new Promise<void>((resolve) => {
      const gone = (description: string) => {
        if (exitDescription) return;
        exitDescription = description;
        if (this.child === child) this.child = undefined;
        resolve();
      };
      child.once('exit', (code, signal) => gone(signal ? `signal ${signal}` : `exit code ${code}`));
      // A spawn that failed outright (missing binary, bad uid) may never emit 'exit'.
      child.once('error', (error) => {
        log.record(`spawn error: ${error.message}`);
        if (child.pid === undefined) gone(`spawn failed: ${error.message}`);
      });
    });
    log.capture(child, { toFile: true });
    if (detached) child.unref();
    else trackAttached(child);

    const deadline = Date.now() + timeoutMs;
    let lastError = '';
    for (;;) {
      if (this.child !== child) {
        await this.exited;
        throw new PgProcessError(name, `postgres exited during startup (${exitDescription})`, log.tail());
      }
      try {
        await queryPg(this.options.connection, 'SELECT 1', [], 1_000);
        return;
      } catch (error) {
        lastError = (error as Error).message;
      }
      if (Date.now() > deadline) {
        await this.stop('immediate');
        throw new PgTimeoutError(name, 'the server to accept connections', timeoutMs, `${lastError}\n${log.tail()}`);
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
      this.options.log.record(`gameday: no exit ${timeoutMs} ms after ${signal}; escalating`);
    }
    await exited;
  }
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
