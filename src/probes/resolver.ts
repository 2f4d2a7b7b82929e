import { promises as dns } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { now } from '../core/clock';
import { formatDnsServer, type DnsServer } from '../targets/session';

export { formatDnsServer, type DnsServer };

/**
 * A name lookup that behaves like a real client's stub resolver: asks a given DNS
 * server (the lab's, or any; without one, the system's), caches each answer for its TTL
 * and asks again when it expires. Clients therefore move to a new region only as fast as
 * DNS lets them, which is exactly what a DNS-failover drill must measure. With `stickyMs`
 * an answer is kept that long whatever its TTL, like a runtime with its own DNS cache.
 */
export class CachingResolver {
  private readonly resolver = new dns.Resolver({ timeout: 1_000, tries: 2 });
  private readonly cache = new Map<string, { addresses: string[]; expiresAt: number }>();
  private readonly pending = new Map<string, Promise<string[]>>();

  constructor(server: DnsServer | null, private readonly options: { stickyMs?: number } = {}) {
    if (server) this.resolver.setServers([formatDnsServer(server)]);
  }

  async resolve(name: string): Promise<string[]> {
    const cached = this.cache.get(name);
    if (cached && cached.expiresAt > now()) return cached.addresses;
    let inFlight = this.pending.get(name);
    if (!inFlight) {
      inFlight = this.resolver
        .resolve4(name, { ttl: true })
        .then((records) => {
          const ttlSeconds = Math.min(...records.map((record) => record.ttl));
          const addresses = records.map((record) => record.address);
          this.cache.set(name, { addresses, expiresAt: now() + (this.options.stickyMs ?? ttlSeconds * 1_000) });
          return addresses;
        })
        .finally(() => this.pending.delete(name));
      this.pending.set(name, inFlight);
    }
    return inFlight;
  }

  /** A `lookup` for http.request / net.connect. */
  lookup(): LookupFunction {
    return (hostname, options, callback) => {
      this.resolve(hostname).then(
        (addresses) => {
          if ((options as { all?: boolean }).all) {
            (callback as unknown as (err: null, list: { address: string; family: number }[]) => void)(
              null,
              addresses.map((address) => ({ address, family: 4 })),
            );
          } else callback(null, addresses[0], 4);
        },
        (error: NodeJS.ErrnoException) => callback(error, '', 4),
      );
    };
  }

  close(): void {
    this.resolver.cancel();
  }
}
