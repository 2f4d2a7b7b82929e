/**
 * The dns probe: its UDP client against a real DNS server, and through the engine on the
 * lab, where a region outage moves the app's failover record from the primary region's
 * address to the secondary's.
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EventOf, JournalEvent } from '../../src/core/events';
import { DnsServer, Zone } from '../../src/lab/dns';
import { parseDnsServer, queryDns } from '../../src/probes/dns-query';
import { summarize } from '../../src/analysis/summarize';
import { runInline } from '../support/run';

const of = <T extends JournalEvent['type']>(events: JournalEvent[], type: T) =>
  events.filter((event): event is EventOf<T> => event.type === type);
const within = (ms: number) => AbortSignal.timeout(ms);

test('queryDns: answers with their TTL, NXDOMAIN, no records of the type, and silence as a timeout', async () => {
  const zone = new Zone({ healthOf: () => true, healthCheckExists: () => true });
  zone.applyChanges([
    {
      action: 'CREATE',
      recordSet: { name: 'multi.gameday.lab', type: 'A', ttl: 7, values: ['127.0.0.2', '127.0.0.3'] },
    },
    {
      action: 'CREATE',
      recordSet: { name: 'www.gameday.lab', type: 'CNAME', ttl: 300, values: ['multi.gameday.lab'] },
    },
  ]);
  const server = await DnsServer.start({ host: '127.0.0.1', port: 0, zone });
  const silent = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
  try {
    const at = { host: '127.0.0.1', port: server.address().port };
    const multi = await queryDns(at, 'multi.gameday.lab', 'A', within(2_000));
    assert.equal(
      { ...multi, answers: [...multi.answers].sort() },
      { rcode: 'NOERROR', ttl: 7, answers: ['127.0.0.2', '127.0.0.3'] },
    );
    assert.equal(await queryDns(at, 'nothing-here.gameday.lab', 'A', within(2_000)), {
      rcode: 'NXDOMAIN',
      ttl: null,
      answers: [],
    });
    assert.equal(await queryDns(at, 'multi.gameday.lab', 'AAAA', within(2_000)), {
      rcode: 'NOERROR',
      ttl: null,
      answers: [],
    });
    const started = performance.now();
    const error = await queryDns(
      { host: '127.0.0.1', port: (silent.address() as { port: number }).port },
      'multi.gameday.lab',
      'A',
      within(300),
    ).then(
      () => null,
      (failure: NodeJS.ErrnoException) => failure,
    );
    assert.is(error?.code, 'TIMEOUT');
    assert.ok(performance.now() - started < 1_000, 'gives up when the signal aborts');
  } finally {
    silent.close();
    await server.close();
  }
});

test('parseDnsServer: host, host:port, IPv6 forms; nonsense is null', () => {
  assert.equal(parseDnsServer('10.0.0.2'), { host: '10.0.0.2', port: 53 });
  assert.equal(parseDnsServer('127.0.0.1:5353'), { host: '127.0.0.1', port: 5353 });
  assert.equal(parseDnsServer('ns1.example.com'), { host: 'ns1.example.com', port: 53 });
  assert.equal(parseDnsServer('[::1]:5353'), { host: '::1', port: 5353 });
  assert.equal(parseDnsServer('fd00::53'), { host: 'fd00::53', port: 53 });
  assert.is(parseDnsServer('127.0.0.1:99999'), null);
  assert.is(parseDnsServer('[nonsense]:53'), null);
});

test('lab: in a region outage the dns probe sees the app name move to eu-west-1, with its TTL', async () => {
  const result = await runInline({
    name: 'dns probe on a region outage',
    target: {
      kind: 'lab',
      api: 'direct',
      healthCheck: { interval: '300ms', failureThreshold: 2 },
      ttl: { app: '1s' },
      dir: '/nonexistent/so-an-ephemeral-lab-is-used',
    },
    steadyState: { duration: '1s' },
    traffic: { kind: 'http', endpoint: 'app', path: '/health', rate: 10, timeout: '500ms' },
    probes: [
      { kind: 'dns', name: 'app-dns', endpoint: 'app', every: '200ms' },
      { kind: 'dns', name: 'missing', hostname: 'no-such-name.gameday.lab', every: '500ms' },
    ],
    faults: [
      {
        kind: 'regionOutage',
        name: 'us-east-1-offline',
        region: 'us-east-1',
        mode: 'blackhole',
        after: '1s',
        duration: '4s',
      },
    ],
    duration: '6s',
  });
  assert.not.equal(result.status, 'error', result.summary.reason);
  const dns = result.summary.probes.find((probe) => probe.probe === 'app-dns')!;
  assert.ok(dns, JSON.stringify(result.summary.probes));
  assert.is(dns.kind, 'dns');
  assert.match(dns.url, /^dns:\/\/127\.0\.0\.1:\d+\/app\.gameday\.lab\?type=A$/);
  assert.is(dns.errors, 0, 'the DNS server itself stayed up');
  const [first, second] = dns.changes!;
  assert.equal([first.detail, first.regions], ['answered 127.0.0.2 ttl 1', ['us-east-1']]);
  assert.ok(first.fromMs! < 0, 'asked from the steady state on');
  assert.equal([second.detail, second.regions], ['answered 127.0.0.3 ttl 1', ['eu-west-1']]);
  // Failover needs failureThreshold failed health checks after the outage begins at +1 s.
  const fault = result.summary.faults[0];
  const movedAfterFault = second.fromMs! - fault.injectedAtMs!;
  assert.ok(
    movedAfterFault >= 300 && movedAfterFault < 3_000,
    `answer moved ${movedAfterFault} ms after the outage began`,
  );

  const missing = result.summary.probes.find((probe) => probe.probe === 'missing')!;
  assert.is(missing.errors, missing.requests);
  assert.equal(
    missing.changes!.map((change) => change.detail),
    ['NXDOMAIN, no answer'],
  );

  const rows = of(result.events, 'check.samples')
    .filter((event) => event.probe === 'app-dns')
    .flatMap((event) => event.rows);
  assert.equal(rows[0][4], { rcode: 'NOERROR', ttl: 1, answers: ['127.0.0.2'] });
  assert.equal(summarize(result.events), result.summary);
  const report = fs.readFileSync(path.join(result.runDir, 'report.md'), 'utf8');
  assert.match(report, /- from \+\d+\.\d\ds: answered 127\.0\.0\.3 ttl 1 \(eu-west-1\) ×\d+/);
});

test.run();
