/**
 * Toxic definitions and behaviours without sockets: validation (defaults, and errors that
 * name the field and what is valid) and each kind's decisions on a fake link and clock.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  FaultProxy,
  InvalidRequestError,
  InvalidToxicError,
  patchToxic,
  resolveHostPort,
  resolveToxic,
  toxicKinds,
  toxicTypes,
} from '../../src/lab/proxy';
import type { Chunk, LinkToxic, ToxicLink, Verdict } from '../../src/lab/proxy/toxics/kind';

function invalid(input: unknown): InvalidToxicError {
  try {
    resolveToxic(input);
  } catch (error) {
    if (error instanceof InvalidToxicError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

interface FakeLink extends ToxicLink {
  readonly timers: Array<{ ms: number; action: () => void }>;
  readonly actions: string[];
}

function fakeLink(): FakeLink {
  const timers: FakeLink['timers'] = [];
  const actions: string[] = [];
  return {
    direction: 'downstream',
    timers,
    actions,
    after: (ms, action) => timers.push({ ms, action }),
    closeConnection: () => actions.push('close'),
    resetConnection: () => actions.push('reset'),
  };
}

function admit(toxic: LinkToxic, chunk: Chunk, now: number, pieceBytes = chunk.bytes.length): Verdict {
  return toxic.admit?.({ chunk, pieceBytes, now }) ?? { kind: 'pass' };
}

// --- validation --------------------------------------------------------------------

test('a toxic gets Toxiproxy defaults: downstream, toxicity 1, name type_stream, zero attributes', () => {
  assert.equal(resolveToxic({ type: 'latency' }), {
    name: 'latency_downstream',
    type: 'latency',
    stream: 'downstream',
    toxicity: 1,
    attributes: { latency: 0, jitter: 0 },
  });
  assert.is(resolveToxic({ type: 'timeout', stream: 'upstream' }).name, 'timeout_upstream');
});

test('the registry holds the Toxiproxy kinds', () => {
  assert.equal(toxicTypes, ['latency', 'timeout', 'reset_peer', 'bandwidth', 'slicer']);
  assert.equal(Object.keys(toxicKinds), toxicTypes);
});

test('invalid toxics are rejected with the field and what is valid', () => {
  const cases: Array<[unknown, string, string]> = [
    [{ type: 'lag' }, 'toxic.type', 'valid types: latency, timeout, reset_peer, bandwidth, slicer'],
    [{}, 'toxic.type', 'missing; valid types'],
    [{ type: 'latency', stream: 'sideways' }, 'toxic.stream', '"upstream" or "downstream"'],
    [{ type: 'latency', toxicity: 1.5 }, 'toxic.toxicity', 'from 0 to 1'],
    [
      { type: 'latency', attributes: { latancy: 5 } },
      'toxic.attributes.latancy',
      'valid attributes: latency (ms), jitter (ms)',
    ],
    [{ type: 'latency', attributes: { latency: -1 } }, 'toxic.attributes.latency', 'must be a number >= 0 (ms)'],
    [{ type: 'latency', attributes: { latency: '5' } }, 'toxic.attributes.latency', 'must be a number'],
    [{ type: 'bandwidth' }, 'toxic.attributes.rate', 'required for bandwidth'],
    [{ type: 'bandwidth', attributes: { rate: 0 } }, 'toxic.attributes.rate', '> 0 (KB/s)'],
    [{ type: 'latency', colour: 'red' }, 'toxic.colour', 'valid fields: name, type, stream, toxicity, attributes'],
    [{ type: 'latency', name: '' }, 'toxic.name', 'non-empty'],
    ['latency', 'toxic', 'must be a JSON object'],
  ];
  for (const [input, field, message] of cases) {
    const error = invalid(input);
    assert.is(error.field, field, JSON.stringify(input));
    assert.match(error.message, message);
  }
});

test('an update merges attributes and cannot change what the toxic is', () => {
  const toxic = resolveToxic({ type: 'latency', attributes: { latency: 100, jitter: 5 } });
  assert.equal(patchToxic(toxic, { attributes: { latency: 200 } }).attributes, { latency: 200, jitter: 5 });
  assert.is(patchToxic(toxic, { toxicity: 0.5 }).toxicity, 0.5);
  assert.is(patchToxic(toxic, { ...toxic, toxicity: 0.25 }).toxicity, 0.25, 'the whole toxic sent back is fine');
  assert.throws(() => patchToxic(toxic, { type: 'timeout' }), /cannot change type/);
  assert.throws(() => patchToxic(toxic, { stream: 'upstream' }), /cannot change stream/);
  assert.throws(() => patchToxic(toxic, { attributes: { rate: 1 } }), /valid attributes: latency/);
});

test('addresses are read from "host:port" or {host, port}', () => {
  assert.equal(resolveHostPort('127.0.0.2:5432', 'upstream'), { host: '127.0.0.2', port: 5432 });
  assert.equal(resolveHostPort('[::1]:80', 'upstream'), { host: '::1', port: 80 });
  assert.equal(resolveHostPort({ host: 'db', port: 5432 }, 'upstream'), { host: 'db', port: 5432 });
  for (const bad of ['5432', 'db:', 'db:0', 'db:99999', { host: '', port: 1 }, 42]) {
    assert.throws(
      () => resolveHostPort(bad, 'upstream'),
      (error: unknown) => error instanceof InvalidRequestError,
    );
  }
});

test('a proxy refuses an upstream it could never connect to, before opening anything', async () => {
  const listen = { host: '127.0.0.1', port: 0 };
  for (const upstream of [
    { host: '127.0.0.1', port: 0 },
    { host: '', port: 80 },
  ]) {
    try {
      await FaultProxy.start({ name: 'bad', listen, upstream });
      assert.unreachable('start must reject');
    } catch (error) {
      assert.instance(error, InvalidRequestError);
    }
  }
});

// --- behaviours --------------------------------------------------------------------

test('latency holds a chunk until arrival + latency', () => {
  const toxic = toxicKinds.latency.attach({ latency: 100, jitter: 0 }, fakeLink());
  const chunk: Chunk = { bytes: Buffer.from('x'), arrivedAt: 1000 };
  assert.equal(admit(toxic, chunk, 1000), { kind: 'wait', until: 1100 });
  assert.equal(admit(toxic, chunk, 1100), { kind: 'pass' });
});

test('jitter draws once per chunk, within latency ± jitter', () => {
  const toxic = toxicKinds.latency.attach({ latency: 100, jitter: 30 }, fakeLink());
  for (let i = 0; i < 200; i += 1) {
    const chunk: Chunk = { bytes: Buffer.from('x'), arrivedAt: 0 };
    const first = admit(toxic, chunk, 0);
    assert.is(first.kind, 'wait');
    const until = first.kind === 'wait' ? first.until : NaN;
    assert.ok(until >= 70 && until <= 130, `delay ${until}`);
    assert.equal(admit(toxic, chunk, 1), first, 'asked again, the same deadline');
  }
});

test('timeout holds everything and closes after its timeout; 0 never closes', () => {
  const link = fakeLink();
  const toxic = toxicKinds.timeout.attach({ timeout: 500 }, link);
  assert.equal(admit(toxic, { bytes: Buffer.from('x'), arrivedAt: 0 }, 1e9), { kind: 'hold' });
  assert.equal(
    link.timers.map((t) => t.ms),
    [500],
  );
  link.timers[0]?.action();
  assert.equal(link.actions, ['close']);

  const blackhole = fakeLink();
  toxicKinds.timeout.attach({ timeout: 0 }, blackhole);
  assert.equal(blackhole.timers, []);
});

test('reset_peer lets data through and resets after its timeout', () => {
  const link = fakeLink();
  const toxic = toxicKinds.reset_peer.attach({ timeout: 250 }, link);
  assert.equal(admit(toxic, { bytes: Buffer.from('x'), arrivedAt: 0 }, 0), { kind: 'pass' });
  assert.equal(
    link.timers.map((t) => t.ms),
    [250],
  );
  link.timers[0]?.action();
  assert.equal(link.actions, ['reset']);
});

test('bandwidth sends 100 ms pieces, each after its own transmission time', () => {
  const toxic = toxicKinds.bandwidth.attach({ rate: 10 }, fakeLink()); // 10 bytes per ms
  assert.is(toxic.maxPieceBytes?.(), 1000);
  const chunk: Chunk = { bytes: Buffer.alloc(5000), arrivedAt: 0 };
  assert.equal(admit(toxic, chunk, 0, 1000), { kind: 'wait', until: 100 });
  assert.equal(admit(toxic, chunk, 50, 1000), { kind: 'wait', until: 100 }, 'asked again, the same departure');
  assert.equal(admit(toxic, chunk, 100, 1000), { kind: 'pass' });
  toxic.sent?.(1000, 100);
  assert.equal(admit(toxic, chunk, 100, 1000), { kind: 'wait', until: 200 });
});

test('slicer cuts pieces of average ± variation, delay apart', () => {
  const toxic = toxicKinds.slicer.attach({ average_size: 10, size_variation: 3, delay: 5000 }, fakeLink());
  const size = toxic.maxPieceBytes?.() ?? 0;
  assert.ok(size >= 7 && size <= 13, `piece ${size}`);
  assert.is(toxic.maxPieceBytes?.(), size, 'one draw per piece');
  toxic.sent?.(size, 0);
  assert.equal(admit(toxic, { bytes: Buffer.alloc(100), arrivedAt: 0 }, 1), { kind: 'wait', until: 5 });
});

test.run();
