import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { nodeEntry } from '../../core/node-entry';
import { parseAppConfig, type AppConfig, type AppConfigInput } from './config';
import type { AppEvent } from './server';

export class AppStartError extends Error {
  override readonly name = 'AppStartError';
  constructor(
    readonly region: string,
    message: string,
    readonly logTail: string,
  ) {
    super(`app ${region}: ${message}${logTail ? `\n--- last output ---\n${logTail}` : ''}`);
  }
}

export interface StartAppOptions {
  /** How long to wait for the app to listen. Default 30 s (a cold ts-node start on a busy CI box is slow). */
  timeoutMs?: number;
  /** Append the app's output here too. */
  logFile?: string;
  onEvent?: (event: AppEvent) => void;
}

export interface AppProcess {
  readonly config: AppConfig;
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  /** `http://host:port` */
  readonly url: string;
  readonly running: boolean;
  /** Resolves when the process has exited, however that happened. */
  readonly exited: Promise<void>;
  /** SIGTERM (graceful: in-flight requests finish), SIGKILL if still running after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL now: a crash, as in a region outage. */
  kill(): Promise<void>;
  /**
   * A fleet (config.capacity) scaled up to its maximum or back down to its start (cluster.ts); resolves with the
   * fleet's own report once every worker listens.
   */
  scale(
    direction: 'up' | 'down',
    timeoutMs: number,
  ): Promise<{ workers: number; fromWorkers: number; ms: number; shed: number }>;
  logTail(lines?: number): string;
}

const outputLinesKept = 200;

/**
 * Spawn one region's app and resolve once it listens. The child gets a stdin pipe it
 * watches, so it exits if we die (no orphan app keeps the port); we also stop it on our
 * normal exit.
 */
export async function startApp(input: AppConfigInput, options: StartAppOptions = {}): Promise<AppProcess> {
  const config = parseAppConfig(input, `startApp(${input.region})`);
  const entry = nodeEntry(path.join(__dirname, 'main'));
  const child = spawn(entry.command, [...entry.args, JSON.stringify(config)], {
    env: { ...process.env, GAMEDAY_APP_EXIT_WITH_PARENT: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  trackAttached(child);

  const lines: string[] = [];
  const eventListeners = new Set<(event: AppEvent) => void>();
  const logStream = options.logFile ? fs.createWriteStream(options.logFile, { flags: 'a' }) : undefined;
  let exitDescription = '';
  let running = true;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      exitDescription = signal ? `signal ${signal}` : `exit code ${code}`;
      logStream?.end();
      resolve();
    });
  });
  const logTail = (count = 30) => lines.slice(-count).join('\n');

  const listening = new Promise<{ host: string; port: number }>((resolve, reject) => {
    const record = (line: string, fromStdout: boolean) => {
      lines.push(line);
      if (lines.length > outputLinesKept) lines.splice(0, lines.length - outputLinesKept);
      logStream?.write(`${line}\n`);
      if (!fromStdout) return;
      const event = parseEvent(line);
      if (!event) return;
      options.onEvent?.(event);
      for (const listener of eventListeners) listener(event);
      if (event.event === 'listening') resolve({ host: event.host, port: event.port });
    };
    splitLines(child.stdout, (line) => record(line, true));
    splitLines(child.stderr, (line) => record(line, false));
    child.once('error', (error) =>
      reject(new AppStartError(config.region, `spawn failed: ${error.message}`, logTail())),
    );
    void exited.then(() =>
      reject(new AppStartError(config.region, `exited before listening (${exitDescription})`, logTail())),
    );
  });

  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AppStartError(config.region, `not listening after ${timeoutMs} ms`, logTail())),
      timeoutMs,
    );
  });

  const signalAndWait = async (signal: NodeJS.Signals, waitMs: number): Promise<boolean> => {
    if (!running) return true;
    try {
      child.kill(signal);
    } catch {
      // Exited in between.
    }
    let waitTimer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<false>((resolve) => {
      waitTimer = setTimeout(() => resolve(false), waitMs);
    });
    const done = await Promise.race([exited.then(() => true), gaveUp]);
    clearTimeout(waitTimer);
    return done;
  };
  const stop = async (stopTimeoutMs = 10_000) => {
    if (!(await signalAndWait('SIGTERM', stopTimeoutMs))) await signalAndWait('SIGKILL', 5_000);
    await exited;
  };
  const kill = async () => {
    await signalAndWait('SIGKILL', 5_000);
    await exited;
  };

  const scale = (direction: 'up' | 'down', scaleTimeoutMs: number) => {
    if (!config.capacity) return Promise.reject(new Error(`app ${config.region} is one process: nothing to scale`));
    return new Promise<{ workers: number; fromWorkers: number; ms: number; shed: number }>((resolve, reject) => {
      const timer = setTimeout(() => {
        eventListeners.delete(listener);
        reject(new Error(`app ${config.region} did not finish scaling ${direction} within ${scaleTimeoutMs} ms`));
      }, scaleTimeoutMs);
      const listener = (event: AppEvent) => {
        if (event.event !== 'scaled') return;
        clearTimeout(timer);
        eventListeners.delete(listener);
        resolve({ workers: event.workers, fromWorkers: event.fromWorkers, ms: event.ms, shed: event.shed });
      };
      eventListeners.add(listener);
      child.kill(direction === 'up' ? 'SIGUSR2' : 'SIGUSR1');
    });
  };

  let address: { host: string; port: number };
  try {
    address = await Promise.race([listening, timedOut]);
  } catch (error) {
    await kill();
    throw error;
  } finally {
    clearTimeout(timer);
  }

  return {
    config,
    pid: child.pid ?? -1,
    host: address.host,
    port: address.port,
    url: `http://${address.host}:${address.port}`,
    get running() {
      return running;
    },
    exited,
    stop,
    kill,
    scale,
    logTail,
  };
}

function parseEvent(line: string): AppEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as { event?: unknown };
    return typeof value.event === 'string' ? (value as AppEvent) : undefined;
  } catch {
    return undefined;
  }
}

function splitLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const part of parts) onLine(part);
  });
  stream.on('end', () => {
    if (pending) onLine(pending);
  });
}

/** Apps still running when this process exits get SIGTERM, as a second line after the stdin pipe. */
const runningApps = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackAttached(child: ChildProcess): void {
  runningApps.add(child);
  child.once('exit', () => runningApps.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const app of runningApps) {
      try {
        app.kill('SIGTERM');
      } catch {
        // Already gone.
      }
    }
  });
}
