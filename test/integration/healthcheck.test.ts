import { EventEmitter } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  HealthCheckAlreadyExistsError,
  HealthCheckChange,
  HealthCheckRegistry,
  HealthCheckVersionMismatchError,
  NoSuchHealthCheckError,
  ProbeResult,
} from '../../src/lab/healthcheck';

/** A real HTTP server whose /health answers whatever status it is told, or never answers. */
async function startHealthEndpoint(): Promise<{
  port: number;
  answer(status: number | 'hang'): void;
  close(): Promise<void>;
}> {
  let behaviour: number | 'hang' = 200;
  const sockets = new Set<net.Socket>();
  const server = http.createServer((request, response) => {
    if (behaviour === 'hang') return;
    response.statusCode = request.url === '/health' ? behaviour : 404;
    response.end('ok');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    answer(status) {
      behaviour = status;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolves with the first event matching `accept`; fails the test after `timeoutMs`. */
function nextEvent<T>(
  emitter: EventEmitter,
  event: string,
  accept: (value: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const onEvent = (value: T): void => {
      if (!accept(value)) return;
      clearTimeout(timer);
      emitter.off(event, onEvent);
      resolve(value);
    };
    const timer = setTimeout(() => {
      emitter.off(event, onEvent);
      reject(new Error(`no matching '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    emitter.on(event, onEvent);
  });
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('HTTP check: unhealthy after failureThreshold failures, healthy again after as many successes', async () => {
  const endpoint = await startHealthEndpoint();
  const registry = new HealthCheckRegistry();
  try {
    const outcomes: boolean[] = [];
    registry.on('observation', (o) => outcomes.push(o.ok));
    registry.add({
      id: 'hc-primary',
      ipAddress: '127.0.0.1',
      port: endpoint.port,
      requestIntervalMs: 200,
      failureThreshold: 3,
    });
    await nextEvent(registry, 'observation', () => true);
    assert.is(registry.status('hc-primary').status, 'Healthy');
    assert.is(registry.status('hc-primary').recentObservations[0].detail, 'HTTP 200');

    const failuresBefore = outcomes.length;
    endpoint.answer(500);
    const down = await nextEvent<HealthCheckChange>(registry, 'change', (c) => c.id === 'hc-primary');
    assert.equal(
      { status: down.status, previous: down.previous, cause: down.cause },
      { status: 'Unhealthy', previous: 'Healthy', cause: 'observation' },
    );
    // The flip comes on the third consecutive failure, not before and not later. (One
    // request may have been in flight when the endpoint switched, hence the slice.)
    const sinceSwitch = outcomes.slice(failuresBefore);
    assert.equal(sinceSwitch.slice(-3), [false, false, false]);
    assert.ok(sinceSwitch.length <= 4, `flipped after ${sinceSwitch.length} requests`);

    const report = registry.status('hc-primary');
    assert.is(report.status, 'Unhealthy');
    assert.is(report.since, down.at);
    assert.is(report.lastCheckedAt, down.at);
    assert.is(report.consecutive, 3);
    assert.equal(report.recentObservations.at(-1)?.detail, 'HTTP 500');

    endpoint.answer(302);
    const up = await nextEvent<HealthCheckChange>(registry, 'change', (c) => c.id === 'hc-primary');
    assert.is(up.status, 'Healthy', '3xx passes, as in Route 53');
    assert.is(registry.status('hc-primary').consecutive, 3);
  } finally {
    await registry.close();
    await endpoint.close();
  }
});

test('HTTP check: a 404 and a request that never answers both fail; the timeout is reported', async () => {
  const endpoint = await startHealthEndpoint();
  const registry = new HealthCheckRegistry();
  try {
    registry.add({
      id: 'wrong-path',
      ipAddress: '127.0.0.1',
      port: endpoint.port,
      resourcePath: '/nope',
      requestIntervalMs: 100,
      failureThreshold: 1,
    });
    const notFound = await nextEvent<HealthCheckChange>(registry, 'change', (c) => c.id === 'wrong-path');
    assert.is(notFound.status, 'Unhealthy');
    assert.is(registry.status('wrong-path').recentObservations.at(-1)?.detail, 'HTTP 404');
    registry.remove('wrong-path');

    endpoint.answer('hang');
    registry.add({
      id: 'slow',
      ipAddress: '127.0.0.1',
      port: endpoint.port,
      requestIntervalMs: 200,
      timeoutMs: 150,
      failureThreshold: 1,
    });
    await nextEvent<HealthCheckChange>(registry, 'change', (c) => c.id === 'slow');
    const last = registry.status('slow').recentObservations.at(-1);
    assert.is(last?.detail, 'timeout after 150 ms');
    assert.ok(last !== undefined && last.latencyMs >= 140, `latency ${last?.latencyMs}`);
  } finally {
    await registry.close();
    await endpoint.close();
  }
});

test('TCP check: a listener passes; a closed port fails with the connect error', async () => {
  const listener = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as net.AddressInfo).port;
  const registry = new HealthCheckRegistry();
  try {
    registry.add({ id: 'db', type: 'TCP', ipAddress: '127.0.0.1', port, requestIntervalMs: 100, failureThreshold: 2 });
    await nextEvent(registry, 'observation', () => true);
    assert.is(registry.status('db').recentObservations[0].detail, 'TCP connected');
    await new Promise<void>((resolve) => listener.close(() => resolve()));
    const change = await nextEvent<HealthCheckChange>(registry, 'change', (c) => c.id === 'db');
    assert.is(change.status, 'Unhealthy');
    assert.is(registry.status('db').recentObservations.at(-1)?.detail, 'ECONNREFUSED');
  } finally {
    await registry.close();
    if (listener.listening) listener.close();
  }
});

test('live update: inverted and disabled take effect at once; versions guard against lost updates', async () => {
  const endpoint = await startHealthEndpoint();
  const registry = new HealthCheckRegistry();
  try {
    const created = registry.add({ id: 'hc', ipAddress: '127.0.0.1', port: endpoint.port, requestIntervalMs: 100 });
    assert.is(created.healthCheckVersion, 1);
    await nextEvent(registry, 'observation', () => true);

    const changes: HealthCheckChange[] = [];
    registry.on('change', (c) => changes.push(c));
    const inverted = registry.update('hc', { healthCheckVersion: 1, inverted: true });
    assert.is(inverted.healthCheckVersion, 2);
    assert.is(inverted.config.inverted, true);
    assert.is(registry.status('hc').status, 'Unhealthy');
    assert.equal(
      changes.map((c) => [c.status, c.cause]),
      [['Unhealthy', 'update']],
    );

    try {
      registry.update('hc', { healthCheckVersion: 1, inverted: false });
      assert.unreachable('a stale version must be rejected');
    } catch (error) {
      assert.instance(error, HealthCheckVersionMismatchError);
      assert.is((error as HealthCheckVersionMismatchError).currentVersion, 2);
    }
    assert.is(registry.get('hc').config.inverted, true, 'the stale update changed nothing');

    // Disabled: Healthy before inversion, so still Unhealthy while inverted; and no requests.
    registry.update('hc', { disabled: true });
    assert.is(registry.status('hc').status, 'Unhealthy');
    registry.update('hc', { inverted: false });
    assert.is(registry.status('hc').status, 'Healthy');
    const observed = registry.status('hc').recentObservations.length;
    endpoint.answer(500);
    await delay(350);
    assert.is(registry.status('hc').recentObservations.length, observed, 'a disabled check sends no requests');
    assert.is(registry.status('hc').status, 'Healthy', 'disabled is reported healthy whatever the endpoint does');
    assert.is(registry.get('hc').healthCheckVersion, 4, 'one bump per accepted update');

    registry.update('hc', { disabled: false, failureThreshold: 1 });
    const down = await nextEvent<HealthCheckChange>(
      registry,
      'change',
      (c) => c.status === 'Unhealthy' && c.cause === 'observation',
    );
    assert.is(down.id, 'hc');
  } finally {
    await registry.close();
    await endpoint.close();
  }
});

test('registry: add/get/list/remove, typed errors, bounded history, nothing runs after close', async () => {
  const results: ProbeResult[] = [];
  let requests = 0;
  const registry = new HealthCheckRegistry({
    recentObservationLimit: 4,
    probe: async () => {
      requests += 1;
      const result = { ok: true, detail: `fake ${requests}` };
      results.push(result);
      return result;
    },
  });
  registry.add({ id: 'a', ipAddress: '127.0.0.1', port: 1, requestIntervalMs: 100 });
  registry.add({ id: 'b', ipAddress: '::1', port: 2, type: 'TCP', requestIntervalMs: 100 });
  assert.equal(
    registry.list().map((d) => d.config.id),
    ['a', 'b'],
  );
  assert.throws(
    () => registry.add({ id: 'a', ipAddress: '127.0.0.1', port: 1 }),
    (e: unknown) => e instanceof HealthCheckAlreadyExistsError,
  );
  try {
    registry.status('c');
    assert.unreachable();
  } catch (error) {
    assert.instance(error, NoSuchHealthCheckError);
    assert.match((error as Error).message, /no health check 'c'; known: 'a', 'b'/);
  }
  assert.throws(
    () => registry.isHealthy('c'),
    (e: unknown) => e instanceof NoSuchHealthCheckError,
  );

  await delay(650);
  assert.is(registry.status('a').recentObservations.length, 4, 'history is bounded');
  assert.is(registry.status('a').consecutive >= 5, true, 'the run keeps counting past the history');

  registry.remove('b');
  assert.equal(
    registry.list().map((d) => d.config.id),
    ['a'],
  );
  await registry.close();
  const afterClose = requests;
  await delay(300);
  assert.is(requests, afterClose, 'no requests after close');
  assert.throws(() => registry.add({ id: 'z', ipAddress: '127.0.0.1', port: 1 }), /closed/);
});

test.run();
