import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One region behind the load balancer: where its ingress listens, and whether its health check passes. */
export interface BalancerTarget {
  region: string;
  host: string;
  port: number;
}

export interface BalancerOptions {
  host: string;
  port: number;
  /** In order of preference: traffic goes to the first healthy one (the primary region's first). */
  targets: BalancerTarget[];
  isHealthy(region: string): boolean;
  /** A request a region holds longer than this is answered 504 (a blackholed region never answers). */
  upstreamTimeoutMs: number;
}

/**
 * A global L7 entry point, as AWS Global Accelerator, Azure Front Door or a global ALB
 * are: clients keep one address; every request goes to the most preferred region whose
 * health check passes (the lab's Route 53-style checkers), forwarded to that region's
 * ingress, so a region's faults reach it as they reach any client. There is no DNS in the
 * path, so no TTL: when a region's check fails, the next request already goes elsewhere.
 * With no region healthy it keeps the most preferred one, as Route 53 does. A request
 * in flight to a region that stops answering fails (504 after the upstream timeout, 502 when
 * refused); the balancer does not retry it elsewhere, since a write may have landed.
 */
export class GlobalLoadBalancer {
  private readonly agents = new Map<string, http.Agent>();

  private constructor(
    private readonly options: BalancerOptions,
    private readonly server: http.Server,
  ) {
    for (const target of options.targets)
      this.agents.set(target.region, new http.Agent({ keepAlive: true, maxSockets: 64 }));
  }

  static async start(options: BalancerOptions): Promise<GlobalLoadBalancer> {
    if (options.targets.length === 0) throw new Error('the load balancer needs at least one region');
    const server = http.createServer();
    const balancer = new GlobalLoadBalancer(options, server);
    server.on('request', (request, response) => balancer.forward(request, response));
    // Clients keep their connection to the entry point: that is the point of one address.
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return balancer;
  }

  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `http://${address}:${port}`;
  }

  /** The region requests go to now. */
  routesTo(): string {
    const healthy = this.options.targets.find((target) => this.options.isHealthy(target.region));
    return (healthy ?? this.options.targets[0]).region;
  }

  private forward(request: http.IncomingMessage, response: http.ServerResponse): void {
    const region = this.routesTo();
    const target = this.options.targets.find((candidate) => candidate.region === region)!;
    const upstream = http.request(
      {
        host: target.host,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, 'x-forwarded-for': request.socket.remoteAddress ?? '' },
        agent: this.agents.get(region),
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    const fail = (status: number, message: string) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const body = JSON.stringify({ error: status === 504 ? 'upstream_timeout' : 'bad_gateway', message, region });
      response.writeHead(status, { 'content-type': 'application/json', 'x-gameday-entry-region': region });
      response.end(body);
    };
    upstream.setTimeout(this.options.upstreamTimeoutMs, () => {
      upstream.destroy();
      fail(504, `${region} did not answer within ${this.options.upstreamTimeoutMs} ms`);
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => fail(502, `${region}: ${error.code ?? error.message}`));
    // A client that gave up frees the upstream request too.
    response.on('close', () => {
      if (!response.writableFinished) upstream.destroy();
    });
    request.pipe(upstream);
  }

  async close(): Promise<void> {
    for (const agent of this.agents.values()) agent.destroy();
    await new Promise<void>((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
