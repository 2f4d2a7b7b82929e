import type { LookupFunction } from 'node:net';
import { now } from '../core/clock';
import { DeadlineQueue } from './deadlines';
import {
  type ConnectionClient,
  encodeRequest,
  type ExchangeHandler,
  Http1Connection,
  TlsSessions,
} from './http1-connection';
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

/** Opens a connection (not yet connected: it connects on its first dispatch); tests pass their own. */
export type OpenClient = () => ConnectionClient;

/** How one exchange ended: `status` 0 with an errno-style `error` when the transport failed. */
export type Settled = (due: number, sentAt: number, status: number, error: string, region: string) => void;

/**
 * One connection and the one request on it at a time (no pipelining, like a browser or
 * node:http's agent). It is also the request's handler, so a request allocates no
 * handler, promise or closure of its own: the per-request path is a few field writes.
 */
class Connection implements ExchangeHandler {
  /** Bumped per request, so a deadline queued for an earlier request on this connection is recognised as stale. */
  seq = 0;
  busy = false;
  due = 0;
  sentAt = 0;
  deadline = 0;
  status = 0;
  region = '';
  /** Opened and not yet answered: counts against the connections opening at once (see TrafficClient.grow). */
  opening = false;

  constructor(
    readonly client: ConnectionClient,
    private readonly owner: TrafficClient,
  ) {}

  onHeaders(status: number, region: string): void {
    this.status = status;
    this.region = region;
  }

  onComplete(): void {
    this.owner.settle(this, '');
  }

  onError(error: NodeJS.ErrnoException): void {
    // The connection takes the next request at once: its dispatch connects anew.
    this.owner.settle(this, error.code ?? error.name);
  }
}

/**
 * The traffic probe's HTTP client, on raw HTTP/1.1 connections (http1-connection.ts, far
 * cheaper per request than node:http or undici): a stack of connections, the most
 * recently freed reused first. A request released while all are busy takes the first
 * connection that frees, or a new one opened a turn of the event loop later within a
 * bound on connects at once (see grow()). The wait is short and counted: latency runs
 * from the due time and the send lag from the due time to when the request went out, so
 * nothing is hidden. Each connection resolves the host when it connects, through
 * `lookup` (the run's resolver honouring TTLs, or a sticky cache), exactly as node:http's
 * agent did: a keep-alive client moves to another address only on a new connection, a
 * 'new' client on every request. Timeouts cost one timer for all requests (see
 * DeadlineQueue): a request past its deadline is reported as TIMEOUT at once and its
 * connection destroyed, as node:http's request.destroy() did.
 */
export class TrafficClient {
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
  /** Connections opened and not yet answered, by when they count as slow (see grow()). */
  private readonly openings = new DeadlineQueue<Connection>();
  private openingCount = 0;
  /** When an established connection last answered within slowOpeningMs of its request going out (see grow()). */
  private answeredQuicklyAt = -Infinity;
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
    private readonly openClient: OpenClient = openHttp1(url, request, lookup),
  ) {}

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
    // Its first exchange ended, however: it is open (or gone), no longer opening.
    if (connection.opening) this.openingEnded(connection);
    else if (this.openingCount > 0 && error === '') this.answered(connection);
    this.inFlight--;
    this.settled(connection.due, connection.sentAt, error ? 0 : connection.status, error, connection.region);
    if (reusable) this.release(connection);
    this.deadlines.dropSettled(isStale);
    if (this.inFlight === 0 && this.drained) this.drained();
  }

  /** An established connection's answer, while connections are opening: is the server answering? (see grow()) */
  private answered(connection: Connection): void {
    const current = now();
    if (current - connection.sentAt < slowOpeningMs) this.answeredQuicklyAt = current;
  }

  /** A settled connection takes the oldest waiting request, or waits idle for the next. */
  private release(connection: Connection): void {
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
    for (const connection of this.all) connection.client.destroy();
    this.all.clear();
  }

  private open(): Connection {
    const connection = new Connection(this.openClient(), this);
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
    connection.client.dispatch(connection);
  }

  private dispatchWaiting(connection: Connection): void {
    const due = this.waiting.headDue();
    const released = this.waiting.headReleased();
    this.waiting.dropHead();
    this.dispatch(connection, due, released, now());
  }

  /**
   * Opens connections for the requests still waiting, one turn of the event loop after
   * they were released, at most `openingAtOnce` opening at a time. After a stall (a GC
   * pause, a busy loop) a burst of requests is released while the answers that would free
   * the busy connections sit unread in their sockets; the loop's I/O phase reads them
   * first and each freed connection takes a waiting request. Opening one connection per
   * request of a burst at once instead made hundreds of connections whose setup (here and
   * in the server) and garbage caused the next stall: the probe snowballed far below what
   * the machine could send. A connection is opening until its first answer, not until its
   * handshake: the server's kernel completes handshakes into the accept queue whether or not
   * the server keeps up, so a limit on handshakes alone let a server slow to accept be sent
   * connections as fast as the kernel answered, a thousand and more in a step's first half
   * second, until its accept queue overflowed and dropped SYNs (each retried a second later).
   * A connection opening longer than `slowOpeningMs` stops counting against the limit, so a
   * server that does not answer SYNs (a region cut off) still gets a new connection —
   * resolving the name afresh — for up to openingAtOnce per slowOpeningMs, 1,280 a second,
   * each request waiting at most that long for one; so does a server slow to answer (a
   * latency fault, on every request or some), which needs more connections to carry the
   * rate. Not while the server answers the connections it has (see answersItsConnections):
   * then a slow opening is a server slow to take new connections, and one more only
   * lengthens its accept queue.
   */
  private grow(): void {
    this.growing = false;
    const current = now();
    const slow = this.openings.expire(current, notOpening);
    if (slow.length > 0 && this.answersItsConnections(current))
      for (const connection of slow) this.openings.push(connection, 0, current + slowOpeningMs);
    else for (const connection of slow) this.openingEnded(connection, false);
    while (this.waiting.length > 0 && !this.closed && this.openingCount < openingAtOnce) {
      const connection = this.open();
      connection.opening = true;
      this.openingCount++;
      this.openings.push(connection, 0, current + slowOpeningMs);
      this.dispatchWaiting(connection);
    }
    const nextSlow = this.openings.nextDeadline();
    if (this.waiting.length > 0 && nextSlow !== null && this.growTimer === undefined)
      this.growTimer = setTimeout(this.growLaterBound, Math.max(1, nextSlow - current));
  }

  /** A connection was answered, failed, timed out or became slow: one more may open. */
  private openingEnded(connection: Connection, growNow = true): void {
    connection.opening = false;
    this.openingCount--;
    if (growNow && this.waiting.length > 0) this.growNextTurn();
  }

  /**
   * Whether the server is answering the connections it has: one answered within
   * slowOpeningMs of its request lately, and none has waited that long on an answer. A
   * connection still opening past slowOpeningMs then waits on the server's accept, not its
   * answers: a Node server (libuv ≥ 1.45) accepts one connection per turn of its event loop,
   * so a saturated one takes a few a second. Sent 1,280 a second regardless, the bench's
   * server at 48,000–60,000 req/s overflowed its accept queue, which drops the handshake's
   * last packet (the SYN-ACK is resent after a second, then two more): thousands of requests
   * timed out, in steps it held once slow openings kept counting here (README, Benchmarks).
   */
  private answersItsConnections(current: number): boolean {
    if (current - this.answeredQuicklyAt >= slowOpeningMs) return false;
    for (const connection of this.all)
      if (connection.busy && !connection.opening && current - connection.sentAt >= slowOpeningMs) return false;
    return true;
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
      this.settle(connection, 'TIMEOUT', false);
      connection.client.destroy();
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
export const openingAtOnce = 64;
export const slowOpeningMs = 50;

function notOpening(connection: Connection): boolean {
  return !connection.opening;
}

function isStale(connection: Connection, seq: number): boolean {
  return !connection.busy || connection.seq !== seq;
}

/** The request encoded once, and a raw HTTP/1.1 connection per connection opened (see http1-connection.ts). */
function openHttp1(url: string, request: TrafficRequest, lookup: LookupFunction | undefined): OpenClient {
  const encoded = encodeRequest(url, { ...request, closeAfter: request.connection === 'new' });
  const sessions = new TlsSessions();
  return () => new Http1Connection(encoded, lookup, sessions);
}
