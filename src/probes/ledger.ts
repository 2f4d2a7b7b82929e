import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { now, sleep } from '../engine/clock';
import { Arrivals } from './arrivals';
import { JournalBatcher } from './batcher';
import { exchange, failureCode } from './exchange';
import type { LedgerRow, ReadBack } from '../engine/events';
import type { Journal } from '../engine/journal';
import type { LedgerProbe } from '../experiment/schema';
import { probeUrl } from './url';

/** One ledger write's outcome. */
export interface LedgerOutcome {
  seq: number;
  /** When the write was due (open model schedule), ms. */
  t: number;
  /** How late it actually left, ms. */
  sendLagMs: number;
  /** From the scheduled time to the acknowledgement (or the failure), ms. */
  latencyMs: number;
  status: number;
  /** 201: committed on the writer. Anything else (409 included) promises nothing. */
  acked: boolean;
  /** Error code for transport failures ('ECONNREFUSED', 'TIMEOUT', ...), '' otherwise. */
  error: string;
  /** x-gameday-writer: the database that acknowledged it, when the service says. */
  writer: string;
  /** x-gameday-region: the region that served it. */
  region: string;
}

const retryEveryMs = 500;
const maxClientLength = 100;

/** A client id no other run (or earlier run against the same lab) has used. */
export function ledgerClientId(runId: string, probe: string): string {
  const suffix = randomBytes(4).toString('hex');
  return `${probe}-${runId}`.slice(0, maxClientLength - suffix.length - 1) + `-${suffix}`;
}

/** Where writes go and where they are read back from (default: the same URL). */
export function ledgerUrls(probe: LedgerProbe, endpoints: Record<string, string>): { write: string; read: string } {
  const write = probeUrl(probe, endpoints);
  if (probe.readBackFrom === undefined) return { write, read: write };
  const path = probe.url ? new URL(probe.url).pathname : probe.path;
  return { write, read: endpoints[probe.readBackFrom].replace(/\/+$/, '') + path };
}

/**
 * The write ledger: `POST {client, seq}` with seq 1, 2, 3, … at a constant arrival rate
 * (open model, as http.ts: write i is due at t0 + (i − 1) / rate; a slow or hanging write
 * never delays the next, and a late timer sends a catch-up burst). Each write is sent
 * once and never retried, so its outcome — acknowledged (201) or not — is exactly what a
 * client was promised. `readBack` then asks what the writer holds.
 */
export class WriteLedger {
  private readonly agent: http.Agent | false;
  private readonly arrivals: Arrivals;
  private readonly listeners: Array<(outcome: LedgerOutcome) => void> = [];

  constructor(
    private readonly probe: LedgerProbe,
    readonly urls: { write: string; read: string },
    readonly client: string,
    private readonly options: { lookup?: LookupFunction } = {},
  ) {
    this.arrivals = new Arrivals(probe.rate, (seq, due) => this.send(seq, due));
    const AgentClass = urls.write.startsWith('https:') ? https.Agent : http.Agent;
    this.agent = probe.connection === 'keep-alive' ? new AgentClass({ keepAlive: true, maxSockets: Infinity }) : false;
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
    if (this.agent) this.agent.destroy();
  }

  /**
   * `GET <read url>?client=` until it answers 200 with `{seqs: [...]}`, retrying while the
   * writer does not answer (it may be moving), for at most the probe's readBackTimeout.
   * Each attempt opens a fresh connection, so it follows DNS to the current writer.
   */
  async readBack(signal?: AbortSignal): Promise<ReadBack> {
    const url = new URL(this.urls.read);
    url.searchParams.set('client', this.client);
    const deadline = now() + this.probe.readBackTimeout;
    let attempts = 0;
    let error = 'not attempted';
    while (!signal?.aborted) {
      attempts++;
      try {
        const answer = await exchange(url.toString(), {
          method: 'GET',
          agent: false,
          timeoutMs: Math.min(this.probe.timeout, Math.max(1, deadline - now())),
          lookup: this.options.lookup,
          readBody: true,
        });
        const seqs = (parseJson(answer.body) as { seqs?: unknown } | undefined)?.seqs;
        if (answer.status === 200 && Array.isArray(seqs) && seqs.every((seq) => typeof seq === 'number')) {
          return { ok: true, seqs: seqs as number[], writer: answer.writer, region: answer.region, attempts };
        }
        error = `HTTP ${answer.status}${answer.status === 200 ? ' without a seqs array' : ''}: ${answer.body.slice(0, 200)}`;
      } catch (failure) {
        error = (failure as NodeJS.ErrnoException).code ?? (failure as Error).message;
      }
      if (now() + retryEveryMs >= deadline) break;
      await sleep(retryEveryMs, signal);
    }
    return { ok: false, seqs: [], writer: '', region: '', attempts, error: signal?.aborted ? `interrupted (${error})` : error };
  }

  private send(seq: number, due: number): Promise<void> {
    const sentAt = now();
    const body = JSON.stringify({ client: this.client, seq });
    const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
    return exchange(this.urls.write, { method: 'POST', headers, body, agent: this.agent, timeoutMs: this.probe.timeout, lookup: this.options.lookup }).then(
      (answer) => this.record({ seq, t: due, sendLagMs: sentAt - due, latencyMs: now() - due, status: answer.status, acked: answer.status === 201, error: '', writer: answer.writer, region: answer.region }),
      (error: NodeJS.ErrnoException) =>
        this.record({ seq, t: due, sendLagMs: sentAt - due, latencyMs: now() - due, status: 0, acked: false, error: failureCode(error), writer: '', region: '' }),
    );
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

  constructor(journal: Journal, readonly probe: string) {
    this.batcher = new JournalBatcher((rows) => journal.append({ type: 'ledger.samples', probe, rows }));
  }

  add(outcome: LedgerOutcome): void {
    this.writes++;
    if (outcome.acked) this.acked++;
    this.batcher.push([
      outcome.seq,
      Math.round(outcome.t * 10) / 10,
      Math.round(outcome.latencyMs * 10) / 10,
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

  static start(probe: LedgerProbe, endpoints: Record<string, string>, journal: Journal, options: { runId: string; lookup?: LookupFunction }): LedgerSession {
    const urls = ledgerUrls(probe, endpoints);
    const ledger = new WriteLedger(probe, urls, ledgerClientId(options.runId, probe.name), { lookup: options.lookup });
    const recorder = new LedgerRecorder(journal, probe.name);
    ledger.onOutcome((outcome) => recorder.add(outcome));
    journal.append({ type: 'probe.started', probe: probe.name, kind: probe.kind, url: urls.write, rate: probe.rate, client: ledger.client });
    ledger.start();
    return new LedgerSession(ledger, recorder, journal);
  }

  /** Stops writing, waits for the writes in flight, then (unless told not to) reads back. */
  async finish(options: { readBack: boolean; signal?: AbortSignal }): Promise<void> {
    await this.ledger.stop();
    this.recorder.close();
    this.journal.append({ type: 'probe.stopped', probe: this.ledger.name, requests: this.recorder.writes, errors: this.recorder.writes - this.recorder.acked });
    if (!options.readBack) return;
    const result = await this.ledger.readBack(options.signal);
    this.journal.append({ type: 'ledger.readback', probe: this.ledger.name, client: this.ledger.client, url: this.ledger.urls.read, ...result });
  }
}


/** One HTTP exchange with a whole-exchange timeout; the body is read in full. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
