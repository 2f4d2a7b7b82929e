import dgram from 'node:dgram';
import type http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { formatDnsServer, type DnsServer } from '../targets/session';
import { selfSignedCertificate } from './tls-certificate';

const upstreamTimeoutMs = 2_000;
const maxMessageBytes = 4_096;

/**
 * A DNS-over-HTTPS front (RFC 8484) for a target's DNS server, so Chromium's own resolver
 * asks the target's DNS: Chromium resolves through DoH only, and only to an https://
 * template, so a browser cannot be pointed at a DNS server on an arbitrary port any other
 * way. Each query is passed on unchanged as a wire message (UDP, then TCP when the answer
 * is truncated) and the answer returned unchanged, TTLs included: the caching is
 * Chromium's. Listens on 127.0.0.1 with a throwaway certificate the browser is told to
 * trust by its key (`spkiSha256`). An upstream that does not answer is a SERVFAIL, as a
 * recursive resolver reports it.
 */
export class DohFront {
  /** Queries passed on, and how many got no answer from upstream. */
  queries = 0;
  failures = 0;
  private readonly listeners = new Set<(question: { name: string; type: number }) => void>();

  /** Calls `listener` with every question asked (name lower-cased, no final dot); returns its removal. */
  onQuestion(listener: (question: { name: string; type: number }) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: https.Server,
    readonly template: string,
    readonly spkiSha256: string,
  ) {
    server.on('connection', (socket: net.Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(upstream: DnsServer): Promise<DohFront> {
    const certificate = selfSignedCertificate('127.0.0.1');
    let front: DohFront | null = null;
    const server = https.createServer({ key: certificate.keyPem, cert: certificate.certPem }, (req, res) => {
      // Whatever goes wrong with one exchange (a client gone mid-request) ends that exchange, nothing else.
      front!.handle(upstream, req, res).catch(() => res.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    front = new DohFront(server, `https://127.0.0.1:${port}/dns-query{?dns}`, certificate.spkiSha256);
    return front;
  }

  /** Stops listening and drops every connection, a TLS handshake under way included. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private async handle(upstream: DnsServer, req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'https://doh.invalid');
    if (url.pathname !== '/dns-query') return res.writeHead(404).end();
    let query: Buffer;
    if (req.method === 'GET') query = Buffer.from(url.searchParams.get('dns') ?? '', 'base64url');
    else if (req.method === 'POST') query = await body(req);
    else return res.writeHead(405, { allow: 'GET, POST' }).end();
    if (query.length < 12 || query.length > maxMessageBytes) return res.writeHead(400).end();
    this.queries++;
    const question = questionOf(query);
    if (question) for (const listener of this.listeners) listener(question);
    let answer: Buffer;
    try {
      answer = await ask(upstream, query);
    } catch {
      this.failures++;
      answer = serverFailure(query);
    }
    // The browser's cache is what is measured: nothing between may keep an answer.
    res.writeHead(200, { 'content-type': 'application/dns-message', 'cache-control': 'no-store' }).end(answer);
  }
}

async function body(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxMessageBytes) return Buffer.alloc(0);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** One query to the DNS server over UDP; again over TCP when the UDP answer was truncated (TC). */
async function ask(server: DnsServer, query: Buffer): Promise<Buffer> {
  const answer = await overUdp(server, query);
  const truncated = (answer[2] & 0x02) !== 0;
  return truncated ? overTcp(server, query) : answer;
}

function overUdp(server: DnsServer, query: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => done(new Error(`${formatDnsServer(server)} did not answer`)), upstreamTimeoutMs);
    const done = (error: Error | null, answer?: Buffer) => {
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(answer!);
    };
    socket.on('error', (error) => done(error));
    // Only the answer to this query's id counts; anything else on the socket is not ours.
    socket.on('message', (message) => {
      if (message.length >= 12 && message.readUInt16BE(0) === query.readUInt16BE(0)) done(null, message);
    });
    socket.send(query, server.port, server.host);
  });
}

function overTcp(server: DnsServer, query: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: server.host, port: server.port });
    let received = Buffer.alloc(0);
    socket.setTimeout(upstreamTimeoutMs, () => socket.destroy(new Error(`${formatDnsServer(server)} did not answer`)));
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        socket.end();
        resolve(received.subarray(2, 2 + received.readUInt16BE(0)));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`${formatDnsServer(server)} closed the connection`)));
  });
}

/** The query turned into its SERVFAIL answer: same id and question, QR set, RCODE 2. */
function serverFailure(query: Buffer): Buffer {
  const answer = Buffer.from(query);
  answer[2] = (answer[2] | 0x80) & ~0x02 & 0xff; // QR, not truncated; opcode and RD kept
  answer[3] = (answer[3] & 0xf0) | 0x02;
  return answer;
}

/** The first question of a query (name and type), or null when it has none that can be read. */
export function questionOf(message: Buffer): { name: string; type: number } | null {
  if (message.length < 12 || message.readUInt16BE(4) === 0) return null;
  const labels: string[] = [];
  let offset = 12;
  while (offset < message.length) {
    const length = message[offset];
    if (length === 0) break;
    // A query's question is written out whole: a compression pointer (or anything past 63) is not one we read.
    if (length > 63 || offset + 1 + length > message.length) return null;
    labels.push(message.toString('latin1', offset + 1, offset + 1 + length));
    offset += 1 + length;
  }
  if (offset + 3 > message.length) return null;
  return { name: labels.join('.').toLowerCase(), type: message.readUInt16BE(offset + 1) };
}
