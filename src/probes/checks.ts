import type { Journal } from '../engine/journal';
import type { TargetSession } from '../engine/target';
import type { Probe } from '../experiment/schema';
import { dnsCheck, dnsNameFor, dnsServerFor, type DnsServer } from './dns';
import { functionCheck } from './function';
import { PeriodicCheck } from './periodic';

/** The probes that check at an interval rather than send traffic. */
export type CheckProbe = Extract<Probe, { kind: 'function' | 'dns' }>;

export function isCheckProbe(probe: Probe): probe is CheckProbe {
  return probe.kind === 'function' || probe.kind === 'dns';
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
    case 'function':
      return `start function probe ${probe.name}: call run() every ${probe.every} ms, one call at a time (timeout ${probe.timeout} ms; a throw is a failed sample)`;
  }
}

function formatServer(server: DnsServer | null): string {
  if (!server) return '(no server)';
  return server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}
