/**
 * The fault proxy against real sockets on 127.0.0.1. Timing assertions are one-sided or
 * generous (a lower bound from the toxic, an upper bound with a wide margin), so a busy
 * CI machine makes tests slower, not flaky.
 */
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createProxyApi, FaultProxy, ProxyApiError, ProxyClient, type ProxyConnectionError } from '../../src/lab/proxy';

const host = '127.0.0.1';
/** Added to every upper bound on a duration: CI machines stall, toxics never run early. */
const slack = 400;

const cleanups: Array<() => unknown> = [];
function onCleanup(step: () => unknown): void {
  cleanups.push(step);
}

test.after.each(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

// --- servers -----------------------------------------------------------------------

interface TestServer {
  readonly port: number;
  close(): Promise<void>;
}

async function startServer(onSocket: (socket: net.Socket) => void): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as net.AddressInfo).port;
  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  onCleanup(close);
  return { port, close };
}

/** Echoes every chunk back (after `prefix`, to tell servers apart) and forwards FIN. */
function startEcho(prefix = ''): Promise<TestServer> {
  return startServer((socket) => {
    socket.on('data', (data: Buffer) =>
      socket.write(prefix === '' ? data : Buffer.concat([Buffer.from(prefix), data])),
    );
    socket.on('end', () => socket.end());
  });
}

async function startProxy(upstreamPort: number, name = 'app'): Promise<FaultProxy> {
  const proxy = await FaultProxy.start({ name, listen: { host, port: 0 }, upstream: { host, port: upstreamPort } });
  onCleanup(() => proxy.close());
  return proxy;
}

// --- clients -----------------------------------------------------------------------

class TestClient {
  private parts: Buffer[] = [];
  /** Bytes received so far (since the last clear()). */
  receivedLength = 0;
  dataEvents = 0;
  error: NodeJS.ErrnoException | undefined;
  ended = false;
  isClosed = false;
  readonly closed: Promise<void>;

  constructor(readonly socket: net.Socket) {
    // Parts, not one growing buffer: re-concatenating on every read is quadratic in MiB-sized tests.
    socket.on('data', (data: Buffer) => {
      this.parts.push(data);
      this.receivedLength += data.length;
      this.dataEvents += 1;
    });
    socket.on('error', (error: NodeJS.ErrnoException) => (this.error = error));
    socket.on('end', () => (this.ended = true));
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        resolve();
      }),
    );
  }

  get received(): Buffer {
    if (this.parts.length > 1) this.parts = [Buffer.concat(this.parts)];
    return this.parts[0] ?? Buffer.alloc(0);
  }

  clear(): void {
    this.parts = [];
    this.receivedLength = 0;
  }

  text(): string {
    return this.received.toString();
  }

  /** Resolves when `check` holds, re-checked on every socket event. */
  until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
    return new Promise((resolve, reject) => {
      const events = ['data', 'end', 'close', 'error'] as const;
      const attempt = (): void => {
        if (!check()) return;
        finish();
        resolve();
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received ${this.receivedLength} bytes`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        for (const event of events) this.socket.off(event, attempt);
      };
      for (const event of events) this.socket.on(event, attempt);
      attempt();
    });
  }

  /** Sends `payload` and measures the ms until as many bytes more have come back. */
  async roundTrip(payload: string, timeoutMs = 3000): Promise<number> {
    const expected = this.receivedLength + Buffer.byteLength(payload);
    const started = performance.now();
    this.socket.write(payload);
    await this.until(() => this.receivedLength >= expected, `echo of ${JSON.stringify(payload)}`, timeoutMs);
    return performance.now() - started;
  }
}

function connect(port: number): Promise<TestClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.off('error', reject);
      const client = new TestClient(socket);
      onCleanup(() => socket.destroy());
      resolve(client);
    });
    socket.once('error', reject);
  });
}

async function connectError(port: number): Promise<NodeJS.ErrnoException | undefined> {
  try {
    const client = await connect(port);
    client.socket.destroy();
    return undefined;
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}

/** Fails instead of hanging the file when something that should happen never does. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// --- passthrough -------------------------------------------------------------------

test('passes bytes both ways unchanged, large transfers intact, FIN forwarded', async () => {
  const echo = await startEcho();
  const proxy = await startProxy(echo.port);
  const client = await connect(proxy.address().port);

  await client.roundTrip('hello');
  assert.is(client.text(), 'hello');

  const big = Buffer.alloc(4 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 1) big[i] = (i * 31) & 0xff;
  client.clear();
  client.socket.end(big);
  await client.until(() => client.ended, 'the echo to end after the client half-closed', 10_000);
  assert.ok(client.received.equals(big), 'a 4 MiB echo comes back byte for byte');
  await within(client.closed, 3000, 'the client to close');
  await sleep(20);
  assert.equal(proxy.stats(), { active: 0, total: 1 });
});

// --- latency -----------------------------------------------------------------------

test('latency delays by the configured amount, per direction', async () => {
  const echo = await startEcho();
  const proxy = await startProxy(echo.port);
  proxy.addToxic({ type: 'latency', stream: 'downstream', attributes: { latency: 150 } });
  const client = await connect(proxy.address().port);
  const oneWay = await client.roundTrip('ping');
  assert.ok(oneWay >= 150, `round trip ${oneWay} ms ≥ 150`);
  assert.ok(oneWay < 150 + slack, `round trip ${oneWay} ms < ${150 + slack}`);

  proxy.addToxic({ type: 'latency', stream: 'upstream', attributes: { latency: 100 } });
  const bothWays = await client.roundTrip('ping');
  assert.ok(bothWays >= 250, `round trip ${bothWays} ms ≥ 250 with both directions delayed`);
  assert.ok(bothWays < 250 + slack, `round trip ${bothWays} ms < ${250 + slack}`);
});

test('jitter keeps each delay within latency ± jitter and preserves byte order', async () => {
  const echo = await startEcho();
  const proxy = await startProxy(echo.port);
  proxy.addToxic({ type: 'latency', attributes: { latency: 80, jitter: 40 } });
  const client = await connect(proxy.address().port);
  const delays: number[] = [];
  for (let i = 0; i < 8; i += 1) delays.push(await client.roundTrip(`m${i}`));
  for (const delay of delays) {
    assert.ok(delay >= 40, `round trip ${delay.toFixed(1)} ms ≥ 80 - 40`);
    assert.ok(delay < 120 + slack, `round trip ${delay.toFixed(1)} ms < 80 + 40 + slack`);
  }
  assert.ok(
    Math.max(...delays) - Math.min(...delays) > 5,
    `delays vary: ${delays.map((d) => d.toFixed(0)).join(', ')}`,
  );

  // Many chunks in flight at once, each with its own draw: none may overtake another.
  client.clear();
  const messages = Array.from({ length: 30 }, (_, i) => `<${i}>`);
  for (const message of messages) {
    client.socket.write(message);
    await sleep(3);
  }
  const expected = messages.join('');
  await client.until(() => client.receivedLength >= expected.length, 'all messages');
  assert.is(client.text(), expected);
});

test('a toxic added to an open connection applies to its next chunks; update and removal too', async () => {
  const echo = await startEcho();
  const proxy = await startProxy(echo.port);
  const client = await connect(proxy.address().port);
  const before = await client.roundTrip('a');
  assert.ok(before < 100, `no toxic: round trip ${before} ms`);

  proxy.addToxic({ name: 'slow', type: 'latency', attributes: { latency: 120 } });
  const slowed = await client.roundTrip('b');
  assert.ok(slowed >= 120, `added mid-connection: round trip ${slowed} ms ≥ 120`);

  const updated = proxy.updateToxic('slow', { attributes: { latency: 250 } });
  assert.equal(updated.attributes, { latency: 250, jitter: 0 });
  const slower = await client.roundTrip('c');
  assert.ok(slower >= 250, `updated mid-connection: round trip ${slower} ms ≥ 250`);

  proxy.removeToxic('slow');
  const after = await client.roundTrip('d');
  assert.ok(after < 100, `removed: round trip ${after} ms`);
  assert.is(client.text(), 'abcd');
});

// --- timeout -----------------------------------------------------------------------

test('timeout 0 blackholes an open connection; removing it releases the held bytes on that connection', async () => {
  const echo = await startEcho();
  const proxy = await startProxy(echo.port);
  const client = await connect(proxy.address().port);
  await client.roundTrip('before;');

  proxy.addToxic({ name: 'partition', type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } });
  client.socket.write('held;');
  await sleep(300);
  assert.is(client.text(), 'before;', 'nothing passes while the blackhole is in place');
  assert.not.ok(client.isClosed, 'timeout 0 never closes');

  proxy.removeToxic('partition');
  await client.until(() => client.text() === 'before;held;', 'the held bytes after removal');
  await client.roundTrip('after;');
  assert.is(client.text(), 'before;held;after;');
  assert.is(client.error, undefined);
});

test('timeout N closes the connection after N ms, also on an open connection', async () => {
  const echo = await startEcho();
  const proxy = await startProxy(echo.port);
  const open = await connect(proxy.address().port);
  await open.roundTrip('x');

  const added = performance.now();
  proxy.addToxic({ type: 'timeout', attributes: { timeout: 300 } });
  const fresh = await connect(proxy.address().port);
  fresh.socket.write('dropped?');

  await within(Promise.all([open.closed, fresh.closed]), 3000, 'both connections to close');
  const elapsed = performance.now() - added;
  assert.ok(elapsed >= 300, `closed after ${elapsed} ms ≥ 300`);
  assert.ok(elapsed < 300 + slack, `closed after ${elapsed} ms < ${300 + slack}`);
  assert.is(fresh.receivedLength, 0, 'no data passed the timeout toxic');
});

test('held data stays bounded: the sender feels backpressure, and everything arrives after removal', async () => {
  const echo = await startEcho();
  const proxy = await startProxy(echo.port);
  const client = await connect(proxy.address().port);
  proxy.addToxic({ name: 'stall', type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } });

  // More than loopback's socket buffers can absorb, so some must wait in the client.
  const payload = Buffer.alloc(24 * 1024 * 1024, 7);
  const accepted = client.socket.write(payload);
  assert.not.ok(accepted, 'write reports backpressure');
  await sleep(300);
  assert.ok(client.socket.writableLength > 0, `bytes still queued in the sender: ${client.socket.writableLength}`);

  proxy.removeToxic('stall');
  await client.until(() => client.receivedLength === payload.length, 'the whole payload echoed', 15_000);
  assert.ok(client.received.equals(payload));
});

// --- reset_peer --------------------------------------------------------------------

test('reset_peer resets new connections (ECONNRESET), at once or after its timeout', async () => {
  const echo = await startEcho();
  const proxy = await startProxy(echo.port);
  proxy.addToxic({ name: 'rst', type: 'reset_peer', attributes: { timeout: 0 } });
  const reset = await connect(proxy.address().port);
  await within(reset.closed, 3000, 'the reset');
  assert.is(reset.error?.code, 'ECONNRESET');

  proxy.removeToxic('rst');
  const open = await connect(proxy.address().port);
  await open.roundTrip('fine');
  const added = performance.now();
  proxy.addToxic({ name: 'rst-later', type: 'reset_peer', stream: 'upstream', attributes: { timeout: 250 } });
  await open.roundTrip('still fine');
  await within(open.closed, 3000, 'the delayed reset');
  const elapsed = performance.now() - added;
  assert.is(open.error?.code, 'ECONNRESET');
  assert.ok(elapsed >= 250 && elapsed < 250 + slack, `reset after ${elapsed} ms`);
});

// --- bandwidth and slicer ----------------------------------------------------------

test('bandwidth throttles a transfer to about size / rate', async () => {
  const size = 200_000;
  const source = await startServer((socket) => socket.end(Buffer.alloc(size, 1)));
  const proxy = await startProxy(source.port);
  proxy.addToxic({ type: 'bandwidth', attributes: { rate: 200 } }); // 200 KB/s → ~1000 ms
  const started = performance.now();
  const client = await connect(proxy.address().port);
  await client.until(() => client.ended, 'the end of the transfer', 5000);
  const elapsed = performance.now() - started;
  assert.is(client.receivedLength, size);
  assert.ok(elapsed >= 900, `transfer took ${elapsed} ms ≥ 900 (1000 expected)`);
  assert.ok(elapsed < 1000 + slack * 2, `transfer took ${elapsed} ms, roughly 1000`);
});

test('slicer cuts data into small pieces without changing it', async () => {
  const text = 'x'.repeat(2000);
  const source = await startServer((socket) => socket.end(text));
  const proxy = await startProxy(source.port);
  proxy.addToxic({ type: 'slicer', attributes: { average_size: 100, size_variation: 20, delay: 2000 } });
  const client = await connect(proxy.address().port);
  await client.until(() => client.ended, 'the end of the transfer');
  assert.is(client.text(), text);
  assert.ok(client.dataEvents >= 10, `arrived in ${client.dataEvents} reads`);
});

// --- toxicity ----------------------------------------------------------------------

test('toxicity 0 never applies, to open or new connections', async () => {
  const echo = await startEcho();
  const proxy = await startProxy(echo.port);
  const open = await connect(proxy.address().port);
  proxy.addToxic({ type: 'timeout', toxicity: 0, attributes: { timeout: 0 } });
  assert.ok((await open.roundTrip('open')) < 200);
  for (let i = 0; i < 5; i += 1) {
    const fresh = await connect(proxy.address().port);
    assert.ok((await fresh.roundTrip(`new${i}`)) < 200);
  }
  proxy.updateToxic('timeout_downstream', { toxicity: 1 });
  open.socket.write('now held');
  await sleep(150);
  assert.is(open.text(), 'open', 'toxicity 1 after update applies');
});

// --- enabled, upstream, errors -----------------------------------------------------

test('disabled: open connections close, connecting is refused; re-enabled on the same port', async () => {
  const echo = await startEcho();
  const proxy = await startProxy(echo.port);
  const port = proxy.address().port;
  const open = await connect(port);
  await open.roundTrip('up');

  await proxy.setEnabled(false);
  await within(open.closed, 3000, 'the open connection to close');
  assert.is(proxy.enabled, false);
  assert.is((await connectError(port))?.code, 'ECONNREFUSED');
  assert.is(proxy.stats().active, 0);

  await proxy.setEnabled(true);
  assert.is(proxy.address().port, port);
  const again = await connect(port);
  await again.roundTrip('up again');
  assert.equal(proxy.stats(), { active: 1, total: 2 });
});

test('setUpstream sends new connections to the new upstream; open ones stay', async () => {
  const first = await startEcho('A:');
  const second = await startEcho('B:');
  const proxy = await startProxy(first.port);
  const before = await connect(proxy.address().port);
  await before.roundTrip('1234');

  proxy.setUpstream({ host, port: second.port });
  assert.equal(proxy.upstream(), { host, port: second.port });
  const after = await connect(proxy.address().port);
  after.socket.write('x');
  await after.until(() => after.text() === 'B:x', 'the new upstream');
  before.socket.write('y');
  await before.until(() => before.text() === 'A:1234A:y', 'the old upstream on the open connection');
});

test('an unreachable upstream resets the client, is reported, and never crashes the proxy', async () => {
  const gone = await startEcho();
  await gone.close();
  const echo = await startEcho();
  const proxy = await startProxy(gone.port);
  const errors: ProxyConnectionError[] = [];
  proxy.on('error', (error) => errors.push(error));
  const connections: number[] = [];
  proxy.on('connection', (info) => connections.push(info.id));

  const client = await connect(proxy.address().port);
  client.socket.write('anyone?');
  await within(client.closed, 3000, 'the client to be reset');
  assert.is(client.receivedLength, 0);
  assert.ok(
    errors.some((error) => error.code === 'ECONNREFUSED' && error.side === 'upstream'),
    'ECONNREFUSED reported',
  );
  assert.equal(connections, [1]);

  proxy.setUpstream({ host, port: echo.port });
  const next = await connect(proxy.address().port);
  await next.roundTrip('recovered');
});

test('close is idempotent and leaves nothing listening', async () => {
  const echo = await startEcho();
  const proxy = await startProxy(echo.port);
  const port = proxy.address().port;
  const open = await connect(port);
  await Promise.all([proxy.close(), proxy.close()]);
  await proxy.close();
  await within(open.closed, 3000, 'the open connection to close');
  assert.is((await connectError(port))?.code, 'ECONNREFUSED');
  try {
    await proxy.setEnabled(true);
    assert.unreachable('enabling a closed proxy must fail');
  } catch (error) {
    assert.is((error as Error).name, 'ProxyClosedError');
  }
});

// --- HTTP API ----------------------------------------------------------------------

async function startApi(proxies: ReadonlyMap<string, FaultProxy>): Promise<string> {
  const handle = createProxyApi({ proxies, basePath: '/lab' });
  const server = http.createServer((request, response) => {
    void handle(request, response).then((handled) => {
      if (!handled) response.writeHead(404, { 'content-type': 'text/plain' }).end('not the proxy api');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  onCleanup(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://${host}:${(server.address() as net.AddressInfo).port}`;
}

async function apiError(call: Promise<unknown>): Promise<ProxyApiError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ProxyApiError) return error;
    throw error;
  }
  throw new Error('expected the API call to fail');
}

test('HTTP API: Toxiproxy routes through the typed client, with clear errors', async () => {
  const echo = await startEcho();
  const other = await startEcho('B:');
  const proxy = await startProxy(echo.port, 'app');
  const origin = await startApi(new Map([['app', proxy]]));
  const api = new ProxyClient(`${origin}/lab`);

  const listed = await api.proxies();
  assert.equal(Object.keys(listed), ['app']);
  assert.equal(listed.app, {
    name: 'app',
    listen: `${host}:${proxy.address().port}`,
    upstream: `${host}:${echo.port}`,
    enabled: true,
    toxics: [],
  });

  const added = await api.addToxic('app', { type: 'latency', attributes: { latency: 120 } });
  assert.equal(added, {
    name: 'latency_downstream',
    type: 'latency',
    stream: 'downstream',
    toxicity: 1,
    attributes: { latency: 120, jitter: 0 },
  });
  const client = await connect(proxy.address().port);
  assert.ok((await client.roundTrip('via api')) >= 120, 'the toxic added over HTTP acts on traffic');
  assert.equal(await api.toxics('app'), [added]);
  assert.equal(await api.toxic('app', 'latency_downstream'), added);
  const updated = await api.updateToxic('app', 'latency_downstream', { attributes: { jitter: 10 } });
  assert.equal(updated.attributes, { latency: 120, jitter: 10 });

  const duplicate = await apiError(api.addToxic('app', { type: 'latency' }));
  assert.is(duplicate.status, 409);

  const unknownType = await apiError(api.addToxic('app', { type: 'lag' }));
  assert.is(unknownType.status, 400);
  assert.match(unknownType.message, 'unknown toxic type "lag"');
  assert.match(unknownType.message, 'latency, timeout, reset_peer, bandwidth');

  const badAttribute = await apiError(api.addToxic('app', { type: 'latency', attributes: { latancy: 5 } }));
  assert.is(badAttribute.status, 400);
  assert.match(badAttribute.message, 'valid attributes: latency (ms), jitter (ms)');

  const unknownProxy = await apiError(api.addToxic('db', { type: 'latency' }));
  assert.is(unknownProxy.status, 404);
  assert.match(unknownProxy.message, 'no proxy named "db"; proxies: app');

  const unknownToxic = await apiError(api.removeToxic('app', 'nope'));
  assert.is(unknownToxic.status, 404);
  assert.match(unknownToxic.message, 'latency_downstream');

  await api.removeToxic('app', 'latency_downstream');
  assert.equal(await api.toxics('app'), []);

  const disabled = await api.setEnabled('app', false);
  assert.is(disabled.enabled, false);
  assert.is((await connectError(proxy.address().port))?.code, 'ECONNREFUSED');
  assert.is((await api.setEnabled('app', true)).enabled, true);

  const moved = await api.setUpstream('app', { host, port: other.port });
  assert.is(moved.upstream, `${host}:${other.port}`);
  const movedClient = await connect(proxy.address().port);
  movedClient.socket.write('x');
  await movedClient.until(() => movedClient.text() === 'B:x', 'the new upstream');

  const badUpstream = await apiError(api.setUpstream('app', { host, port: 70000 }));
  assert.is(badUpstream.status, 400);

  // Raw requests: bodies that are not JSON, methods a route does not take, paths not ours.
  const notJson = await fetch(`${origin}/lab/proxies/app/toxics`, { method: 'POST', body: '{nope' });
  assert.is(notJson.status, 400);
  assert.match(((await notJson.json()) as { error: string }).error, 'not valid JSON');
  const wrongMethod = await fetch(`${origin}/lab/proxies`, { method: 'DELETE' });
  assert.is(wrongMethod.status, 405);
  assert.is(wrongMethod.headers.get('allow'), 'GET');
  await wrongMethod.text();
  const unknownRoute = await fetch(`${origin}/lab/proxies/app/stats`);
  assert.is(unknownRoute.status, 404);
  assert.match(((await unknownRoute.json()) as { error: string }).error, 'routes: /proxies');
  const notOurs = await fetch(`${origin}/proxies`);
  assert.is(await notOurs.text(), 'not the proxy api');
});

test('the client reports an unreachable API as a ProxyApiError without a status', async () => {
  const gone = await startEcho();
  await gone.close();
  const error = await apiError(new ProxyClient(`http://${host}:${gone.port}`).proxies());
  assert.is(error.status, undefined);
  assert.match(error.message, 'unreachable');
});

test.run();
