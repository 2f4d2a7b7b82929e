import net from 'node:net';
import { Client, type ClientConfig } from 'pg';
import { safeJson, type Check, type CheckResult } from './periodic';
import type { CachingResolver } from './resolver';

const maxValueChars = 200;

/** What a sql check runs and expects (the sql probe's fields). */
export interface SqlCheckSpec {
  name: string;
  query: string;
  expect?: { rows: number } | { value: string | number | boolean | null } | { matches: string };
  timeout: number;
  session: 'new' | 'keep-alive';
}

/** For plans: a URL without its password, or the named database of the target. */
export function describeDatabase(name: string): string {
  return /^postgres/.test(name) ? redactUrl(name) : `the target's ${name} database`;
}

/** The password a connection uses: the URL's, else PGPASSWORD (which pg reads itself). */
function passwordOf(url: URL): string | undefined {
  if (url.password) return decodeURIComponent(url.password);
  return process.env.PGPASSWORD || undefined;
}

/** The URL as it may be journaled: any password replaced. */
export function redactUrl(connection: string): string {
  const url = new URL(connection);
  if (url.password) url.password = '***';
  return url.toString();
}

/** Replaces the connection's password wherever it appears in a text (a driver error echoing its config). */
export function passwordRedactor(connection: string): (text: string) => string {
  const password = passwordOf(new URL(connection));
  if (!password) return (text) => text;
  return (text) => text.split(password).join('***');
}

/**
 * Runs the probe's query and judges its result. With `session: 'new'` each check opens
 * its own connection (resolving the host again, through the target's DNS when it has one)
 * and closes it, so it sees a failover as a fresh client does; with 'keep-alive' one
 * connection is reused until it fails, then replaced.
 */
export class SqlCheck {
  private kept: Client | null = null;

  constructor(
    private readonly probe: SqlCheckSpec,
    private readonly connection: string,
    private readonly resolver: CachingResolver | null,
  ) {}

  readonly check: Check = async (signal) => {
    const client = this.probe.session === 'keep-alive' && this.kept ? this.kept : await this.connect(signal);
    const abort = () => void client.end().catch(() => undefined);
    signal.addEventListener('abort', abort, { once: true });
    try {
      const result = await client.query({ text: this.probe.query, rowMode: 'array' });
      return judge(this.probe, result.rows as unknown[][]);
    } catch (error) {
      if (client === this.kept) this.kept = null;
      void client.end().catch(() => undefined);
      throw error;
    } finally {
      signal.removeEventListener('abort', abort);
      if (this.probe.session === 'new') void client.end().catch(() => undefined);
    }
  };

  /** Ends a kept connection; the resolver is this probe's own. */
  async close(): Promise<void> {
    const client = this.kept;
    this.kept = null;
    this.resolver?.close();
    await client?.end().catch(() => undefined);
  }

  private async connect(signal: AbortSignal): Promise<Client> {
    const client = await postgresClient(this.connection, this.resolver, {
      timeoutMs: this.probe.timeout,
      applicationName: `gameday-probe-${this.probe.name}`,
    });
    // A server that dies under a kept connection emits 'error' on the idle client; the next check reports it.
    client.on('error', () => {
      if (client === this.kept) this.kept = null;
    });
    const abort = () => void client.end().catch(() => undefined);
    signal.addEventListener('abort', abort, { once: true });
    try {
      await client.connect();
    } finally {
      signal.removeEventListener('abort', abort);
    }
    if (this.probe.session === 'keep-alive') this.kept = client;
    return client;
  }
}

/**
 * A pg client for a postgres:// URL, not yet connected: the host resolved through the
 * resolver (the target's DNS, honouring TTLs) when there is one, so every new connection
 * follows the name as a fresh client does; `timeoutMs` bounds connecting and each query.
 * With `socket`, pg connects over that socket, so the caller can destroy a connection whose
 * link is blackholed (pg's own end() waits for the server to answer).
 */
export async function postgresClient(
  connection: string,
  resolver: CachingResolver | null,
  options: { timeoutMs: number; applicationName: string; socket?: net.Socket },
): Promise<Client> {
  const url = new URL(connection);
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const host = resolver && !net.isIP(hostname) ? (await resolver.resolve(hostname))[0] : hostname;
  const socket = options.socket;
  const config: ClientConfig = {
    host,
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username) || undefined,
    password: passwordOf(url),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined,
    ssl: ['require', 'verify-ca', 'verify-full'].includes(url.searchParams.get('sslmode') ?? '')
      ? { rejectUnauthorized: url.searchParams.get('sslmode') !== 'require', servername: hostname }
      : undefined,
    connectionTimeoutMillis: options.timeoutMs,
    query_timeout: options.timeoutMs,
    application_name: options.applicationName,
    stream: socket ? () => socket : undefined,
  };
  return new Client(config);
}

/** Ok when the query succeeded and the expectation (if any) holds; the first cell is kept either way. */
function judge(probe: SqlCheckSpec, rows: unknown[][]): CheckResult {
  const first = rows[0]?.[0];
  const value = small(first);
  const expect = probe.expect;
  if (!expect) return { ok: true, value };
  if ('rows' in expect) {
    return rows.length === expect.rows
      ? { ok: true, value }
      : { ok: false, error: `expected ${expect.rows} row${expect.rows === 1 ? '' : 's'}, got ${rows.length}`, value };
  }
  if (rows.length === 0) return { ok: false, error: 'expected a first row, got none', value };
  const text = cellText(first);
  if ('value' in expect) {
    return text === cellText(expect.value)
      ? { ok: true, value }
      : { ok: false, error: `expected ${cellText(expect.value)}, got ${text}`, value };
  }
  return new RegExp(expect.matches).test(text)
    ? { ok: true, value }
    : { ok: false, error: `expected a match of /${expect.matches}/, got ${text.slice(0, maxValueChars)}`, value };
}

/** How a cell compares: pg's text of it (true, 42, 2024-01-01T…), so expect: { value: 42 } matches a bigint's '42'. */
function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return 'null';
  if (cell instanceof Date) return cell.toISOString();
  if (Buffer.isBuffer(cell)) return `\\x${cell.toString('hex')}`;
  return typeof cell === 'object' ? (safeJson(cell) ?? String(cell)) : String(cell);
}

function small(cell: unknown): unknown {
  if (cell === undefined) return undefined;
  const text = cellText(cell);
  if (typeof cell === 'string' || cell instanceof Date || Buffer.isBuffer(cell)) return text.slice(0, maxValueChars);
  return text.length > maxValueChars ? undefined : cell;
}
