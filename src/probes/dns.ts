import { getServers } from 'node:dns';
import { z } from 'zod';
import { duration, name } from '../core/fields';
import { formatDnsServer, type DnsServer } from '../targets/session';
import { checkProbeSummary } from './check-changes';
import { parseDnsServer, queryDns, type DnsValue } from './dns-query';
import { PeriodicCheck, type Check } from './periodic';
import type { ProbeKind, ProbeSummary } from './types';

/** A label: letters, digits, '_' and inner '-', 1 to 63 of them. */
const label = '[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?';
const dnsName = z
  .string({ error: "expected a DNS name like 'app.example.com'" })
  .regex(new RegExp(`^(?=.{1,253}\\.?$)(${label})(\\.${label})*\\.?$`), {
    error: "expected a DNS name like 'app.example.com'",
  });

/** Asks a DNS server for a name at an interval: answers, TTL and rcode over time. */
export const dnsProbeSchema = z.strictObject({
  kind: z.literal('dns'),
  name: name.default('dns'),
  /** The name to ask for; or `endpoint` (a name from the target), whose URL's host is asked for. */
  hostname: dnsName.optional(),
  endpoint: z.string().optional(),
  type: z.enum(['A', 'AAAA']).default('A'),
  /**
   * 'host', 'host:port' or '[v6]:port'; default: the target's DNS server (the lab's), else the system resolver's first
   * server.
   */
  server: z
    .string({ error: "expected a DNS server as 'host', 'host:port' or '[v6]:port'" })
    .regex(/^(\[[0-9a-fA-F:.]+\](:\d{1,5})?|[0-9a-fA-F:]*:[0-9a-fA-F:.]*|[^:\s\[\]]+(:\d{1,5})?)$/, {
      error: "expected a DNS server as 'host', 'host:port' or '[v6]:port'",
    })
    .optional(),
  every: duration({ max: '1h' }).prefault('1s'),
  /** No answer within it is a failed sample (UDP, no retries). */
  timeout: duration({ max: '1m' }).prefault('1s'),
});

export type DnsProbe = z.output<typeof dnsProbeSchema>;
export type DnsProbeConfig = z.input<typeof dnsProbeSchema>;

/**
 * Where a dns probe asks: its `server`, else the target's DNS server (the lab's), else the
 * first server of the system's resolver configuration (/etc/resolv.conf).
 */
export function dnsServerFor(probe: DnsProbe, targetServer: DnsServer | null): DnsServer | null {
  if (probe.server) return parseDnsServer(probe.server);
  if (targetServer) return targetServer;
  const system = getServers()[0];
  return system === undefined ? null : (parseDnsServer(system) ?? { host: system, port: 53 });
}

/** The name a dns probe asks for: its `hostname`, or the host of the named endpoint's URL. */
export function dnsNameFor(probe: DnsProbe, endpoints: Record<string, string>): string {
  return probe.hostname ?? new URL(endpoints[probe.endpoint!]).hostname;
}

/** The dns probe's check: ok when the server answers NOERROR with at least one record of the type. */
function dnsCheck(probe: DnsProbe, server: DnsServer | null, name: string): Check {
  return async (signal) => {
    if (!server)
      return {
        ok: false,
        error: 'no DNS server to ask: the system resolver has none configured; give the dns probe a server',
      };
    const value = await queryDns(server, name, probe.type, signal);
    if (value.rcode !== 'NOERROR') return { ok: false, error: value.rcode, value };
    if (value.answers.length === 0) return { ok: false, error: `NOERROR, no ${probe.type} records`, value };
    return { ok: true, value };
  };
}

/** Which region DNS sends clients to, over time: a name asked at an interval, as a stub resolver asks. */
export const dnsProbe: ProbeKind<typeof dnsProbeSchema, { summary: ProbeSummary }> = {
  schema: dnsProbeSchema,
  label: 'probe',
  startOrder: 2,

  validate(probe, context, report) {
    if (probe.hostname !== undefined && probe.endpoint !== undefined)
      report([], 'give either hostname or endpoint, not both');
    else if (probe.hostname === undefined && probe.endpoint === undefined) {
      report(
        ['hostname'],
        `needs hostname (the name to ask for), or endpoint (one of: ${context.endpointNames.join(', ')})`,
      );
    } else if (probe.endpoint !== undefined && !context.endpointNames.includes(probe.endpoint)) {
      report(
        ['endpoint'],
        `unknown endpoint ${JSON.stringify(probe.endpoint)}; the target has: ${context.endpointNames.join(', ')}`,
      );
    }
  },

  plan: (probe) =>
    `start dns probe ${probe.name}: ask for ` +
    `${probe.hostname ?? `the host of endpoint ${probe.endpoint}`} (${probe.type}) every ` +
    `${probe.every} ms (timeout ${probe.timeout} ms) at ` +
    `${probe.server ?? "the target's DNS server (the lab's) or the system resolver"}; record answers, TTL and rcode`,

  async start(probe, { session, journal }) {
    const server = dnsServerFor(probe, session.dnsServer);
    const name = dnsNameFor(probe, session.endpoints);
    const check = new PeriodicCheck(
      probe,
      journal,
      `dns://${server ? formatDnsServer(server) : '(no server)'}/${name}?type=${probe.type}`,
      dnsCheck(probe, server, name),
    );
    check.start();
    return { name: probe.name, kind: probe.kind, stop: () => check.stop() };
  },

  // A change is a different answer: addresses, TTL, rcode or error.
  summarize: (started, context) =>
    checkProbeSummary(started, context, (ok, error, value) => {
      const answer = value as DnsValue | null;
      if (!answer) return { key: `error ${error}`, detail: error };
      const answers = [...answer.answers].sort();
      const detail =
        answers.length > 0 ? `answered ${answers.join(', ')} ttl ${answer.ttl}` : `${answer.rcode}, no answer`;
      const regionOf = (address: string) => context.regionOfAddress(address);
      const regions = [...new Set(answers.map(regionOf).filter((region): region is string => region !== undefined))];
      return {
        key: `${ok} ${answer.rcode} ${answers.join(',')} ${answer.ttl}`,
        detail,
        ...(regions.length > 0 ? { regions } : {}),
      };
    }),
};
