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
  private stream: fs.WriteStream | undefined;

  constructor(private readonly options: PgServerLogOptions) {}

  /** The last lines the server logged: the reason behind most failures. */
  tail(lines = 30): string {
    if (this.options.detached && this.options.file) {
      const text = fs.readFileSync(this.options.file, 'utf8');
      return text.trimEnd().split('\n').slice(-lines).join('\n');
    }
    return this.lines.slice(-lines).join('\n');
  }

  /** Called as an attached postmaster starts: from then on, recorded lines also go to the file. */
  openFile(): void {
    this.stream =
      !this.options.detached && this.options.file ? fs.createWriteStream(this.options.file, { flags: 'a' }) : undefined;
  }

  /** Called once that postmaster has exited. */
  closeFile(): void {
    this.stream?.end();
  }

  capture(child: ChildProcess): void {
    const onData = (pending: { text: string }) => (chunk: Buffer) => {
      pending.text += chunk.toString('utf8');
      const lines = pending.text.split('\n');
      pending.text = lines.pop() ?? '';
      for (const line of lines) this.record(line);
    };
    child.stdout?.on('data', onData({ text: '' }));
    child.stderr?.on('data', onData({ text: '' }));
  }

  record(line: string): void {
    this.lines.push(line);
    if (this.lines.length > logLinesKept) this.lines.splice(0, this.lines.length - logLinesKept);
    this.stream?.write(`${line}\n`);
    this.options.onLog?.(line);
  }
}
