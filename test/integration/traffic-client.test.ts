/**
 * The traffic probe's client on real sockets: names resolved through the probe's lookup once
 * per connection (so a keep-alive client sticks to its address and a 'new' one asks every
 * time), also from worker threads; x-gameday-region read; refused and unanswered requests
 * reported as ECONNREFUSED and TIMEOUT, as node:http reported them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupFunction } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { HttpOutcome } from '../../src/probes/http-traffic';
import { httpProbeSchema } from '../../src/probes/http';
import { trafficFor } from '../../src/probes/traffic-workers';

let server: http.Server;
let port = 0;
const hanging: http.ServerResponse[] = [];

test.before(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    if (req.url === '/hang') return void hanging.push(res);
    res.setHeader('x-gameday-region', 'eu-west-1');
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

test.after(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A lookup that knows one name, counts its questions and answers 127.0.0.1. */
function countingLookup(): { lookup: LookupFunction; count: () => number } {
  let asked = 0;
  const lookup: LookupFunction = (hostname, options, callback) => {
    asked++;
    const answer = (callback as unknown as (...args: unknown[]) => void).bind(null);
    if (hostname !== 'traffic.test') return answer(Object.assign(new Error('no such name'), { code: 'ENOTFOUND' }));
    if ((options as { all?: boolean }).all) answer(null, [{ address: '127.0.0.1', family: 4 }]);
    else answer(null, '127.0.0.1', 4);
  };
  return { lookup, count: () => asked };
}

async function run(config: Record<string, unknown>, lookup?: LookupFunction, ms = 1_000): Promise<HttpOutcome[]> {
  const probe = httpProbeSchema.parse({ kind: 'http', timeout: '300ms', ...config });
  const traffic = trafficFor(probe, probe.url!, { lookup });
  const outcomes: HttpOutcome[] = [];
  traffic.onOutcome((outcome) => outcomes.push(outcome));
  await traffic.ready();
  traffic.start();
  await new Promise((resolve) => setTimeout(resolve, ms));
  await traffic.stop();
  assert.is(traffic.dueBefore(Infinity), outcomes.length, 'every request released has its outcome');
  return outcomes;
}

for (const workers of [1, 2]) {
  test(`${workers} thread(s): 'new' resolves per request, keep-alive per connection; region read`, async () => {
    const fresh = countingLookup();
    const perRequest = await run(
      { url: `http://traffic.test:${port}/`, rate: 40, connection: 'new', workers },
      fresh.lookup,
    );
    assert.ok(perRequest.length >= 20, `${perRequest.length} requests`);
    assert.ok(
      perRequest.every((o) => o.ok && o.status === 200 && o.region === 'eu-west-1'),
      JSON.stringify(perRequest[0]),
    );
    assert.is(fresh.count(), perRequest.length, 'one lookup per request');

    const kept = countingLookup();
    const keepAlive = await run({ url: `http://traffic.test:${port}/`, rate: 40, workers }, kept.lookup);
    assert.ok(keepAlive.every((o) => o.ok));
    // At 40/s against a local server requests rarely overlap: a few connections, each resolved once.
    assert.ok(kept.count() >= workers && kept.count() <= keepAlive.length / 4, `${kept.count()} lookups`);
  });
}

test('failures carry errno-style codes: ENOTFOUND, ECONNREFUSED, TIMEOUT', async () => {
  const { lookup } = countingLookup();
  const unknown = await run({ url: `http://nowhere.test:${port}/`, rate: 20 }, lookup, 300);
  assert.ok(unknown.length > 0 && unknown.every((o) => !o.ok && o.status === 0 && o.error === 'ENOTFOUND'));

  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const refused = await run({ url: `http://127.0.0.1:${closedPort}/`, rate: 20, workers: 2 }, undefined, 300);
  assert.ok(
    refused.length > 0 && refused.every((o) => !o.ok && o.error === 'ECONNREFUSED'),
    JSON.stringify(refused[0]),
  );

  const slow = await run({ url: `http://127.0.0.1:${port}/hang`, rate: 20 }, undefined, 300);
  assert.ok(slow.length > 0 && slow.every((o) => !o.ok && o.error === 'TIMEOUT'), JSON.stringify(slow[0]));
  // Never before its deadline, 300 ms after its release: a request that waited for a connection was sent later than
  // released (its send lag counts the wait), and the wait is inside the timeout, so the bound is on the latency.
  for (const outcome of slow) assert.ok(outcome.latencyMs >= 299, JSON.stringify(outcome));
});

test('success is the probe successStatus, not any answer', async () => {
  const outcomes = await run({ url: `http://127.0.0.1:${port}/`, rate: 20, successStatus: '201' }, undefined, 300);
  assert.ok(outcomes.length > 0 && outcomes.every((o) => !o.ok && o.status === 200 && o.error === ''));
});

test.run();
