import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';

const logLinesKept = 200;

export interface PgServerLogOptions {
  /** Append the server log here as well as keeping the last lines in memory. */
  file?: string;
  /** A detached postmaster writes `file` itself; we only read it back. */
  detached?: boolean;
  onLog?: (line: string) => void;
}

/**
 * What a node's PostgreSQL programs printed (initdb, single-user postgres, the postmaster),
 * kept because its last lines are the reason behind most failures.
 */
export class PgServerLog {
  private readonly lines: string[] = [];
  /** The running attached postmaster's log file, for gameday's own lines about it. */
  private postmasterFile: fs.WriteStream | undefined;

  constructor(private readonly options: PgServerLogOptions) {}

  /** The last lines the server logged: the reason behind most failures. */
  tail(lines = 30): string {
    if (this.options.detached && this.options.file) {
      const text = fs.readFileSync(this.options.file, 'utf8');
      return text.trimEnd().split('\n').slice(-lines).join('\n');
    }
    return this.lines.slice(-lines).join('\n');
  }

  /**
   * Keeps what `child` prints; an attached postmaster's lines (`toFile`) also go to the log
   * file, through a stream of its own that ends when its pipes close — not when it exits:
   * the processes it forked can still hold the pipes and write after its exit, and a
   * restarted postmaster must not write into its predecessor's ended stream.
   */
  capture(child: ChildProcess, { toFile = false } = {}): void {
    const file = toFile && !this.options.detached ? this.options.file : undefined;
    const stream = file ? fs.createWriteStream(file, { flags: 'a' }) : undefined;
    if (stream) {
      this.postmasterFile = stream;
      // Emitted after a spawn that failed outright too (ENOENT: 'error', then 'close').
      child.once('close', () => {
        if (this.postmasterFile === stream) this.postmasterFile = undefined;
        stream.end();
      });
    }
    const onData = (pending: { text: string }) => (chunk: Buffer) => {
      pending.text += chunk.toString('utf8');
      const lines = pending.text.split('\n');
      pending.text = lines.pop() ?? '';
      for (const line of lines) {
        this.keep(line);
        stream?.write(`${line}\n`);
      }
    };
    child.stdout?.on('data', onData({ text: '' }));
    child.stderr?.on('data', onData({ text: '' }));
  }

  /** gameday's own line about the server: kept, and written to the running postmaster's log file. */
  record(line: string): void {
    this.keep(line);
    this.postmasterFile?.write(`${line}\n`);
  }

  private keep(line: string): void {
    this.lines.push(line);
    if (this.lines.length > logLinesKept) this.lines.splice(0, this.lines.length - logLinesKept);
    this.options.onLog?.(line);
  }
}
