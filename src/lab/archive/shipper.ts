import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/**
 * Ships a primary's archived WAL to the cold region's archive, as an asynchronous archiver
 * does (pgBackRest's archive-async, WAL-G's): archive_command puts each file in a local
 * spool, and this ships the spool, oldest first, across the region link (a fault proxy:
 * a partition holds the bytes, and the files wait), deleting each once the archive has it.
 * What the spool still holds when the region is lost is what a cold restore cannot have.
 */
export class WalShipper {
  private timer: NodeJS.Timeout | undefined;
  private shipping: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly options: {
      spool: string;
      /** Where the archive answers, as the primary reaches it: through its region's link. */
      url: string;
      intervalMs: number;
      timeoutMs: number;
    },
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.shipping ??= this.shipAll().finally(() => (this.shipping = null));
    }, this.options.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.shipping;
  }

  /** Files in the spool, oldest WAL first (archive_command writes each aside and renames it). */
  pending(): string[] {
    try {
      return fs
        .readdirSync(this.options.spool)
        .filter((name) => !name.endsWith('.tmp'))
        .sort();
    } catch {
      return [];
    }
  }

  /** In order; at the first failure it stops, to try again from that file next time. */
  private async shipAll(): Promise<void> {
    for (const name of this.pending()) {
      if (this.stopped) return;
      const file = path.join(this.options.spool, name);
      const bytes = await fs.promises.readFile(file).catch(() => null);
      if (!bytes) continue;
      const shipped = await this.put(name, bytes);
      if (!shipped) return;
      await fs.promises.rm(file, { force: true });
    }
  }

  private put(name: string, bytes: Buffer): Promise<boolean> {
    return new Promise((resolve) => {
      const request = http.request(
        `${this.options.url}/wal/${name}`,
        { method: 'PUT', headers: { 'content-length': bytes.length }, agent: false },
        (response) => {
          response.resume();
          resolve(response.statusCode === 201 || response.statusCode === 200);
        },
      );
      request.setTimeout(this.options.timeoutMs, () => request.destroy());
      request.on('error', () => resolve(false));
      request.end(bytes);
    });
  }
}
