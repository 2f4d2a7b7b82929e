import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/** WAL segment, history and backup-history file names, as archive_command's %f gives them. */
const walFileName = /^[0-9A-F]{8}(?:[0-9A-F]{16}(?:\.[0-9A-F]{8}\.backup|\.partial)?|\.history)$/;

/**
 * The WAL archive of a cold region: an HTTP endpoint in that region that takes each file a
 * primary ships (`PUT /wal/<name>`) and keeps it in `dir`, where a restore reads it back
 * (restore_command). A file is written aside and renamed, so a restore never reads half
 * of one; one already there with the same bytes is taken again (a shipper retrying after a
 * lost answer), with other bytes refused (409), as an archive must never overwrite.
 */
export class ArchiveReceiver {
  private constructor(
    private readonly server: http.Server,
    readonly dir: string,
  ) {}

  static async start(options: { host: string; port: number; dir: string }): Promise<ArchiveReceiver> {
    fs.mkdirSync(options.dir, { recursive: true, mode: 0o755 });
    fs.chmodSync(options.dir, 0o755);
    const server = http.createServer((request, response) => void receive(options.dir, request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new ArchiveReceiver(server, options.dir);
  }

  /** The files the archive holds, in WAL order. */
  files(): string[] {
    return fs
      .readdirSync(this.dir)
      .filter((name) => walFileName.test(name))
      .sort();
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}

async function receive(dir: string, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const answer = (status: number, message: string) => {
    response.writeHead(status, { 'content-type': 'text/plain' });
    response.end(message);
  };
  const name = /^\/wal\/([^/]+)$/.exec(request.url ?? '')?.[1];
  if (request.method !== 'PUT' || name === undefined || !walFileName.test(name)) {
    request.resume();
    return answer(404, 'PUT /wal/<WAL file name>');
  }
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of request) chunks.push(chunk as Buffer);
  } catch {
    return; // the shipper went away mid-file: nothing kept, it ships the file again
  }
  const bytes = Buffer.concat(chunks);
  const target = path.join(dir, name);
  const existing = await fs.promises.readFile(target).catch(() => null);
  if (existing) return existing.equals(bytes) ? answer(200, 'already archived') : answer(409, 'archived differently');
  const aside = path.join(dir, `.${name}.${process.pid}.tmp`);
  await fs.promises.writeFile(aside, bytes, { mode: 0o644 });
  await fs.promises.rename(aside, target);
  answer(201, 'archived');
}
