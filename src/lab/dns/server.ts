import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { Exchange, Rcode, Transport, TcpFramer, answerQuery, frameTcp, serverFailure } from './wire';
import type { Zone } from './zone';

export interface DnsServerOptions {
  /** Default '127.0.0.1'. IPv6 addresses work too. */
  host?: string;
  /** 0 picks a free port, the same for UDP and TCP. Default 0. */
  port?: number;
  zone: Zone;
  /** Also answer over TCP (dig +tcp, truncated UDP retries). Default true. */
  tcp?: boolean;
  /** Idle TCP connections are closed after this long. Default 10 s. */
  tcpIdleTimeoutMs?: number;
}

export interface DnsQueryEvent {
  readonly at: number;
  readonly transport: Transport;
  readonly remote: { readonly address: string; readonly port: number };
  /** Absent when the packet had no usable question (FORMERR). */
  readonly name?: string;
  readonly type?: string;
  readonly rcode: Rcode;
  readonly answers: number;
  readonly truncated: boolean;
}

export interface DnsServerEvents {
  /** Every answered query; the dns probe and the lab's query log listen here. */
  query: [DnsQueryEvent];
  /** A socket error after start. Named so that an unlistened one can't crash the process. */
  socketError: [Error];
}

/** How many times a free port is sought when TCP can't take the port UDP got. */
const portAttempts = 10;

/**
 * The lab's global DNS: a real UDP (and TCP) server answering from a Zone. It owns no
 * state of its own; changes to the zone show in the very next answer.
 */
export class DnsServer extends EventEmitter<DnsServerEvents> {
  private readonly tcpSockets = new Set<net.Socket>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly zone: Zone,
    private readonly host: string,
    private readonly port: number,
    private readonly udp: dgram.Socket,
    private readonly tcp: net.Server | undefined,
    private readonly tcpIdleTimeoutMs: number,
  ) {
    super();
    udp.on('message', (message, remote) => this.onUdpMessage(message, remote));
    udp.on('error', (error) => this.emit('socketError', error));
    tcp?.on('connection', (socket) => this.onTcpConnection(socket));
    tcp?.on('error', (error) => this.emit('socketError', error));
  }

  static async start(options: DnsServerOptions): Promise<DnsServer> {
    const host = options.host ?? '127.0.0.1';
    const requestedPort = options.port ?? 0;
    const wantTcp = options.tcp ?? true;
    for (let attempt = 1; ; attempt += 1) {
      const udp = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4' });
      await bindUdp(udp, host, requestedPort);
      const port = udp.address().port;
      if (!wantTcp) return new DnsServer(options.zone, host, port, udp, undefined, options.tcpIdleTimeoutMs ?? 10_000);
      try {
        const tcp = await listenTcp(host, port);
        return new DnsServer(options.zone, host, port, udp, tcp, options.tcpIdleTimeoutMs ?? 10_000);
      } catch (error) {
        await new Promise<void>((resolve) => udp.close(() => resolve()));
        // With a fixed port there is nothing to retry; with port 0 another free UDP port may
        // also be free for TCP.
        const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
        if (requestedPort !== 0 || !inUse || attempt >= portAttempts) throw error;
      }
    }
  }

  address(): { host: string; port: number } {
    return { host: this.host, port: this.port };
  }

  /** Closes both sockets and every open TCP connection. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= Promise.all([
      new Promise<void>((resolve) => this.udp.close(() => resolve())),
      new Promise<void>((resolve) => {
        if (this.tcp === undefined) return resolve();
        this.tcp.close(() => resolve());
        for (const socket of this.tcpSockets) socket.destroy();
      }),
    ]).then(() => undefined);
    return this.closing;
  }

  private onUdpMessage(message: Buffer, remote: dgram.RemoteInfo): void {
    const response = this.respond(message, 'udp', remote);
    if (response !== undefined && this.closing === undefined) {
      this.udp.send(response, remote.port, remote.address, (error) => {
        if (error) this.emit('socketError', error);
      });
    }
  }

  private onTcpConnection(socket: net.Socket): void {
    this.tcpSockets.add(socket);
    const framer = new TcpFramer();
    const remote = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    socket.setTimeout(this.tcpIdleTimeoutMs, () => socket.destroy());
    socket.on('data', (chunk) => {
      for (const message of framer.push(chunk)) {
        const response = this.respond(message, 'tcp', remote);
        if (response !== undefined) socket.write(frameTcp(response));
      }
    });
    // A client resetting the connection is routine, not a server problem.
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.tcpSockets.delete(socket));
  }

  private respond(
    message: Buffer,
    transport: Transport,
    remote: { address: string; port: number },
  ): Buffer | undefined {
    const at = Date.now();
    let exchange: Exchange | undefined;
    try {
      exchange = answerQuery(message, this.zone, transport);
    } catch {
      return serverFailure(message);
    }
    if (exchange === undefined) return undefined;
    try {
      this.emit('query', {
        at,
        transport,
        remote: { address: remote.address, port: remote.port },
        name: exchange.question?.name,
        type: exchange.question?.type,
        rcode: exchange.rcode,
        answers: exchange.truncated ? 0 : (exchange.lookup?.answers.length ?? 0),
        truncated: exchange.truncated,
      });
    } catch {
      // A failing listener (a probe, a log) must not cost the client its answer or crash the server.
    }
    return exchange.response;
  }
}

function bindUdp(socket: dgram.Socket, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      socket.close();
      reject(error);
    };
    socket.once('error', onError);
    socket.bind(port, host, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}

function listenTcp(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
