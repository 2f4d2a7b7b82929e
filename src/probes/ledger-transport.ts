/**
 * How the write ledger reaches its writer. The ledger (ledger.ts) owns the schedule, the
 * recording and the read-back retries; a transport only carries one write or one read-back
 * attempt: over HTTP to a service (ledger-http.ts) or straight to PostgreSQL (ledger-sql.ts).
 * Both answer in the same terms, so RPO is computed by the same code whichever was used.
 */
/** The write ledger's settings, as its transports and schedule read them (the ledger probe's fields). */
export interface LedgerSpec {
  name: string;
  url?: string;
  endpoint?: string;
  path?: string;
  sql?: string;
  table?: string;
  session?: 'new' | 'keep-alive';
  connection?: 'keep-alive' | 'new';
  readBackFrom?: string;
  /** Writes per second. */
  rate: number;
  timeout: number;
  readBackTimeout: number;
}

export interface LedgerTransport {
  /** Where writes go, as the journal may show it (no password). */
  readonly writeTarget: string;
  /** Where the read back goes, likewise. */
  readonly readTarget: string;
  /** Runs before the first write; throws when the writer cannot be made ready (nothing is written then). */
  prepare(): Promise<void>;
  /**
   * Sends one write, once, bounded by the probe's timeout. Never rejects: a failure is an
   * answer that is not acknowledged, with an error code.
   */
  write(client: string, seq: number): Promise<LedgerWriteAnswer>;
  /**
   * One read-back attempt on a fresh connection, bounded by `timeoutMs`; rejects or answers not ok when the writer does
   * not answer.
   */
  read(client: string, timeoutMs: number): Promise<LedgerReadAnswer>;
  /** Releases kept connections. */
  close(): void;
}

export interface LedgerWriteAnswer {
  /** Committed on the writer, as far as the client was told. */
  acked: boolean;
  /** HTTP status; 0 for a transport failure and for SQL. */
  status: number;
  /** Why it was not acknowledged ('ECONNREFUSED', 'TIMEOUT', 'SQLSTATE 25006', …); '' when it was. */
  error: string;
  /** The database that acknowledged it, when known: the split-brain evidence. */
  writer: string;
  /** The region that served it, when known. */
  region: string;
}

export type LedgerReadAnswer =
  { ok: true; seqs: number[]; writer: string; region: string } | { ok: false; error: string };
