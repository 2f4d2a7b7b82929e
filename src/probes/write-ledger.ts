import { randomBytes } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { now, sleep } from '../core/clock';
import { Arrivals } from './arrivals';
import { JournalBatcher, tenths } from './batcher';
import type { LedgerRow, ReadBack } from '../core/events';
import type { Journal } from '../core/journal';
import { HttpLedgerTransport, ledgerUrls } from './ledger-http';
import { SqlLedgerTransport } from './ledger-sql';
import type { LedgerSpec, LedgerTransport } from './ledger-transport';
import type { CachingResolver } from './resolver';
import type { TargetSession } from '../targets/session';

/** One ledger write's outcome. */
export interface LedgerOutcome {
  seq: number;
  /** When the write was due (open model schedule), ms. */
  t: number;
  /** How late it actually left, ms. */
  sendLagMs: number;
  /** From the scheduled time to the acknowledgement (or the failure), ms. */
  latencyMs: number;
  /** HTTP status; 0 for a transport failure and for a SQL ledger. */
  status: number;
  /**
   * Committed on the writer as the client was told: HTTP 201, or the INSERT returned. Anything else promises nothing.
   */
  acked: boolean;
  /** Why not ('ECONNREFUSED', 'TIMEOUT', 'SQLSTATE 25006', ...), '' otherwise. */
  error: string;
  /** The database that acknowledged it (x-gameday-writer, or the SQL writer's identity), when known. */
  writer: string;
  /** The region that served it, when known. */
  region: string;
}

const retryEveryMs = 500;
const maxClientLength = 100;

/** A client id no other run (or earlier run against the same lab) has used. */
export function ledgerClientId(runId: string, probe: string): string {
  const suffix = randomBytes(4).toString('hex');
  return `${probe}-${runId}`.slice(0, maxClientLength - suffix.length - 1) + `-${suffix}`;
}

/**
 * The write ledger: sequenced writes {client, seq} with seq 1, 2, 3, … at a constant
 * arrival rate (open model, as http.ts: write i is due at t0 + (i − 1) / rate; a slow or
 * hanging write never delays the next, and a late timer sends a catch-up burst). Each
 * write is sent once and never retried, so its outcome — acknowledged or not — is exactly
 * what a client was promised. `readBack` then asks what the writer holds. The transport
 * (HTTP or SQL) only carries the writes and read-back attempts.
 */
export class WriteLedger {
  private readonly arrivals: Arrivals;
  private readonly listeners: Array<(outcome: LedgerOutcome) => void> = [];

  constructor(
    private readonly probe: LedgerSpec,
    readonly transport: LedgerTransport,
    readonly client: string,
  ) {
    this.arrivals = new Arrivals(probe.rate, (seq, due) => this.send(seq, due));
  }

  get name(): string {
    return this.probe.name;
  }

  onOutcome(listener: (outcome: LedgerOutcome) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    this.arrivals.start();
  }

  /** Stops writing and waits for the writes in flight (each bounded by the probe's timeout). */
  async stop(): Promise<void> {
    await this.arrivals.stop();
    this.transport.close();
  }

  /**
   * Asks the writer for every seq it holds for this client, retrying while it does not
   * answer (it may be moving), for at most the probe's readBackTimeout. Each attempt opens
   * a fresh connection, so it follows DNS to the current writer.
   */
  async readBack(signal?: AbortSignal): Promise<ReadBack> {
    const deadline = now() + this.probe.readBackTimeout;
    let attempts = 0;
    let error = 'not attempted';
    while (!signal?.aborted) {
      attempts++;
      try {
        const answer = await this.transport.read(
          this.client,
          Math.min(this.probe.timeout, Math.max(1, deadline - now())),
        );
        if (answer.ok) return { ok: true, seqs: answer.seqs, writer: answer.writer, region: answer.region, attempts };
        error = answer.error;
      } catch (failure) {
        error = (failure as NodeJS.ErrnoException).code ?? (failure as Error).message;
      }
      if (now() + retryEveryMs >= deadline) break;
      await sleep(retryEveryMs, signal);
    }
    return {
      ok: false,
      seqs: [],
      writer: '',
      region: '',
      attempts,
      error: signal?.aborted ? `interrupted (${error})` : error,
    };
  }

  private send(seq: number, due: number): Promise<void> {
    const sentAt = now();
    return this.transport
      .write(this.client, seq)
      .then((answer) => this.record({ seq, t: due, sendLagMs: sentAt - due, latencyMs: now() - due, ...answer }));
  }

  private record(outcome: LedgerOutcome): void {
    for (const listener of this.listeners) listener(outcome);
  }
}

/**
 * Keeps the ledger's counts and batches its outcomes to the journal (`ledger.samples`),
 * so RPO can be re-measured from the journal alone.
 */
export class LedgerRecorder {
  private readonly batcher: JournalBatcher<LedgerRow>;
  writes = 0;
  acked = 0;

  constructor(
    journal: Journal,
    readonly probe: string,
  ) {
    this.batcher = new JournalBatcher((rows) => journal.append({ type: 'ledger.samples', probe, rows }));
  }

  add(outcome: LedgerOutcome): void {
    this.writes++;
    if (outcome.acked) this.acked++;
    this.batcher.push([
      outcome.seq,
      tenths(outcome.t),
      tenths(outcome.latencyMs),
      outcome.status,
      outcome.acked ? 1 : 0,
      outcome.error,
      outcome.writer,
      outcome.region,
    ]);
  }

  close(): void {
    this.batcher.close();
  }
}

/**
 * One run's ledger as the engine sees it: started with the traffic, finished (writes
 * stopped, then read back) when the observation ends; everything goes to the journal.
 */
export class LedgerSession {
  private constructor(
    private readonly ledger: WriteLedger,
    private readonly recorder: LedgerRecorder,
    private readonly journal: Journal,
  ) {}

  /**
   * Prepares the writer (a SQL ledger creates its table), then starts writing. Throws,
   * having written nothing, when the writer cannot be prepared.
   */
  static async start(
    probe: LedgerSpec,
    target: LedgerTarget,
    journal: Journal,
    options: { runId: string },
  ): Promise<LedgerSession> {
    const transport = ledgerTransport(probe, target);
    try {
      await transport.prepare();
    } catch (error) {
      transport.close();
      throw error;
    }
    const ledger = new WriteLedger(probe, transport, ledgerClientId(options.runId, probe.name));
    const recorder = new LedgerRecorder(journal, probe.name);
    ledger.onOutcome((outcome) => recorder.add(outcome));
    journal.append({
      type: 'probe.started',
      probe: probe.name,
      kind: 'ledger',
      url: transport.writeTarget,
      rate: probe.rate,
      client: ledger.client,
    });
    ledger.start();
    return new LedgerSession(ledger, recorder, journal);
  }

  /** Stops writing, waits for the writes in flight, then (unless told not to) reads back. */
  async finish(options: { readBack: boolean; signal?: AbortSignal }): Promise<void> {
    await this.ledger.stop();
    this.recorder.close();
    this.journal.append({
      type: 'probe.stopped',
      probe: this.ledger.name,
      requests: this.recorder.writes,
      errors: this.recorder.writes - this.recorder.acked,
    });
    if (!options.readBack) return;
    const result = await this.ledger.readBack(options.signal);
    this.journal.append({
      type: 'ledger.readback',
      probe: this.ledger.name,
      client: this.ledger.client,
      url: this.ledger.transport.readTarget,
      ...result,
    });
  }
}

/** What a ledger needs of the opened target: the session (endpoints, databases, regions) and how names resolve. */
export interface LedgerTarget {
  session: Pick<TargetSession, 'endpoints' | 'databaseUrl' | 'regionOfAddress'>;
  lookup?: LookupFunction;
  resolver: CachingResolver | null;
}

/** HTTP to an endpoint or URL; SQL to a database the lab names (writer, db-<region>) or a postgres:// URL. */
export function ledgerTransport(probe: LedgerSpec, target: LedgerTarget): LedgerTransport {
  if (probe.sql === undefined)
    return new HttpLedgerTransport(probe, ledgerUrls(probe, target.session.endpoints), target.lookup);
  const connection = target.session.databaseUrl(probe.sql) ?? probe.sql;
  return new SqlLedgerTransport(probe, connection, target.resolver, (address) =>
    target.session.regionOfAddress(address),
  );
}
