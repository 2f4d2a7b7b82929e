import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { promises as dnsPromises } from 'node:dns';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DnsQueryEvent, DnsServer, Zone } from '../../src/lab/dns';
import { HealthCheckChange, HealthCheckRegistry } from '../../src/lab/healthcheck';

// One lab for the whole file: a primary app whose /health can be switched to 500, a health
// check on it, a zone with a failover pair, and the DNS server answering from that zone.

const ttl = 42;
let primaryHealth = 200;
const healthSockets = new Set<net.Socket>();
const healthServer = http.createServer((_request, response) => {
  response.statusCode = primaryHealth;
  response.end();
});
healthServer.on('connection', (socket) => {
  healthSockets.add(socket);
  socket.on('close', () => healthSockets.delete(socket));
});

const registry = new HealthCheckRegistry();
const zone = new Zone({
  healthOf: (id) => registry.isHealthy(id),
  healthCheckExists: (id) => registry.has(id),
});
let server: DnsServer;
let port = 0;
const queries: DnsQueryEvent[] = [];

test.before(async () => {
  await new Promise<void>((resolve) => healthServer.listen(0, '127.0.0.1', resolve));
  registry.add({
    id: 'hc-us-east-1',
    ipAddress: '127.0.0.1',
    port: (healthServer.address() as net.AddressInfo).port,
    resourcePath: '/health',
    requestIntervalMs: 200,
    failureThreshold: 3,
  });
  zone.applyChanges([
    {
      action: 'CREATE',
      recordSet: {
        name: 'app.gameday.lab',
        type: 'A',
        ttl,
        setIdentifier: 'us-east-1',
        failover: 'PRIMARY',
        healthCheckId: 'hc-us-east-1',
        values: ['127.0.0.2'],
      },
    },
    {
      action: 'CREATE',
      recordSet: {
        name: 'app.gameday.lab',
        type: 'A',
        ttl,
        setIdentifier: 'eu-west-1',
        failover: 'SECONDARY',
        values: ['127.0.0.3'],
      },
    },
    { action: 'CREATE', recordSet: { name: 'www.gameday.lab', type: 'CNAME', ttl: 300, values: ['app.gameday.lab'] } },
  ]);
  server = await DnsServer.start({ host: '127.0.0.1', port: 0, zone });
  port = server.address().port;
  server.on('query', (event) => queries.push(event));
});

test.after(async () => {
  await server?.close();
  await registry.close();
  for (const socket of healthSockets) socket.destroy();
  await new Promise<void>((resolve) => healthServer.close(() => resolve()));
});

interface DigRecord {
  name: string;
  ttl: number;
  type: string;
  data: string;
}
interface DigResult {
  status: string;
  flags: string[];
  answer: DigRecord[];
  authority: DigRecord[];
}

/** Runs the real dig and parses header, answer and authority sections. */
function dig(name: string, type: string, ...options: string[]): Promise<DigResult> {
  const args = [`@127.0.0.1`, '-p', String(port), name, type, '+norecurse', '+time=2', '+tries=1', ...options];
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/dig', args, { timeout: 10_000 }, (error, stdout) => {
      if (error) return reject(new Error(`dig ${args.join(' ')} failed: ${error.message}\n${stdout}`));
      const status = /status: (\w+)/.exec(stdout)?.[1];
      const flags = /;; flags: ([^;]*);/.exec(stdout)?.[1].trim().split(/\s+/);
      if (status === undefined || flags === undefined) return reject(new Error(`unexpected dig output:\n${stdout}`));
      resolve({ status, flags, answer: digSection(stdout, 'ANSWER'), authority: digSection(stdout, 'AUTHORITY') });
    });
  });
}

function digSection(output: string, section: string): DigRecord[] {
  const start = output.indexOf(`;; ${section} SECTION:\n`);
  if (start < 0) return [];
  const lines = output.slice(start).split('\n').slice(1);
  const end = lines.findIndex((line) => line.trim() === '');
  return lines.slice(0, end).map((line) => {
    const [name, ttlText, , type, ...data] = line.split(/\s+/);
    return { name, ttl: Number(ttlText), type, data: data.join(' ') };
  });
}

/** Node's own stub resolver (c-ares); a fresh one per query so nothing is cached between calls. */
function nodeResolver(): dnsPromises.Resolver {
  const resolver = new dnsPromises.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return resolver;
}

async function nodeErrorCode(lookup: Promise<unknown>): Promise<string | undefined> {
  try {
    await lookup;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
  return undefined;
}

function nextChange(emitter: EventEmitter, status: string, timeoutMs = 5000): Promise<HealthCheckChange> {
  return new Promise((resolve, reject) => {
    const onChange = (change: HealthCheckChange): void => {
      if (change.status !== status) return;
      clearTimeout(timer);
      emitter.off('change', onChange);
      resolve(change);
    };
    const timer = setTimeout(() => {
      emitter.off('change', onChange);
      reject(new Error(`health check did not become ${status} within ${timeoutMs} ms`));
    }, timeoutMs);
    emitter.on('change', onChange);
  });
}

test('failover: dig and Node get the primary, the secondary once its check fails, then the primary again', async () => {
  const healthy = await dig('app.gameday.lab', 'A');
  assert.is(healthy.status, 'NOERROR');
  assert.ok(healthy.flags.includes('aa'), `flags ${healthy.flags}`);
  assert.ok(!healthy.flags.includes('ra'));
  assert.equal(healthy.answer, [{ name: 'app.gameday.lab.', ttl, type: 'A', data: '127.0.0.2' }]);
  assert.equal(await nodeResolver().resolve4('app.gameday.lab', { ttl: true }), [{ address: '127.0.0.2', ttl }]);

  const failures: number[] = [];
  const countFailures = (o: { ok: boolean; at: number }): void => {
    if (!o.ok) failures.push(o.at);
  };
  registry.on('observation', countFailures);
  primaryHealth = 500;
  const down = await nextChange(registry, 'Unhealthy');
  registry.off('observation', countFailures);
  assert.is(down.id, 'hc-us-east-1');
  assert.is(failures.length, 3, 'unhealthy exactly at the third consecutive failure');
  assert.is(down.at, failures[2]);

  const failedOver = await dig('app.gameday.lab', 'A');
  assert.equal(failedOver.answer, [{ name: 'app.gameday.lab.', ttl, type: 'A', data: '127.0.0.3' }]);
  assert.equal(await nodeResolver().resolve4('app.gameday.lab', { ttl: true }), [{ address: '127.0.0.3', ttl }]);
  assert.match(
    zone.explain('app.gameday.lab', 'A').summary,
    /PRIMARY 'us-east-1' unhealthy .*failed over to SECONDARY 'eu-west-1'/,
  );

  // The CNAME in front follows the failover too.
  const www = await dig('www.gameday.lab', 'A');
  assert.equal(
    www.answer.map((r) => [r.type, r.data]),
    [
      ['CNAME', 'app.gameday.lab.'],
      ['A', '127.0.0.3'],
    ],
  );

  primaryHealth = 200;
  await nextChange(registry, 'Healthy');
  assert.equal(
    (await dig('app.gameday.lab', 'A')).answer.map((r) => r.data),
    ['127.0.0.2'],
  );
  assert.equal(await nodeResolver().resolve4('app.gameday.lab', { ttl: true }), [{ address: '127.0.0.2', ttl }]);
});

test('both unhealthy: Route 53 answers the primary', async () => {
  zone.applyChanges([
    {
      action: 'CREATE',
      recordSet: {
        name: 'api.gameday.lab',
        type: 'A',
        ttl: 5,
        setIdentifier: 'p',
        failover: 'PRIMARY',
        healthCheckId: 'hc-us-east-1',
        values: ['127.0.0.2'],
      },
    },
    {
      action: 'CREATE',
      recordSet: {
        name: 'api.gameday.lab',
        type: 'A',
        ttl: 5,
        setIdentifier: 's',
        failover: 'SECONDARY',
        healthCheckId: 'hc-us-east-1',
        values: ['127.0.0.3'],
      },
    },
  ]);
  registry.update('hc-us-east-1', { inverted: true });
  try {
    assert.is(registry.isHealthy('hc-us-east-1'), false);
    assert.equal(
      (await dig('api.gameday.lab', 'A')).answer.map((r) => r.data),
      ['127.0.0.2'],
    );
    assert.match(zone.explain('api.gameday.lab', 'A').summary, /no healthy set/);
  } finally {
    registry.update('hc-us-east-1', { inverted: false });
  }
});

test('NXDOMAIN: unknown name in the zone, with the SOA and its negative TTL in authority', async () => {
  const result = await dig('nope.gameday.lab', 'A');
  assert.is(result.status, 'NXDOMAIN');
  assert.ok(result.flags.includes('aa'));
  assert.equal(result.answer, []);
  assert.is(result.authority.length, 1);
  assert.is(result.authority[0].type, 'SOA');
  assert.is(result.authority[0].name, 'gameday.lab.');
  assert.is(result.authority[0].ttl, 60);
  assert.is(await nodeErrorCode(nodeResolver().resolve4('nope.gameday.lab')), 'ENOTFOUND');
});

test('NODATA: a known name asked for another type', async () => {
  const result = await dig('app.gameday.lab', 'AAAA');
  assert.is(result.status, 'NOERROR');
  assert.equal(result.answer, []);
  assert.equal(
    result.authority.map((r) => r.type),
    ['SOA'],
  );
  assert.is(await nodeErrorCode(nodeResolver().resolve6('app.gameday.lab')), 'ENODATA');
});

test('REFUSED: names outside the zone', async () => {
  const result = await dig('example.com', 'A');
  assert.is(result.status, 'REFUSED');
  assert.ok(!result.flags.includes('aa'));
  assert.is(await nodeErrorCode(nodeResolver().resolve4('example.com')), 'EREFUSED');
});

test('apex: SOA and NS', async () => {
  const soa = await dig('gameday.lab', 'SOA');
  assert.is(soa.answer[0].type, 'SOA');
  assert.match(soa.answer[0].data, /^ns1\.gameday\.lab\. hostmaster\.gameday\.lab\. \d+ 7200 900 1209600 60$/);
  assert.equal(
    (await dig('gameday.lab', 'NS')).answer.map((r) => r.data),
    ['ns1.gameday.lab.'],
  );
});

test('TCP: dig +tcp gets the same answer', async () => {
  const before = queries.filter((q) => q.transport === 'tcp').length;
  const result = await dig('app.gameday.lab', 'A', '+tcp');
  assert.equal(result.answer, [{ name: 'app.gameday.lab.', ttl, type: 'A', data: '127.0.0.2' }]);
  assert.is(queries.filter((q) => q.transport === 'tcp').length, before + 1);
});

test('live zone changes show in the next answer', async () => {
  zone.applyChanges([
    { action: 'UPSERT', recordSet: { name: 'new.gameday.lab', type: 'A', ttl: 7, values: ['127.0.0.9'] } },
  ]);
  assert.equal((await dig('new.gameday.lab', 'A')).answer, [
    { name: 'new.gameday.lab.', ttl: 7, type: 'A', data: '127.0.0.9' },
  ]);
  zone.applyChanges([
    { action: 'DELETE', recordSet: { name: 'new.gameday.lab', type: 'A', ttl: 7, values: ['127.0.0.9'] } },
  ]);
  assert.is((await dig('new.gameday.lab', 'A')).status, 'NXDOMAIN');
});

test('malformed packets get FORMERR or are dropped, and the server keeps answering', async () => {
  const socket = dgram.createSocket('udp4');
  try {
    const reply = new Promise<Buffer>((resolve) => socket.once('message', resolve));
    const tooShort = Buffer.from([0xde, 0xad]);
    const badQuestion = Buffer.from([
      0xbe, 0xef, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 0x61,
    ]);
    await new Promise<void>((resolve, reject) =>
      socket.send(tooShort, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
    );
    await new Promise<void>((resolve, reject) =>
      socket.send(badQuestion, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
    );
    const response = await reply;
    assert.is(response.readUInt16BE(0), 0xbeef, 'the reply is to the bad question; the two bytes got none');
    assert.is(response.readUInt16BE(2) & 0xf, 1, 'FORMERR');
  } finally {
    socket.close();
  }
  assert.equal(
    (await dig('app.gameday.lab', 'A')).answer.map((r) => r.data),
    ['127.0.0.2'],
  );
});

test('query events describe what was asked and answered', () => {
  const refused = queries.find((q) => q.name === 'example.com');
  assert.ok(refused);
  assert.is(refused.rcode, 'REFUSED');
  assert.is(refused.transport, 'udp');
  assert.is(refused.remote.address, '127.0.0.1');
  const answered = queries.find((q) => q.name === 'app.gameday.lab' && q.type === 'A');
  assert.is(answered?.answers, 1);
});

test.run();
