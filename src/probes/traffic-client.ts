import type { LookupFunction } from 'node:net';
import { Client } from 'undici';
import { now } from '../core/clock';
import { DeadlineQueue } from './deadlines';
import { WaitingRequests } from './waiting-requests';

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

/** What a connection needs of its undici Client; tests pass their own to drive connects and answers. */
export type ConnectionClient = Pick<Client, 'dispatch' | 'destroy'>;
export type OpenClient = (origin: string, options: ConstructorParameters<typeof Client>[1]) => ConnectionClient;

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
  /** Opened and not yet connected: counts against the connects allowed at once (see TrafficClient.grow). */
  connecting = false;

  constructor(
    readonly client: ConnectionClient,
    private readonly owner: TrafficClient,
  ) {}

  onConnect(): void {
    if (this.connecting) this.owner.connectEnded(this);
  }

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
    if (this.connecting) this.owner.connectEnded(this);
    // A late word from an exchange already settled (timed out) frees nothing.
    if (!this.busy) return;
    this.owner.settle(this, transportCode(error), false);
    // Not from inside undici's error handling: it fails every request queued on this client and then asserts
    // the queue is empty, so a waiting request dispatched here crashed the process (a refused connect under load).
    queueMicrotask(this.releaseLater);
  }

  /** Bound once: a region refusing connects fails hundreds of requests a second. */
  private readonly releaseLater = (): void => this.owner.release(this);
}

/**
 * The traffic probe's HTTP client, on undici's Client (far cheaper per request than
 * node:http): a stack of connections, the most recently freed reused first. A request
 * released while all are busy takes the first connection that frees, or a new one opened
 * a turn of the event loop later within a bound on connects at once (see grow()). The
 * wait is short and counted: latency runs from the due time and the send lag from the
 * due time to when the request went out, so nothing is hidden. Each
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
  /** Released while every connection was busy; see grow(). */
  private readonly waiting = new WaitingRequests();
  private growing = false;
  private readonly growBound = (): void => this.grow();
  /** Connections opened and not yet connected, by when they count as slow (see grow()). */
  private readonly connects = new DeadlineQueue<Connection>();
  private connectingCount = 0;
  private growTimer: NodeJS.Timeout | undefined;
  private readonly growLaterBound = (): void => {
    this.growTimer = undefined;
    this.grow();
  };

  constructor(
    url: string,
    private readonly request: TrafficRequest,
    lookup: LookupFunction | undefined,
    private readonly settled: Settled,
    private readonly openClient: OpenClient = (origin, options) => new Client(origin, options),
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
    const released = now();
    this.inFlight++;
    const connection = this.idle.pop();
    if (connection) return this.dispatch(connection, due, released, released);
    this.waiting.push(due, released);
    this.armBy(released + this.request.timeoutMs);
    this.growNextTurn();
  }

  /** Called by a connection when its exchange ended; a late word from a timed-out exchange is ignored. */
  settle(connection: Connection, error: string, reusable = true): void {
    if (!connection.busy) return;
    connection.busy = false;
    this.inFlight--;
    this.settled(connection.due, connection.sentAt, error ? 0 : connection.status, error, connection.region);
    if (reusable) this.release(connection);
    this.deadlines.dropSettled(isStale);
    if (this.inFlight === 0 && this.drained) this.drained();
  }

  /** A settled connection takes the oldest waiting request, or waits idle for the next. */
  release(connection: Connection): void {
    if (this.closed) return;
    if (this.waiting.length > 0) this.dispatchWaiting(connection);
    else this.idle.push(connection);
  }

  /** Waits for the requests in flight (each bounded by the timeout), then closes every connection. */
  async close(): Promise<void> {
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    this.drained = null;
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.growTimer);
    this.timerAt = Infinity;
    this.idle.length = 0;
    await Promise.allSettled([...this.all].map((connection) => connection.client.destroy()));
    this.all.clear();
  }

  private open(): Connection {
    const connection = new Connection(this.openClient(this.origin, this.clientOptions), this);
    this.all.add(connection);
    return connection;
  }

  /** `sentAt`: when the request leaves, its release or, after a wait for a connection, later. */
  private dispatch(connection: Connection, due: number, released: number, sentAt: number): void {
    connection.seq++;
    connection.busy = true;
    connection.due = due;
    connection.sentAt = sentAt;
    // The deadline counts from the release, so a wait for a connection is inside the timeout.
    connection.deadline = released + this.request.timeoutMs;
    connection.status = 0;
    connection.region = '';
    this.deadlines.push(connection, connection.seq, connection.deadline);
    this.armBy(connection.deadline);
    connection.client.dispatch(this.dispatchOptions, connection);
  }

  private dispatchWaiting(connection: Connection): void {
    const due = this.waiting.headDue();
    const released = this.waiting.headReleased();
    this.waiting.dropHead();
    this.dispatch(connection, due, released, now());
  }

  /**
   * Opens connections for the requests still waiting, one turn of the event loop after
   * they were released, at most `connectsAtOnce` connecting at a time. After a stall (a GC
   * pause, a busy loop) a burst of requests is released while the answers that would free
   * the busy connections sit unread in their sockets; the loop's I/O phase reads them
   * first and each freed connection takes a waiting request. Opening one connection per
   * request of a burst at once instead made hundreds of connections whose setup (here and
   * in the server) and garbage caused the next stall: the probe snowballed far below what
   * the machine could send. A connect pending longer than `slowConnectMs` stops counting
   * against the limit, so a server that does not answer SYNs (a region cut off) still
   * gets a new connection — resolving the name afresh — for up to connectsAtOnce per
   * slowConnectMs, 1,280 a second, each request waiting at most that long for one.
   */
  private grow(): void {
    this.growing = false;
    const current = now();
    for (const connection of this.connects.expire(current, notConnecting)) this.connectEnded(connection, false);
    while (this.waiting.length > 0 && !this.closed && this.connectingCount < connectsAtOnce) {
      const connection = this.open();
      connection.connecting = true;
      this.connectingCount++;
      this.connects.push(connection, 0, current + slowConnectMs);
      this.dispatchWaiting(connection);
    }
    const nextSlow = this.connects.nextDeadline();
    if (this.waiting.length > 0 && nextSlow !== null && this.growTimer === undefined)
      this.growTimer = setTimeout(this.growLaterBound, Math.max(1, nextSlow - current));
  }

  /** A connect succeeded, failed, timed out or became slow: one more may start. */
  connectEnded(connection: Connection, growNow = true): void {
    connection.connecting = false;
    this.connectingCount--;
    if (growNow && this.waiting.length > 0) this.growNextTurn();
  }

  private growNextTurn(): void {
    if (this.growing) return;
    this.growing = true;
    setImmediate(this.growBound);
  }

  private armBy(deadline: number): void {
    if (deadline < this.timerAt) this.arm(deadline);
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.sweepBound, Math.max(0, at - now()));
  }

  /** Times out every exchange and every waiting request past its deadline, then sleeps until the next deadline. */
  private sweep(): void {
    this.timerAt = Infinity;
    const current = now();
    for (const connection of this.deadlines.expire(current, isStale)) {
      this.all.delete(connection);
      if (connection.connecting) this.connectEnded(connection);
      this.settle(connection, 'TIMEOUT', false);
      void connection.client.destroy(timedOut).catch(() => {});
    }
    const timeoutMs = this.request.timeoutMs;
    while (this.waiting.length > 0 && this.waiting.headReleased() + timeoutMs <= current) {
      const due = this.waiting.headDue();
      const released = this.waiting.headReleased();
      this.waiting.dropHead();
      this.inFlight--;
      this.settled(due, released, 0, 'TIMEOUT', '');
    }
    if (this.inFlight === 0 && this.drained) this.drained();
    if (this.closed) return;
    const next = Math.min(
      this.deadlines.nextDeadline() ?? Infinity,
      this.waiting.length > 0 ? this.waiting.headReleased() + timeoutMs : Infinity,
    );
    if (next !== Infinity) this.arm(next);
  }
}

/** See TrafficClient.grow(): enough for any loopback or LAN burst, bounded so a stall cannot snowball. */
export const connectsAtOnce = 64;
export const slowConnectMs = 50;

/** One error for every timed-out exchange: past a saturating rate, a stack trace each would cost more CPU still. */
const timedOut: NodeJS.ErrnoException = Object.assign(new Error('request timed out'), { code: 'TIMEOUT' });

function notConnecting(connection: Connection): boolean {
  return !connection.connecting;
}

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
