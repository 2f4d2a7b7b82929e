import type { Journal } from '../core/journal';
import type { TargetSession } from '../targets';
import { checkProbeKinds, type Probe } from '../experiment/schema';
import { dnsCheck, dnsNameFor, dnsServerFor } from './dns';
import { functionCheck } from './function';
import { CachingResolver, formatDnsServer, type DnsServer } from './resolver';
import { describeDatabase, passwordRedactor, redactUrl, SqlCheck } from './sql';
import { PeriodicCheck } from './periodic';

/** The probes that check at an interval rather than send traffic. */
export type CheckProbe = Extract<Probe, { kind: (typeof checkProbeKinds)[number] }>;

function isCheckProbe(probe: Probe): probe is CheckProbe {
  return (checkProbeKinds as readonly string[]).includes(probe.kind);
}

/** Builds and starts every periodic-check probe of the experiment. */
export function startCheckProbes(probes: Probe[], target: TargetSession, journal: Journal): PeriodicCheck[] {
  const checks = probes.filter(isCheckProbe).map((probe) => {
    switch (probe.kind) {
      case 'function':
        return new PeriodicCheck(probe, journal, `function:${probe.name}`, functionCheck(probe, { kind: target.kind, endpoints: { ...target.endpoints }, dnsServer: target.dnsServer }));
      case 'dns': {
        const server = dnsServerFor(probe, target.dnsServer);
        const name = dnsNameFor(probe, target.endpoints);
        return new PeriodicCheck(probe, journal, `dns://${formatServer(server)}/${name}?type=${probe.type}`, dnsCheck(probe, server, name));
      }
      case 'sql': {
        const connection = target.databaseUrl(probe.connection) ?? probe.connection;
        const sql = new SqlCheck(probe, connection, target.dnsServer ? new CachingResolver(target.dnsServer) : null);
        return new PeriodicCheck(probe, journal, redactUrl(connection), sql.check, passwordRedactor(connection), () => sql.close());
      }
    }
  });
  for (const check of checks) check.start();
  return checks;
}

/** The dry-run plan's line for a periodic-check probe. */
export function planCheckProbe(probe: CheckProbe): string {
  switch (probe.kind) {
    case 'dns':
      return `start dns probe ${probe.name}: ask for ${probe.hostname ?? `the host of endpoint ${probe.endpoint}`} (${probe.type}) every ${probe.every} ms (timeout ${probe.timeout} ms) at ${probe.server ?? 'the target\'s DNS server (the lab\'s) or the system resolver'}; record answers, TTL and rcode`;
    case 'sql':
      return `start sql probe ${probe.name}: \`${probe.query}\` on ${describeDatabase(probe.connection)} every ${probe.every} ms (${probe.session === 'new' ? 'a new connection each time' : 'one kept connection'}, timeout ${probe.timeout} ms)${probe.expect ? `, expecting ${JSON.stringify(probe.expect)}` : ''}`;
    case 'function':
      return `start function probe ${probe.name}: call run() every ${probe.every} ms, one call at a time (timeout ${probe.timeout} ms; a throw is a failed sample)`;
  }
}

function formatServer(server: DnsServer | null): string {
  return server ? formatDnsServer(server) : '(no server)';
}
