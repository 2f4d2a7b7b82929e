import net, { type LookupFunction } from 'node:net';
import tls from 'node:tls';
import { HTTPParser } from 'http-parser-js';
import { isHttpToken, splitsRequest, writtenByConnection } from './request-headers';

type ResponseParser = InstanceType<typeof HTTPParser>;

/** What one exchange on a connection reports, in order: final status, end. */
export interface ExchangeHandler {
  onHeaders(status: number, region: string): void;
  onComplete(): void;
  /** The exchange failed; `error.code` is errno-style (ECONNREFUSED, ECONNRESET, ENOTFOUND, HPE_…, a TLS code). */
  onError(error: NodeJS.ErrnoException): void;
}

/** A connection that carries one exchange at a time; tests pass their own to drive connects and answers. */
export interface ConnectionClient {
  dispatch(handler: ExchangeHandler): void;
  /** Closes the socket; the exchange on it (if any) gets no further word. */
  destroy(): void;
}

/** One request, encoded once for every connection: the traffic sends the same request again and again. */
export interface EncodedRequest {
  host: string;
  port: number;
  tls: boolean;
  /** The request line, headers and body as they go on the wire. */
  bytes: Buffer;
  /** A HEAD request's response has headers only, whatever its content-length says. */
  head: boolean;
  /** Sent `connection: close`: the socket closes after each response, so each request connects anew. */
  closeAfter: boolean;
}

const methodsWithBody = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Encodes a request as undici's Client did: the URL's host (with a non-default port), connection keep-alive or
 * close, the caller's headers, content-length when there is a body (or 0 for a method that carries one). A
 * header name or value that could split the request (a CR, LF or NUL in it) is refused, not sent.
 */
export function encodeRequest(
  url: string,
  request: { method: string; headers: Record<string, string>; body?: string; closeAfter: boolean },
): EncodedRequest {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new Error(`${url}: the traffic probe speaks http: and https:, not ${parsed.protocol}`);
  const secure = parsed.protocol === 'https:';
  const body = request.body === undefined ? null : Buffer.from(request.body);
  let head = `${request.method} ${parsed.pathname}${parsed.search} HTTP/1.1\r\n`;
  const names = Object.keys(request.headers).map((name) => name.toLowerCase());
  if (!names.includes('host')) head += `host: ${parsed.host}\r\n`;
  head += request.closeAfter ? 'connection: close\r\n' : 'connection: keep-alive\r\n';
  for (const [name, value] of Object.entries(request.headers)) {
    if (!isHttpToken(name)) throw new Error(`header name ${JSON.stringify(name)} is not an HTTP token`);
    if (splitsRequest(value)) throw new Error(`header ${name}: its value has a CR, LF or NUL`);
    if (!writtenByConnection.includes(name.toLowerCase())) head += `${name}: ${value}\r\n`;
  }
  if (body) head += `content-length: ${body.length}\r\n`;
  else if (methodsWithBody.has(request.method)) head += 'content-length: 0\r\n';
  head += '\r\n';
  const headBytes = Buffer.from(head, 'latin1');
  return {
    // The URL's hostname keeps an IPv6 address's brackets; a socket wants the address alone.
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(parsed.port || (secure ? 443 : 80)),
    tls: secure,
    bytes: body ? Buffer.concat([headBytes, body]) : headBytes,
    head: request.method === 'HEAD',
    closeAfter: request.closeAfter,
  };
}

/**
 * One HTTP/1.1 connection on a raw socket, the traffic probe's: the request's bytes are
 * encoded once and written as they are, and responses are read with http-parser-js, as
 * autocannon does: the probe's process took about a third less CPU per request than on an
 * undici Client (see README, Benchmarks), and one thread sends a drill's whole schedule. It
 * keeps undici's Client's contract where the traffic client relies on it: a
 * dispatch on a closed connection (the server closed it, or said `connection: close`)
 * connects again, resolving the name through `lookup` then; the request goes out once the
 * socket (and TLS) is up; a socket that closes before its response is complete fails the
 * exchange with ECONNRESET, as node:http's "socket hang up" did.
 */
export class Http1Connection implements ConnectionClient {
  private socket: net.Socket | null = null;
  private parser: ResponseParser | null = null;
  private connected = false;
  private handler: ExchangeHandler | null = null;
  /** The response being read is a 1xx: its end is not the exchange's. */
  private informational = false;
  private keepAlive = true;
  /** When the last response ended, and how long the server will keep the socket idle (see idleLimitOf). */
  private idleSince = 0;
  private idleLimitMs = defaultIdleLimitMs;

  /** `sessions`: shared by one probe's connections, so a new TLS connection resumes a session (no full handshake). */
  constructor(
    private readonly request: EncodedRequest,
    private readonly lookup: LookupFunction | undefined,
    private readonly sessions: TlsSessions = new TlsSessions(),
  ) {}

  dispatch(handler: ExchangeHandler): void {
    this.handler = handler;
    // A socket idle for about as long as the server keeps one may be closing as the request goes out: the race
    // would fail the request with ECONNRESET, which a drill counts against the region. A new one cannot race.
    if (this.connected && performance.now() - this.idleSince > this.idleLimitMs) this.drop();
    if (this.socket === null) this.open();
    else if (this.connected) this.send();
  }

  destroy(): void {
    this.handler = null;
    this.drop();
  }

  private open(): void {
    const { host, port } = this.request;
    const servername = net.isIP(host) ? undefined : host;
    const socket = this.request.tls
      ? tls.connect({ host, port, lookup: this.lookup, servername, session: this.sessions.last })
      : net.connect({ host, port, lookup: this.lookup, noDelay: true });
    if (socket instanceof tls.TLSSocket) {
      socket.setNoDelay(true);
      socket.on('session', (session: Buffer) => (this.sessions.last = session));
    }
    const parser = new HTTPParser(HTTPParser.RESPONSE);
    this.socket = socket;
    this.parser = parser;
    this.connected = false;
    this.informational = false;
    // Each socket learns its own server's keep-alive timeout: after a failover the name leads to another server.
    this.idleLimitMs = defaultIdleLimitMs;
    parser[HTTPParser.kOnHeadersComplete] = (info) =>
      this.headersComplete(parser, info.statusCode, info.headers, info.shouldKeepAlive);
    parser[HTTPParser.kOnMessageComplete] = () => this.messageComplete(parser);
    socket.on(this.request.tls ? 'secureConnect' : 'connect', () => {
      if (this.socket !== socket) return;
      this.connected = true;
      this.idleSince = performance.now();
      if (this.handler) this.send();
    });
    socket.on('data', (chunk: Buffer) => this.read(parser, chunk));
    socket.on('end', () => this.ended(socket));
    socket.on('error', (error: NodeJS.ErrnoException) => this.failed(socket, error));
    socket.on('close', () => this.failed(socket, otherSideClosed));
  }

  private send(): void {
    this.socket!.write(this.request.bytes);
  }

  private read(parser: ResponseParser, chunk: Buffer): void {
    if (this.parser !== parser) return;
    const result = parser.execute(chunk);
    if (result instanceof Error && this.parser === parser) this.fail(parseError(result));
  }

  /** Returns 1 to tell the parser a HEAD response has no body. */
  private headersComplete(parser: ResponseParser, status: number, headers: string[], keepAlive: boolean): number {
    if (this.parser !== parser) return 0;
    // 101 ends the exchange like any final status (the probe never asks to upgrade); 100, 102, 103 precede one.
    this.informational = status >= 100 && status < 200 && status !== 101;
    if (this.informational) return 0;
    // The parser's verdict: HTTP/1.1 without `connection: close` (1.0 with keep-alive), a delimited body.
    this.keepAlive = keepAlive && !this.request.closeAfter && status !== 101;
    let region = '';
    for (let index = 0; index < headers.length; index += 2) {
      const name = headers[index];
      // The length tests first: only 16- and 10-character names are lowercased.
      if (name.length === 16 && name.toLowerCase() === 'x-gameday-region') region = headers[index + 1];
      else if (name.length === 10 && name.toLowerCase() === 'keep-alive')
        this.idleLimitMs = idleLimitOf(headers[index + 1]);
    }
    this.handler?.onHeaders(status, region);
    return this.request.head ? 1 : 0;
  }

  private messageComplete(parser: ResponseParser): void {
    if (this.parser !== parser) return;
    if (this.informational) {
      this.informational = false;
      return;
    }
    const handler = this.handler;
    this.handler = null;
    this.idleSince = performance.now();
    // Closed before the handler hears of it: the next request it dispatches here connects anew.
    if (!this.keepAlive) this.drop();
    handler?.onComplete();
  }

  /** The server finished sending: a body delimited by the close ends here, anything else was cut short. */
  private ended(socket: net.Socket): void {
    if (this.socket !== socket) return;
    // A close-delimited body completes here (and drops the socket); a cut-short one leaves it to fail.
    if (this.handler) this.parser!.finish();
    if (this.socket === socket) this.fail(otherSideClosed);
  }

  private failed(socket: net.Socket, error: NodeJS.ErrnoException): void {
    if (this.socket === socket) this.fail(error);
  }

  private fail(error: NodeJS.ErrnoException): void {
    const handler = this.handler;
    this.handler = null;
    this.drop();
    handler?.onError(error);
  }

  private drop(): void {
    const socket = this.socket;
    this.socket = null;
    this.parser = null;
    this.connected = false;
    socket?.destroy();
  }
}

/**
 * The last TLS session a server gave one probe's connections, as undici's connector caches
 * them: every connection of a probe goes to one host, so one is enough. After a failover the
 * name leads to another server, which declines it, and that connection does a full handshake.
 */
export class TlsSessions {
  last: Buffer | undefined;
}

/** One error for every connection the server closed mid-exchange, as node:http's "socket hang up". */
const otherSideClosed: NodeJS.ErrnoException = Object.assign(new Error('the server closed the connection'), {
  code: 'ECONNRESET',
});

/** The parser's own codes (HPE_INVALID_CONSTANT, …) pass through; its uncoded errors get node's names. */
function parseError(error: NodeJS.ErrnoException): NodeJS.ErrnoException {
  if (!error.code) error.code = /max header size/.test(error.message) ? 'HPE_HEADER_OVERFLOW' : 'HPE_INVALID';
  return error;
}

/** Without a `keep-alive: timeout=N` from the server: Node's http server keeps an idle socket 5 s, undici assumed 4. */
export const defaultIdleLimitMs = 4_000;

/**
 * How long a socket may sit idle before it is not reused, from the server's
 * `keep-alive: timeout=N` (seconds): a second less than the server's N, as undici does, or
 * half of N under two seconds, so the request never arrives as the server closes.
 */
export function idleLimitOf(keepAlive: string): number {
  const match = /(?:^|[\s,])timeout\s*=\s*(\d+)/i.exec(keepAlive);
  if (!match) return defaultIdleLimitMs;
  const seconds = Math.min(Number(match[1]), 600);
  return seconds * 1000 - Math.min(1000, seconds * 500);
}
