import type { LookupFunction } from 'node:net';
import { Client } from 'undici';
import { now } from '../core/clock';
import { DeadlineQueue } from './deadlines';

/** What the traffic sends (an http probe's fields, resolved). */
export interface TrafficRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Covers the whole exchange from its release: connect, send, headers and body. */
  timeoutMs: number;
  /** 'new' closes each connection after its request, so every request connects (and resolves the name) anew. */
  connection: 'keep-alive' | 'new';
}

/** How one exchange ended: `status` 0 with an errno-style `error` when the transport failed. */
export type Settled = (due: number, sentAt: number, status: number, error: string, region: string) => void;

/**
 * One connection and the one request on it at a time (no pipelining, like a browser or
 * node:http's agent). It is also the request's undici handler, so a request allocates no
 * handler, promise or closure of its own: the per-request path is a few field writes.
 */
class Connection {
  /** Bumped per request, so a deadline queued for an earlier request on this connection is recognised as stale. */
  seq = 0;
  busy = false;
  due = 0;
  sentAt = 0;
  deadline = 0;
  status = 0;
  region = '';

  constructor(
    readonly client: Client,
    private readonly owner: TrafficClient,
  ) {}

  onConnect(): void {}

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.status = statusCode;
    this.region = regionOf(rawHeaders);
    return true;
  }

  onData(): boolean {
    return true;
  }

  onComplete(): void {
    this.owner.settle(this, '');
  }

  onError(error: NodeJS.ErrnoException): void {
    this.owner.settle(this, transportCode(error));
  }
}

/**
 * The traffic probe's HTTP client, on undici's Client (far cheaper per request than
 * node:http): a stack of connections, the most recently freed reused first, a new one
 * opened whenever all are busy — an open model never waits for a free connection. Each
 * connection resolves the host when it connects, through `lookup` (the run's resolver
 * honouring TTLs, or a sticky cache), exactly as node:http's agent did: a keep-alive
 * client moves to another address only on a new connection, a 'new' client on every
 * request. Timeouts cost one timer for all requests (see DeadlineQueue): a request past
 * its deadline is reported as TIMEOUT at once and its connection destroyed, as
 * node:http's request.destroy() did.
 */
export class TrafficClient {
  private readonly origin: string;
  private readonly dispatchOptions: {
    path: string;
    method: string;
    headers: string[];
    body: Buffer | null;
    reset: boolean;
  };
  private readonly clientOptions: ConstructorParameters<typeof Client>[1];
  private readonly idle: Connection[] = [];
  private readonly deadlines = new DeadlineQueue<Connection>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private closed = false;
  private readonly all = new Set<Connection>();
  inFlight = 0;
  private drained: (() => void) | null = null;
  private readonly sweepBound = (): void => this.sweep();

  constructor(
    url: string,
    private readonly request: TrafficRequest,
    lookup: LookupFunction | undefined,
    private readonly settled: Settled,
  ) {
    const parsed = new URL(url);
    this.origin = parsed.origin;
    const headers: string[] = [];
    for (const [name, value] of Object.entries(request.headers)) headers.push(name, value);
    this.dispatchOptions = {
      path: `${parsed.pathname}${parsed.search}`,
      method: request.method,
      headers,
      body: request.body === undefined ? null : Buffer.from(request.body),
      reset: request.connection === 'new',
    };
    this.clientOptions = {
      pipelining: 1,
      // The whole-exchange deadline is ours; undici's own would only race it.
      headersTimeout: 0,
      bodyTimeout: 0,
      connectTimeout: request.timeoutMs + 1_000,
      connect: lookup ? { lookup } : undefined,
    };
  }

  /** Releases one request due at `due`; its outcome goes to `settled`. */
  send(due: number): void {
    const connection = this.idle.pop() ?? this.open();
    const sentAt = now();
    connection.seq++;
    connection.busy = true;
    connection.due = due;
    connection.sentAt = sentAt;
    connection.deadline = sentAt + this.request.timeoutMs;
    connection.status = 0;
    connection.region = '';
    this.inFlight++;
    this.deadlines.push(connection, connection.seq, connection.deadline);
    if (connection.deadline < this.timerAt) this.arm(connection.deadline);
    connection.client.dispatch(this.dispatchOptions, connection);
  }

  /** Called by a connection when its exchange ended; a late word from a timed-out exchange is ignored. */
  settle(connection: Connection, error: string, reusable = true): void {
    if (!connection.busy) return;
    connection.busy = false;
    this.inFlight--;
    this.settled(connection.due, connection.sentAt, error ? 0 : connection.status, error, connection.region);
    if (reusable && !this.closed) this.idle.push(connection);
    this.deadlines.dropSettled(isStale);
    if (this.inFlight === 0 && this.drained) this.drained();
  }

  /** Waits for the requests in flight (each bounded by the timeout), then closes every connection. */
  async close(): Promise<void> {
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    this.drained = null;
    this.closed = true;
    clearTimeout(this.timer);
    this.timerAt = Infinity;
    this.idle.length = 0;
    await Promise.allSettled([...this.all].map((connection) => connection.client.destroy()));
    this.all.clear();
  }

  private open(): Connection {
    const connection = new Connection(new Client(this.origin, this.clientOptions), this);
    this.all.add(connection);
    return connection;
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.sweepBound, Math.max(0, at - now()));
  }

  /** Times out every exchange past its deadline, then sleeps until the next deadline. */
  private sweep(): void {
    this.timerAt = Infinity;
    const current = now();
    for (const connection of this.deadlines.expire(current, isStale)) {
      this.all.delete(connection);
      this.settle(connection, 'TIMEOUT', false);
      void connection.client.destroy(timedOut).catch(() => {});
    }
    const next = this.deadlines.nextDeadline();
    if (next !== null && !this.closed) this.arm(next);
  }
}

/** One error for every timed-out exchange: past a saturating rate, a stack trace each would cost more CPU still. */
const timedOut: NodeJS.ErrnoException = Object.assign(new Error('request timed out'), { code: 'TIMEOUT' });

function isStale(connection: Connection, seq: number): boolean {
  return !connection.busy || connection.seq !== seq;
}

/** x-gameday-region from undici's raw header list (name, value, name, value, …). */
function regionOf(rawHeaders: Buffer[]): string {
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index];
    // The length test first: only 16-byte names are decoded.
    if (name.length === 16 && name.toString('latin1').toLowerCase() === 'x-gameday-region')
      return rawHeaders[index + 1].toString('latin1');
  }
  return '';
}

/**
 * The errno-style code journals carry, the same as node:http gave: undici's "other side
 * closed" is node's "socket hang up" (ECONNRESET); its own timeouts are TIMEOUT; network
 * errors (ECONNREFUSED, ENOTFOUND, …) pass through.
 */
export function transportCode(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'UND_ERR_SOCKET':
      return 'ECONNRESET';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'TIMEOUT';
    default:
      return error.code ?? error.name ?? 'ERROR';
  }
}
