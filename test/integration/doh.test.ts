/**
 * The browser probe's DNS-over-HTTPS front against the lab's real DNS server (in process,
 * no lab): RFC 8484 GET and POST passed through unchanged, TTLs included; its throwaway
 * certificate trusted by its key alone; SERVFAIL when the DNS server does not answer.
 */
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import https from 'node:https';
import tls from 'node:tls';
import * as dnsPacket from 'dns-packet';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DnsServer, Zone } from '../../src/lab/dns';
import { DohFront, questionOf } from '../../src/probes/doh';

const zone = new Zone({ healthOf: () => true, healthCheckExists: () => true });
let dns: DnsServer;
let front: DohFront;

test.before(async () => {
  zone.applyChanges([
    { action: 'CREATE', recordSet: { name: 'app.gameday.lab', type: 'A', ttl: 5, values: ['127.0.0.3'] } },
  ]);
  dns = await DnsServer.start({ zone });
  front = await DohFront.start(dns.address());
});

test.after(async () => {
  await front.close();
  await dns.close();
});

/** dns-packet decodes rcode and TTLs; its types leave them out. */
interface Decoded {
  id?: number;
  rcode?: string;
  questions?: Array<{ name: string }>;
  answers?: Array<{ type: string; data: unknown; ttl?: number }>;
}
const decode = (message: Buffer) => dnsPacket.decode(message) as unknown as Decoded;

const query = (name: string, type: 'A' | 'AAAA' = 'A') =>
  dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });

/** A DoH exchange as Chromium makes it, the certificate accepted only for the key the front announced. */
function doh(method: 'GET' | 'POST', message: Buffer): Promise<{ status: number; type: string; body: Buffer }> {
  const url = new URL(front.template.replace('{?dns}', ''));
  if (method === 'GET') url.searchParams.set('dns', message.toString('base64url'));
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      {
        method,
        headers: method === 'POST' ? { 'content-type': 'application/dns-message' } : {},
        rejectUnauthorized: false,
        checkServerIdentity: (_host, certificate: tls.PeerCertificate) => {
          const spki = new crypto.X509Certificate(certificate.raw).publicKey.export({ type: 'spki', format: 'der' });
          const pin = crypto.createHash('sha256').update(spki).digest('base64');
          return pin === front.spkiSha256 ? undefined : new Error(`unexpected key ${pin}`);
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            type: response.headers['content-type'] ?? '',
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(method === 'POST' ? message : undefined);
  });
}

test("GET and POST are answered by the lab's DNS, unchanged: address, TTL, id", async () => {
  assert.match(front.template, /^https:\/\/127\.0\.0\.1:\d+\/dns-query\{\?dns\}$/);
  for (const method of ['GET', 'POST'] as const) {
    const reply = await doh(method, query('app.gameday.lab'));
    assert.is(reply.status, 200);
    assert.is(reply.type, 'application/dns-message');
    const answer = decode(reply.body);
    assert.is(answer.id, 4242);
    assert.equal(
      answer.answers?.map((record) => [record.type, record.data, record.ttl]),
      [['A', '127.0.0.3', 5]],
    );
  }
  // NODATA passes through as the zone says it (Chromium asks AAAA and HTTPS alongside A).
  const aaaa = decode((await doh('GET', query('app.gameday.lab', 'AAAA'))).body);
  assert.equal([aaaa.rcode, aaaa.answers?.length], ['NOERROR', 0]);
});

test('each question is announced to listeners, with its name and type', async () => {
  const heard: Array<{ name: string; type: number }> = [];
  const stop = front.onQuestion((question) => heard.push(question));
  await doh('GET', query('App.Gameday.Lab'));
  stop();
  await doh('GET', query('app.gameday.lab'));
  assert.equal(heard, [{ name: 'app.gameday.lab', type: 1 }]);
  assert.is(questionOf(Buffer.alloc(12)), null, 'no question');
});

test('a DNS server that does not answer is a SERVFAIL for that question', async () => {
  const silent = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
  const deaf = await DohFront.start({ host: '127.0.0.1', port: silent.address().port });
  try {
    const url = new URL(deaf.template.replace('{?dns}', ''));
    url.searchParams.set('dns', query('app.gameday.lab').toString('base64url'));
    const started = Date.now();
    const reply = await fetchInsecure(url);
    const answer = decode(reply);
    assert.equal([answer.id, answer.rcode, answer.questions?.[0].name], [4242, 'SERVFAIL', 'app.gameday.lab']);
    assert.ok(Date.now() - started < 5_000, 'within the upstream timeout');
    assert.is(deaf.failures, 1);
  } finally {
    await deaf.close();
    silent.close();
  }
});

function fetchInsecure(url: URL): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { rejectUnauthorized: false }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve(Buffer.concat(chunks)));
      })
      .on('error', reject);
  });
}

test.run();
