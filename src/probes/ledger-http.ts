import type http from 'node:http';
import type { LookupFunction } from 'node:net';
import { exchange, failureCode, probeAgent } from './exchange';
import type { LedgerReadAnswer, LedgerSpec, LedgerTransport, LedgerWriteAnswer } from './ledger-transport';
import { probeUrl } from './url';

export const defaultLedgerPath = '/ledger';

/** Where an HTTP ledger's writes go and where they are read back from (default: the same URL). */
export function ledgerUrls(probe: LedgerSpec, endpoints: Record<string, string>): { write: string; read: string } {
  const path = probe.path ?? defaultLedgerPath;
  const write = probeUrl({ url: probe.url, endpoint: probe.endpoint, path }, endpoints);
  if (probe.readBackFrom === undefined) return { write, read: write };
  const readPath = probe.url ? new URL(probe.url).pathname : path;
  return { write, read: endpoints[probe.readBackFrom].replace(/\/+$/, '') + readPath };
}

/**
 * The ledger over HTTP: `POST <url> {client, seq}`, acknowledged by `201` (committed on the
 * writer; 409 and anything else promise nothing), the writer named by `x-gameday-writer`;
 * read back by `GET <url>?client=` answering `{"seqs": [...]}`.
 */
export class HttpLedgerTransport implements LedgerTransport {
  private readonly agent: http.Agent | false;

  constructor(
    private readonly probe: LedgerSpec,
    private readonly urls: { write: string; read: string },
    private readonly lookup: LookupFunction | undefined,
  ) {
    this.agent = probeAgent(urls.write, probe.connection ?? 'keep-alive');
  }

  get writeTarget(): string {
    return this.urls.write;
  }

  get readTarget(): string {
    return this.urls.read;
  }

  async prepare(): Promise<void> {}

  write(client: string, seq: number): Promise<LedgerWriteAnswer> {
    const body = JSON.stringify({ client, seq });
    const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
    return exchange(this.urls.write, {
      method: 'POST',
      headers,
      body,
      agent: this.agent,
      timeoutMs: this.probe.timeout,
      lookup: this.lookup,
    }).then(
      (answer) => ({
        // 202: a region's durable write queue took it, to be replayed on the writer (queue-buffered).
        acked: answer.status === 201 || answer.status === 202,
        status: answer.status,
        error: '',
        writer: answer.writer,
        region: answer.region,
      }),
      (error: NodeJS.ErrnoException) => ({
        acked: false,
        status: 0,
        error: failureCode(error),
        writer: '',
        region: '',
      }),
    );
  }

  /** A connection of its own per attempt, so it follows DNS to the current writer. */
  async read(client: string, timeoutMs: number): Promise<LedgerReadAnswer> {
    const url = new URL(this.urls.read);
    url.searchParams.set('client', client);
    const answer = await exchange(url.toString(), {
      method: 'GET',
      agent: false,
      timeoutMs,
      lookup: this.lookup,
      readBody: true,
    });
    const seqs = (parseJson(answer.body) as { seqs?: unknown } | undefined)?.seqs;
    if (answer.status === 200 && Array.isArray(seqs) && seqs.every((seq) => typeof seq === 'number')) {
      return { ok: true, seqs: seqs as number[], writer: answer.writer, region: answer.region };
    }
    const why = answer.status === 200 ? ' without a seqs array' : '';
    return { ok: false, error: `HTTP ${answer.status}${why}: ${answer.body.slice(0, 200)}` };
  }

  close(): void {
    if (this.agent) this.agent.destroy();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
