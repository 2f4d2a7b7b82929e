/**
 * One proxied TCP connection: the client's socket, the socket to the upstream, and a
 * link for each direction.
 *
 * Teardown rules, chosen so the proxy is transparent when no toxic applies:
 * - A side that closes with an error (reset, refused, broken pipe) resets the other
 *   side, as the peer would have seen the failure on a direct connection.
 * - A side that closes cleanly has sent its FIN; its link finishes delivering what it
 *   sent, then the other side is ended and closed.
 * - Both sockets are half-open capable, so one side's FIN is forwarded as a FIN and the
 *   other direction keeps flowing until it ends too.
 */
import net, { type Socket } from 'node:net';
import type { HostPort } from './address';
import { ProxyConnectionError, type ConnectionSide } from './errors';
import { Link, type ConnectionControl } from './link';
import type { StreamDirection } from './stream-direction';
import type { Toxic } from './toxic';

export interface ConnectionInfo {
  readonly id: number;
  readonly client: { readonly address: string; readonly port: number };
  readonly upstream: HostPort;
}

export class ProxyConnection {
  readonly links: Readonly<Record<StreamDirection, Link>>;
  /** Resolves once both sockets have closed and the links have stopped. */
  readonly closed: Promise<void>;

  private readonly upstreamSocket: Socket;

  constructor(
    readonly proxyName: string,
    readonly info: ConnectionInfo,
    private readonly clientSocket: Socket,
    toxics: readonly Toxic[],
    report: (error: ProxyConnectionError) => void,
  ) {
    const upstreamSocket = net.connect({ host: info.upstream.host, port: info.upstream.port, allowHalfOpen: true });
    this.upstreamSocket = upstreamSocket;
    // The proxy must add no delay of its own; Nagle on the forwarding hop would.
    clientSocket.setNoDelay(true);
    upstreamSocket.setNoDelay(true);

    const control: ConnectionControl = {
      close: () => this.close(),
      reset: () => this.reset(),
      fail: (error) => {
        report(new ProxyConnectionError(proxyName, info.id, 'proxy', error));
        this.reset();
      },
    };
    const onError = (side: ConnectionSide) => (error: Error) =>
      report(new ProxyConnectionError(proxyName, info.id, side, error));
    clientSocket.on('error', onError('client'));
    upstreamSocket.on('error', onError('upstream'));

    this.links = {
      upstream: new Link('upstream', clientSocket, upstreamSocket, control, toxicsFor('upstream', toxics)),
      downstream: new Link('downstream', upstreamSocket, clientSocket, control, toxicsFor('downstream', toxics)),
    };

    const clientClosed = onceClosed(clientSocket, this.links.upstream, upstreamSocket);
    const upstreamClosed = onceClosed(upstreamSocket, this.links.downstream, clientSocket);
    this.closed = Promise.all([clientClosed, upstreamClosed]).then(() => {
      this.links.upstream.stop();
      this.links.downstream.stop();
    });
  }

  /** Closes both sides at once, dropping anything still queued (FIN, or RST if unread data remains). */
  close(): void {
    this.clientSocket.destroy();
    this.upstreamSocket.destroy();
  }

  /** Resets both sides: each peer sees ECONNRESET. */
  reset(): void {
    resetSocket(this.clientSocket);
    resetSocket(this.upstreamSocket);
  }
}

function toxicsFor(direction: StreamDirection, toxics: readonly Toxic[]): Toxic[] {
  return toxics.filter((toxic) => toxic.stream === direction);
}

/** Resolves when `socket` closes, after passing its close on to `otherSide` by the rules above. */
function onceClosed(socket: Socket, linkFromSocket: Link, otherSide: Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.once('close', (hadError: boolean) => {
      if (hadError) resetSocket(otherSide);
      else void linkFromSocket.finished.then(() => endThenDestroy(otherSide));
      resolve();
    });
  });
}

function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  // resetAndDestroy() on a socket still connecting would wait for the connect; there is
  // nothing to reset yet, so just abandon it.
  if (socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}

/** Lets written bytes reach the peer before closing, unlike destroy() which discards them. */
function endThenDestroy(socket: Socket): void {
  if (socket.destroyed) return;
  socket.end();
  if (socket.writableFinished) socket.destroy();
  else socket.once('finish', () => socket.destroy());
}
