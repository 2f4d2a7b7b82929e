import { spawn } from 'node:child_process';
import path from 'node:path';

export interface CommandResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  durationMs: number;
  /** The last few KiB of stdout+stderr, for journal and error messages. */
  output: string;
}

export interface CommandOptions {
  timeoutMs: number;
  cwd?: string;
  env?: Record<string, string>;
}

const keptOutputBytes = 4096;
/** gameday's own bin directory: commands can call `gameday lab …` without it being installed globally. */
const gamedayBinDir = path.resolve(__dirname, '..', '..', 'bin');
const killGraceMs = 2_000;

/**
 * Runs a shell command in its own process group. Own group for two reasons: a Ctrl-C
 * at the terminal reaches gameday (which then rolls back in order) but not the user's
 * inject/rollback commands mid-flight; and a timeout can kill the whole tree the
 * command started, not just the shell.
 */
export function runCommand(command: string, options: CommandOptions): Promise<CommandResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: options.cwd,
      env: {
        ...process.env,
        ...options.env,
        PATH: `${gamedayBinDir}${path.delimiter}${options.env?.PATH ?? process.env.PATH ?? ''}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-keptOutputBytes);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);

    let timedOut = false;
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), killGraceMs).unref();
    }, options.timeoutMs);

    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({
        exitCode: null,
        signal: null,
        timedOut,
        durationMs: performance.now() - started,
        output: String(error.message),
      });
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, timedOut, durationMs: performance.now() - started, output: output.trim() });
    });
  });
}

export function describeCommandFailure(command: string, result: CommandResult, timeoutMs: number): string {
  const tail = result.output ? `: ${result.output.split('\n').slice(-3).join(' | ')}` : '';
  if (result.timedOut) return `\`${command}\` timed out after ${timeoutMs} ms${tail}`;
  if (result.signal) return `\`${command}\` was killed by ${result.signal}${tail}`;
  return `\`${command}\` exited with code ${result.exitCode}${tail}`;
}
