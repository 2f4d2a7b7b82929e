/**
 * The fault proxy: a TCP proxy whose toxics (latency, blackhole, reset, bandwidth, ...)
 * can be added, changed and removed while traffic flows, with Toxiproxy's semantics.
 * The lab puts one in front of each region's app and on each replication link.
 *
 * Invariants:
 * - Toxic changes reach every open connection at once, not only new ones.
 * - Nothing a peer does (refusing, resetting, vanishing) throws out of the proxy; it is
 *   reported through the 'error' event, and only when someone listens, because an
 *   unreachable upstream is a condition to observe, not a failure of the proxy.
 * - Enabling, disabling and closing run one at a time, in call order.
 */
import { EventEmitter } from 'node:events';
import net, { type AddressInfo, type Server, type Socket } from 'node:net';
import { checkHostPort, formatHostPort, type HostPort } from './address';
import {
  ProxyClosedError,
  ProxyConnectionError,
  ProxyListenError,
  ToxicExistsError,
  ToxicNotFoundError,
} from './errors';
import { ProxyConnection, type ConnectionInfo } from './connection';
import type { Toxic, ToxicInput, ToxicPatch } from './toxic';
import { patchToxic, resolveToxic } from './validate';

export interface FaultProxyOptions {
  readonly name: string;
  /** Port 0 picks a free port; `address()` then tells which. */
  readonly listen: HostPort;
  readonly upstream: HostPort;
}

export interface ProxyStats {
  /** Connections open now. */
  readonly active: number;
  /** Connections accepted since the proxy started. */
  readonly total: number;
}

export type FaultProxyEvents = {
  connection: [info: ConnectionInfo];
  error: [error: ProxyConnectionError];
};

export class FaultProxy extends EventEmitter<FaultProxyEvents> {
  readonly name: string;

  private listenAddress: HostPort;
  private upstreamAddress: HostPort;
  private server: Server | undefined;
  private isEnabled = true;
  private isClosed = false;
  private readonly toxicsByName = new Map<string, Toxic>();
  private readonly connections = new Set<ProxyConnection>();
  private acceptedCount = 0;
  private lifecycle: Promise<void> = Promise.resolve();

  /** Starts a proxy; resolves once it is listening. */
  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const proxy = new FaultProxy(options);
    await proxy.listen();
    return proxy;
  }

  private constructor(options: FaultProxyOptions) {
    super();
    this.name = options.name;
    this.listenAddress = checkHostPort(options.listen, 'listen', true);
    this.upstreamAddress = checkHostPort(options.upstream, 'upstream');
  }

  /** Where the proxy listens (the bound port once listening); kept while disabled, for re-enabling. */
  address(): HostPort {
    return { ...this.listenAddress };
  }

  /** Where new connections go. */
  upstream(): HostPort {
    return { ...this.upstreamAddress };
  }

  get enabled(): boolean {
    return this.isEnabled;
  }

  /**
   * Toxiproxy's enabled flag. Disabled = "down": the listener is closed (connecting gets
   * ECONNREFUSED, not a hang) and every open connection is closed. Enabling listens again
   * on the same host and port.
   */
  setEnabled(enabled: boolean): Promise<void> {
    return this.serialised(async () => {
      if (this.isClosed) throw new ProxyClosedError(this.name);
      if (enabled === this.isEnabled) return;
      if (enabled) {
        await this.listen();
        this.isEnabled = true;
      } else {
        this.isEnabled = false;
        await this.stopListening();
      }
    });
  }

  /** New connections go to `upstream`; open ones stay where they are, as a moved route would leave them. */
  setUpstream(upstream: HostPort): void {
    this.upstreamAddress = checkHostPort(upstream, 'upstream');
  }

  toxics(): Toxic[] {
    return [...this.toxicsByName.values()];
  }

  toxic(name: string): Toxic {
    return this.existingToxic(name);
  }

  /** Adds a toxic to the proxy and to every open connection. */
  addToxic(input: ToxicInput): Toxic {
    const toxic = resolveToxic(input);
    if (this.toxicsByName.has(toxic.name)) throw new ToxicExistsError(this.name, toxic.name);
    this.toxicsByName.set(toxic.name, toxic);
    for (const connection of this.connections) connection.links[toxic.stream].attach(toxic);
    return toxic;
  }

  /**
   * Changes a toxic's attributes or toxicity. Open connections re-apply it from now:
   * toxicity is rolled again and timers (timeout, reset_peer) restart.
   */
  updateToxic(name: string, patch: ToxicPatch): Toxic {
    const toxic = patchToxic(this.existingToxic(name), patch);
    this.toxicsByName.set(name, toxic);
    for (const connection of this.connections) connection.links[toxic.stream].attach(toxic);
    return toxic;
  }

  /**
   * Removes a toxic from the proxy and every open connection. Bytes it was holding or
   * delaying are released and flow on in order (as Toxiproxy flushes them): the
   * connection behaves as if the fault healed, with no bytes lost.
   */
  removeToxic(name: string): void {
    const toxic = this.existingToxic(name);
    this.toxicsByName.delete(name);
    for (const connection of this.connections) connection.links[toxic.stream].detach(name);
  }

  stats(): ProxyStats {
    return { active: this.connections.size, total: this.acceptedCount };
  }

  /** Stops listening and closes every connection. Safe to call more than once. */
  close(): Promise<void> {
    return this.serialised(async () => {
      if (this.isClosed) return;
      this.isClosed = true;
      this.isEnabled = false;
      await this.stopListening();
    });
  }

  private existingToxic(name: string): Toxic {
    const toxic = this.toxicsByName.get(name);
    if (!toxic) throw new ToxicNotFoundError(this.name, name, [...this.toxicsByName.keys()]);
    return toxic;
  }

  private listen(): Promise<void> {
    const server = net.createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
    return new Promise((resolve, reject) => {
      const failed = (error: Error): void => {
        reject(new ProxyListenError(this.name, formatHostPort(this.listenAddress), error));
      };
      server.once('error', failed);
      server.listen({ host: this.listenAddress.host, port: this.listenAddress.port }, () => {
        server.off('error', failed);
        server.on('error', (error) => this.report(new ProxyConnectionError(this.name, undefined, 'listener', error)));
        this.listenAddress = { host: this.listenAddress.host, port: (server.address() as AddressInfo).port };
        this.server = server;
        resolve();
      });
    });
  }

  private async stopListening(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const listenerClosed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    const connections = [...this.connections];
    for (const connection of connections) connection.close();
    await Promise.all([listenerClosed, ...connections.map((connection) => connection.closed)]);
  }

  private accept(clientSocket: Socket): void {
    // A connection can be accepted in the same tick the listener is being closed.
    if (!this.isEnabled) {
      clientSocket.destroy();
      return;
    }
    this.acceptedCount += 1;
    const info: ConnectionInfo = {
      id: this.acceptedCount,
      client: { address: clientSocket.remoteAddress ?? '', port: clientSocket.remotePort ?? 0 },
      upstream: this.upstream(),
    };
    let connection: ProxyConnection;
    try {
      connection = new ProxyConnection(this.name, info, clientSocket, this.toxics(), (error) => this.report(error));
    } catch (error) {
      // Thrown here it would escape the listener's callback and take the process down.
      this.report(new ProxyConnectionError(this.name, info.id, 'proxy', error));
      clientSocket.destroy();
      return;
    }
    this.connections.add(connection);
    void connection.closed.then(() => this.connections.delete(connection));
    this.emit('connection', info);
  }

  private report(error: ProxyConnectionError): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private serialised(step: () => Promise<void>): Promise<void> {
    const result = this.lifecycle.then(step);
    this.lifecycle = result.catch(() => undefined);
    return result;
  }
}
