import net from 'node:net';
import { DatabaseError, type Client } from 'pg';
import type { LedgerReadAnswer, LedgerSpec, LedgerTransport, LedgerWriteAnswer } from './ledger-transport';
import type { CachingResolver } from './resolver';
import { passwordRedactor, postgresClient, redactUrl } from './sql-check';

export const defaultLedgerTable = 'gameday_ledger';

/**
 * Names the database that ran a statement, for split-brain detection: its address and
 * port as the server sees them (the same whichever proxy or region a client came through)
 * and its WAL timeline. A promoted standby starts a new timeline, so it is told apart from
 * the primary it was cloned from even at one address (a VIP, a pooler on localhost); the
 * system identifier cannot do that, as a standby shares its primary's. NULL on a server in
 * recovery: a standby is no writer.
 */
const writerIdentitySql = `CASE WHEN pg_is_in_recovery() THEN NULL ELSE
  coalesce(host(inet_server_addr()), 'local') || ':' || coalesce(inet_server_port()::text, current_setting('port'))
  || ' (timeline ' || ('x' || left(pg_walfile_name(pg_current_wal_lsn()), 8))::bit(32)::int || ')' END`;

/**
 * The ledger straight to PostgreSQL: each write is `INSERT INTO <table> (client, seq)` in
 * autocommit, acknowledged when the INSERT returns — committed, and as durable as the
 * server's synchronous_commit makes a commit (with synchronous standbys, replicated to
 * them; otherwise on the writer alone). The read back selects the client's seqs on a
 * fresh connection, from a server not in recovery. With session 'keep-alive' writes reuse
 * idle connections (one per concurrent write, as an application's pool grows); with 'new'
 * each write connects, resolving the host again.
 */
export class SqlLedgerTransport implements LedgerTransport {
  private readonly idle: Client[] = [];
  private readonly sockets = new Map<Client, net.Socket>();
  private readonly redact: (text: string) => string;
  private readonly tableName: string;
  /** Quoted, for statements. */
  private readonly table: string;
  private closed = false;

  constructor(
    private readonly probe: LedgerSpec,
    /** A postgres:// URL; its host is resolved through `resolver` when there is one. */
    private readonly connection: string,
    private readonly resolver: CachingResolver | null,
    /** Server address → region name (the lab's), to say which region acknowledged. */
    private readonly regionOf: (address: string) => string | undefined = () => undefined,
  ) {
    this.redact = passwordRedactor(connection);
    // The schema allows only [A-Za-z_][A-Za-z0-9_]*; quoting keeps its case and any reserved word.
    this.tableName = probe.table ?? defaultLedgerTable;
    this.table = `"${this.tableName}"`;
  }

  get writeTarget(): string {
    return `${redactUrl(this.connection)} table ${this.tableName}`;
  }

  get readTarget(): string {
    return this.writeTarget;
  }

  /**
   * Creates the table if missing, on the writer: the primary key is the read back's index
   * and turns a replayed write into an error instead of a silent second row.
   */
  async prepare(): Promise<void> {
    try {
      await this.attempt(false, this.probe.timeout, (db) =>
        db.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
          client       text        NOT NULL,
          seq          bigint      NOT NULL,
          committed_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (client, seq)
        )`),
      );
    } catch (error) {
      throw new Error(
        `could not create the ledger table ${this.tableName} on ${redactUrl(this.connection)}: ` +
          `${this.describe(error, true)}`,
      );
    }
  }

  async write(client: string, seq: number): Promise<LedgerWriteAnswer> {
    try {
      const { rows } = await this.attempt(this.session === 'keep-alive', this.probe.timeout, (db) =>
        db.query<{ address: string | null; writer: string | null }>(
          `INSERT INTO ${this.table} (client, seq) VALUES ($1, $2) RETURNING ` +
            `host(inet_server_addr()) AS address, ${writerIdentitySql} AS writer`,
          [client, seq],
        ),
      );
      const { address, writer } = rows[0];
      return { acked: true, status: 0, error: '', writer: writer ?? '', region: this.regionOf(address ?? '') ?? '' };
    } catch (error) {
      return { acked: false, status: 0, error: this.describe(error), writer: '', region: '' };
    }
  }

  async read(client: string, timeoutMs: number): Promise<LedgerReadAnswer> {
    try {
      const { rows } = await this.attempt(false, timeoutMs, (db) =>
        db.query<{ seqs: string[]; address: string | null; writer: string | null }>(
          `SELECT ARRAY(SELECT seq FROM ${this.table} WHERE client = $1 ORDER BY seq) AS seqs, ` +
            `host(inet_server_addr()) AS address, ${writerIdentitySql} AS writer`,
          [client],
        ),
      );
      const { seqs, address, writer } = rows[0];
      if (writer === null)
        return { ok: false, error: `${address ?? 'the server'} is in recovery (a standby), not the writer` };
      return { ok: true, seqs: seqs.map(Number), writer, region: this.regionOf(address ?? '') ?? '' };
    } catch (error) {
      return { ok: false, error: this.describe(error, true) };
    }
  }

  close(): void {
    this.closed = true;
    for (const db of this.idle.splice(0)) this.end(db);
  }

  private get session(): 'new' | 'keep-alive' {
    return this.probe.session ?? 'keep-alive';
  }

  /**
   * Runs `work` on a connection — an idle kept one when `reuse`, else a new one — within
   * `timeoutMs` for the whole exchange, connecting included. A connection that failed or
   * timed out is destroyed, never reused: it may still be busy, or its link blackholed.
   */
  private async attempt<T>(reuse: boolean, timeoutMs: number, work: (db: Client) => Promise<T>): Promise<T> {
    let db: Client | null = reuse ? (this.idle.pop() ?? null) : null;
    let expired = false;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        expired = true;
        reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TIMEOUT' }));
      }, timeoutMs);
    });
    const run = async (): Promise<T> => {
      if (!db) {
        const fresh = await this.connect(timeoutMs);
        if (expired) {
          this.destroy(fresh);
          throw new Error('connected after the timeout');
        }
        db = fresh;
      }
      return work(db);
    };
    try {
      const result = await Promise.race([run(), deadline]);
      if (reuse && !this.closed) this.idle.push(db!);
      else this.end(db!);
      return result;
    } catch (error) {
      if (db) this.destroy(db);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private async connect(timeoutMs: number): Promise<Client> {
    const socket = new net.Socket();
    const db = await postgresClient(this.connection, this.resolver, {
      timeoutMs,
      applicationName: `gameday-ledger-${this.probe.name}`,
      socket,
    });
    this.sockets.set(db, socket);
    // A kept connection whose server goes away errors while idle; drop it so no write picks it up.
    db.on('error', () => {
      const index = this.idle.indexOf(db);
      if (index >= 0) this.idle.splice(index, 1);
      this.destroy(db);
    });
    try {
      await db.connect();
    } catch (error) {
      this.destroy(db);
      throw error;
    }
    return db;
  }

  /** Says goodbye to the server, but does not wait on a link that holds the goodbye (a blackhole). */
  private end(db: Client): void {
    const socket = this.sockets.get(db);
    this.sockets.delete(db);
    void db.end().catch(() => undefined);
    setTimeout(() => socket?.destroy(), 1_000).unref();
  }

  private destroy(db: Client): void {
    this.sockets.get(db)?.destroy();
    this.sockets.delete(db);
  }

  /**
   * A password-free reason: the SQLSTATE of a server error or the errno code of a transport
   * one (short, as a journaled write's error code is), with the message when `verbose`.
   */
  private describe(error: unknown, verbose = false): string {
    const message = this.redact((error as Error)?.message ?? String(error)).slice(0, 200);
    const code =
      error instanceof DatabaseError && error.code ? `SQLSTATE ${error.code}` : (error as NodeJS.ErrnoException)?.code;
    if (!code) return message;
    return verbose ? `${code}: ${message}` : code;
  }
}
