import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodeEntry } from '../core/node-entry';

export interface K6Exit {
  /** k6's exit code; null when a signal ended it. */
  exitCode: number | null;
  signal: string | null;
}

/** The supervisor exits 127 when k6 itself could not be started. */
const couldNotStart = 127;
/** Beyond k6's own grace after SIGINT, what the supervisor gets to pass k6's exit on. */
const supervisorMarginMs = 5_000;

/**
 * One k6 process, run through k6-supervisor.ts so that it stops when gameday dies, in a
 * process group of its own so that a Ctrl-C at the terminal reaches gameday (which stops
 * k6 when the observation ends) and not k6 directly. stdout and stderr go to the log file.
 */
export class K6Process {
  readonly exited: Promise<K6Exit>;
  private exit: K6Exit | null = null;

  private constructor(
    private readonly child: ChildProcess,
    private readonly graceMs: number,
  ) {
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exit = decodeExit(code, signal);
        child.stdin?.destroy();
        resolve(this.exit);
      });
    });
  }

  static start(options: {
    binary: string;
    args: string[];
    env: NodeJS.ProcessEnv;
    cwd: string;
    logFile: string;
    /** How long k6 gets after SIGINT to write its summary and exit before it is killed. */
    graceMs: number;
  }): K6Process {
    const supervisor = nodeEntry(path.join(__dirname, 'k6-supervisor'));
    const log = fs.openSync(options.logFile, 'a');
    try {
      const child = spawn(supervisor.command, [...supervisor.args, options.binary, ...options.args], {
        cwd: options.cwd,
        env: { ...options.env, ...supervisor.env, K6_SUPERVISOR_GRACE_MS: String(options.graceMs) },
        stdio: ['pipe', log, log],
        detached: true,
      });
      return new K6Process(child, options.graceMs);
    } finally {
      fs.closeSync(log);
    }
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get running(): boolean {
    return this.exit === null;
  }

  /** SIGINT, as at a terminal: k6 stops its VUs, writes its summary and exits (105). Killed if it takes too long. */
  async stop(): Promise<K6Exit> {
    if (this.exit) return this.exit;
    this.child.kill('SIGINT');
    const timer = setTimeout(() => this.killGroup(), this.graceMs + supervisorMarginMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private killGroup(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

function decodeExit(code: number | null, signal: NodeJS.Signals | null): K6Exit {
  if (signal) return { exitCode: null, signal };
  if (code !== null && code > 128 && code < 128 + 65) {
    const name = Object.entries(os.constants.signals).find(([, number]) => number === code - 128)?.[0];
    if (name) return { exitCode: null, signal: name };
  }
  return { exitCode: code, signal: null };
}

export function isStartFailure(exit: K6Exit): boolean {
  return exit.exitCode === couldNotStart;
}
