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

  constructor(
    server: DnsServer | null,
    private readonly options: { stickyMs?: number } = {},
  ) {
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

/**
 * A run's name lookups: one caching resolver on the target's DNS server, shared by the
 * traffic, the ledger and the runbook's verify (as the clients of one runtime share a
 * cache), and one of its own for each probe whose runtime keeps its own cache.
 */
export class Resolvers {
  /** Null when the target has no DNS server: names resolve through the system's resolver. */
  readonly shared: CachingResolver | null;
  private readonly own: CachingResolver[] = [];

  constructor(private readonly server: DnsServer | null) {
    this.shared = server ? new CachingResolver(server) : null;
  }

  /** For http clients: the shared lookup, or with a sticky cache a resolver of its own, as each such runtime has. */
  lookupFor(dns: { cache: 'ttl' } | { cache: 'sticky'; stickyFor: number }): LookupFunction | undefined {
    if (dns.cache !== 'sticky') return this.shared?.lookup();
    return this.ownResolver({ stickyMs: dns.stickyFor }, true)!.lookup();
  }

  /** A resolver of its own on the target's DNS server (null without one, unless `always`); closed with the others. */
  ownResolver(options: { stickyMs?: number } = {}, always = false): CachingResolver | null {
    if (!this.server && !always) return null;
    const resolver = new CachingResolver(this.server, options);
    this.own.push(resolver);
    return resolver;
  }

  close(): void {
    this.shared?.close();
    for (const resolver of this.own.splice(0)) resolver.close();
  }
}
