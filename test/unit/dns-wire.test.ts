import * as dnsPacket from 'dns-packet';
import type { Packet } from 'dns-packet';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Zone, answerQuery } from '../../src/lab/dns';
import { TcpFramer, frameTcp } from '../../src/lab/dns/wire';

type Decoded = ReturnType<typeof dnsPacket.decode> & { rcode?: string };

const manyAddresses = Array.from({ length: 30 }, (_, i) => `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`);
const zone = new Zone({
  recordSets: [
    { name: 'app.gameday.lab', type: 'A', ttl: 30, values: ['127.0.0.2'] },
    { name: 'big.gameday.lab', type: 'A', ttl: 30, values: manyAddresses },
  ],
});

function query(name: string, type: string, extra: Partial<Packet> = {}): Buffer {
  return dnsPacket.encode({
    id: 4242,
    type: 'query',
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as 'A' }],
    ...extra,
  });
}

function ask(packet: Buffer, transport: 'udp' | 'tcp' = 'udp'): Decoded {
  const exchange = answerQuery(packet, zone, transport);
  assert.ok(exchange, 'expected a response');
  return dnsPacket.decode(exchange.response) as Decoded;
}

const ednsOpt: dnsPacket.OptAnswer = {
  type: 'OPT',
  name: '.',
  udpPayloadSize: 4096,
  extendedRcode: 0,
  ednsVersion: 0,
  flags: 0,
  flag_do: false,
  options: [],
};

test('wire: an answer echoes id, question and RD, sets AA, not RA, and carries the TTL', () => {
  const response = ask(query('App.GameDay.Lab', 'A'));
  assert.is(response.id, 4242);
  assert.is(response.flag_qr, true);
  assert.is(response.flag_aa, true);
  assert.is(response.flag_rd, true);
  assert.is(response.flag_ra, false);
  assert.is(response.rcode, 'NOERROR');
  assert.equal(response.questions, [{ name: 'App.GameDay.Lab', type: 'A', class: 'IN' }]);
  assert.equal(
    response.answers?.map((a) => a.type !== 'OPT' && [a.name, a.type, a.ttl, a.data]),
    [['app.gameday.lab', 'A', 30, '127.0.0.2']],
  );
});

test('wire: NXDOMAIN carries the SOA in authority and AA', () => {
  const response = ask(query('nope.gameday.lab', 'A'));
  assert.is(response.rcode, 'NXDOMAIN');
  assert.is(response.flag_aa, true);
  assert.equal(response.answers, []);
  assert.equal(
    response.authorities?.map((a) => a.type),
    ['SOA'],
  );
});

test('wire: outside the zone is REFUSED without AA', () => {
  const response = ask(query('example.com', 'A'));
  assert.is(response.rcode, 'REFUSED');
  assert.is(response.flag_aa, false);
});

test('wire: garbage after a readable header is FORMERR with the id kept', () => {
  const garbage = Buffer.concat([
    Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
    Buffer.from([0xff, 0xff, 0xff]),
  ]);
  const response = ask(garbage);
  assert.is(response.id, 0x1234);
  assert.is(response.rcode, 'FORMERR');
  assert.equal(response.questions, []);
});

test('wire: fewer bytes than a header, and responses, are dropped', () => {
  assert.is(answerQuery(Buffer.from([1, 2, 3]), zone, 'udp'), undefined);
  assert.is(answerQuery(Buffer.alloc(0), zone, 'udp'), undefined);
  const response = dnsPacket.encode({ id: 1, type: 'response', questions: [{ name: 'app.gameday.lab', type: 'A' }] });
  assert.is(answerQuery(response, zone, 'udp'), undefined);
});

test('wire: random bytes never throw', () => {
  let seed = 7;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  for (let i = 0; i < 2000; i += 1) {
    const packet = Buffer.from(Array.from({ length: random() % 80 }, () => random() % 256));
    if (packet.length >= 3) packet[2] &= 0x7f; // keep it a query so it is answered, not dropped
    answerQuery(packet, zone, 'udp');
  }
  // Mutations of a valid query exercise the decoder's deeper paths.
  const valid = query('app.gameday.lab', 'A');
  for (let i = 0; i < 2000; i += 1) {
    const mutated = Buffer.from(valid);
    mutated[12 + (random() % (mutated.length - 12))] = random() % 256;
    answerQuery(mutated, zone, 'udp');
  }
});

test('wire: two questions are FORMERR; other opcodes NOTIMP; CH class and AXFR REFUSED', () => {
  const two = dnsPacket.encode({
    id: 9,
    type: 'query',
    questions: [
      { name: 'a.gameday.lab', type: 'A' },
      { name: 'b.gameday.lab', type: 'A' },
    ],
  });
  assert.is(ask(two).rcode, 'FORMERR');
  const status = query('app.gameday.lab', 'A');
  status.writeUInt16BE((2 << 11) | dnsPacket.RECURSION_DESIRED, 2);
  assert.is(ask(status).rcode, 'NOTIMP');
  const chaos = dnsPacket.encode({
    id: 9,
    type: 'query',
    questions: [{ name: 'version.bind', type: 'TXT', class: 'CH' }],
  });
  assert.is(ask(chaos).rcode, 'REFUSED');
  assert.is(ask(query('gameday.lab', 'AXFR')).rcode, 'REFUSED');
});

test('wire: the question is echoed byte for byte: unknown class, unknown type, non-UTF-8 labels', () => {
  const questionOf = (packet: Buffer): string => {
    const exchange = answerQuery(packet, zone, 'udp');
    assert.ok(exchange);
    return exchange.response.subarray(12, packet.length).toString('hex');
  };
  const oddClass = query('app.gameday.lab', 'A');
  oddClass.writeUInt16BE(77, oddClass.length - 2);
  assert.is(ask(oddClass).rcode, 'REFUSED');
  assert.is(questionOf(oddClass), oddClass.subarray(12).toString('hex'));

  const oddType = query('app.gameday.lab', 'A');
  oddType.writeUInt16BE(65280, oddType.length - 4);
  assert.is(ask(oddType).rcode, 'NOERROR', 'a known name, a type it has not: NODATA');
  assert.is(questionOf(oddType), oddType.subarray(12).toString('hex'));

  const rawName = Buffer.from([2, 0xff, 0xfe, 7, ...Buffer.from('gameday'), 3, ...Buffer.from('lab'), 0]);
  const binary = Buffer.concat([Buffer.from([0, 7, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]), rawName, Buffer.from([0, 1, 0, 1])]);
  assert.is(ask(binary).rcode, 'NXDOMAIN');
  assert.is(questionOf(binary), binary.subarray(12).toString('hex'));
});

test('wire: EDNS is echoed with our buffer size', () => {
  const response = ask(query('app.gameday.lab', 'A', { additionals: [ednsOpt] }));
  const opt = response.additionals?.find((a) => a.type === 'OPT');
  assert.ok(opt && opt.type === 'OPT');
  assert.is(opt.udpPayloadSize, 1232);
  const plain = ask(query('app.gameday.lab', 'A'));
  assert.equal(plain.additionals, [], 'no OPT when the query had none');
});

test('wire: a UDP answer too big for the client is truncated; TCP gets all of it', () => {
  const classic = ask(query('big.gameday.lab', 'A'));
  assert.is(classic.flag_tc, true);
  assert.equal(classic.answers, []);
  const withEdns = ask(query('big.gameday.lab', 'A', { additionals: [ednsOpt] }));
  assert.is(withEdns.flag_tc, false);
  assert.is(withEdns.answers?.length, 30);
  const overTcp = ask(query('big.gameday.lab', 'A'), 'tcp');
  assert.is(overTcp.flag_tc, false);
  assert.is(overTcp.answers?.length, 30);
});

test('wire: TCP framing reassembles messages split and joined across chunks', () => {
  const a = query('app.gameday.lab', 'A');
  const b = query('big.gameday.lab', 'A');
  const stream = Buffer.concat([frameTcp(a), frameTcp(b)]);
  const framer = new TcpFramer();
  const received = [
    ...framer.push(stream.subarray(0, 1)),
    ...framer.push(stream.subarray(1, a.length + 5)),
    ...framer.push(stream.subarray(a.length + 5)),
  ];
  assert.equal(
    received.map((m) => m.toString('hex')),
    [a.toString('hex'), b.toString('hex')],
  );
});

test.run();
