import { Resolver } from 'node:dns/promises';
import type { Pool } from 'pg';
import { isWriterByDns, type AppDbConfig, type AppTimeouts, type AppWriterByDns, type AppWriterConfig } from './config';
import { createPool, describeTarget } from './db';

/** The writer could not even be named: DNS failed or answered nothing. */
export class WriterResolutionError extends Error {
  override readonly name = 'WriterResolutionError';
  constructor(
    readonly writerName: string,
    override readonly cause: unknown,
  ) {
    super(`cannot resolve writer ${writerName}: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

export interface CurrentWriter {
  /** `host:port`, reported to clients in x-gameday-writer. */
  target: string;
  pool: Pool;
  /** Set once the schema was ensured on this writer, so it is done once per writer. */
  schemaReady: boolean;
}

export interface WriterChange {
  from: string | undefined;
  to: string;
  ttlSeconds: number;
}

/**
 * Where writes go right now. With a DNS writer this behaves like a well-behaved client of a
 * failover record: it caches the answer for its TTL, asks again once the TTL has expired,
 * and when the answer changed it closes the connections to the old writer, so no write goes
 * to a demoted or fenced primary through a pooled connection.
 */
export class WriterDirectory {
  private readonly resolver: Resolver;
  private current: CurrentWriter | undefined;
  private expiresAt = 0;
  private inflight: Promise<CurrentWriter> | undefined;
  private closed = false;

  constructor(
    private readonly writer: AppWriterConfig,
    private readonly db: AppDbConfig,
    private readonly timeouts: AppTimeouts,
    private readonly applicationName: string,
    private readonly onChange: (change: WriterChange) => void = () => undefined,
  ) {
    // One try with a short timeout: a dead DNS server should show as a fast error.
    this.resolver = new Resolver({ timeout: timeouts.dnsMs, tries: 1 });
    if (isWriterByDns(writer) && writer.dnsServer) this.resolver.setServers([writer.dnsServer]);
  }

  /** The writer to use for the next statement; resolves DNS only when the cached answer expired. */
  async get(now = Date.now()): Promise<CurrentWriter> {
    if (this.current && now < this.expiresAt) return this.current;
    // Concurrent requests share one lookup instead of each asking the DNS server.
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** The last known writer address, if any, for error responses when a lookup fails. */
  get lastKnownTarget(): string | undefined {
    return this.current?.target;
  }

  async close(): Promise<void> {
    this.closed = true;
    const pool = this.current?.pool;
    this.current = undefined;
    await pool?.end().catch(() => undefined);
  }

  private async refresh(): Promise<CurrentWriter> {
    const writer = this.writer;
    const { host, ttlSeconds } = isWriterByDns(writer)
      ? await this.lookup(writer)
      : { host: writer.host, ttlSeconds: Number.POSITIVE_INFINITY };

    // A lookup that finishes after close() must not open a pool nobody will end.
    if (this.closed)
      throw new WriterResolutionError(isWriterByDns(writer) ? writer.name : host, new Error('app is stopping'));
    // A writer in our own region is reached directly, as inside one region's network;
    // only writes to another region cross its database ingress (and its faults).
    const port = host === this.db.host ? this.db.port : writer.port;
    const target = describeTarget(host, port);
    this.expiresAt = Date.now() + ttlSeconds * 1000;
    if (this.current?.target === target) return this.current;

    const previous = this.current;
    this.current = {
      target,
      pool: createPool(this.db, host, port, this.timeouts, this.applicationName),
      schemaReady: false,
    };
    // In-flight statements on the old writer finish; idle connections close now.
    void previous?.pool.end().catch(() => undefined);
    this.onChange({ from: previous?.target, to: target, ttlSeconds });
    return this.current;
  }

  private async lookup(writer: AppWriterByDns): Promise<{ host: string; ttlSeconds: number }> {
    let answers;
    try {
      answers = await this.resolver.resolve4(writer.name, { ttl: true });
    } catch (error) {
      throw new WriterResolutionError(writer.name, error);
    }
    if (answers.length === 0) throw new WriterResolutionError(writer.name, new Error('no A records'));
    // Failover routing answers with one address; with several, keep using the current one
    // while it is still offered, so a multi-answer record does not churn the pool.
    const current = this.current?.target;
    const chosen = answers.find((answer) => describeTarget(answer.address, writer.port) === current) ?? answers[0];
    return { host: chosen.address, ttlSeconds: chosen.ttl };
  }
}
