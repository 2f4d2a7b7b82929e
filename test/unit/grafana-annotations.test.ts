/**
 * The Grafana annotations reporter against a local HTTP endpoint that checks requests the
 * way Grafana's documented annotations API takes them (POST /api/annotations, PATCH
 * /api/annotations/:id; Bearer token; JSON with time and timeEnd in epoch ms, tags, text,
 * dashboardUID) and answers as Grafana does ({"message":"Annotation added","id":N}). No
 * Grafana runs here; this is the wire format it documents.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { JournalEvent, JournalEventInput } from '../../src/core/events';
import { Redactor, redactedMarker } from '../../src/core/redact';
import { grafanaAnnotationsReporter } from '../../src/report/grafana-annotations';
import { probePort } from '../support/net';

interface Received {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: Record<string, unknown>;
}

/** A stand-in for Grafana's annotations API: validates each request's shape, records it, answers like Grafana. */
async function fakeGrafana(options: { delayMs?: number; status?: number } = {}) {
  const received: Received[] = [];
  let nextId = 100;
  const server = http.createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      received.push({
        method: request.method!,
        path: request.url!,
        authorization: request.headers.authorization,
        contentType: request.headers['content-type'],
        body,
      });
      const answer = (status: number, payload: unknown) =>
        setTimeout(() => {
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(JSON.stringify(payload));
        }, options.delayMs ?? 0);
      if (options.status) return answer(options.status, { message: 'Permission denied' });
      if (request.method === 'POST' && request.url === '/api/annotations') {
        const valid =
          Number.isInteger(body.time) &&
          (body.timeEnd === undefined || Number.isInteger(body.timeEnd)) &&
          Array.isArray(body.tags) &&
          typeof body.text === 'string';
        if (!valid) return answer(400, { message: 'bad annotation' });
        return answer(200, { message: 'Annotation added', id: nextId++ });
      }
      if (request.method === 'PATCH' && /^\/api\/annotations\/\d+$/.test(request.url!))
        return answer(200, { message: 'Annotation patched' });
      answer(404, { message: 'Not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let seq = 0;
const event = (input: JournalEventInput, t = 1_764_000_000_000): JournalEvent =>
  ({ ...input, seq: ++seq, t }) as JournalEvent;

/** A drill's events: the run, a fault active 10 s, a failover step. */
function drill(): JournalEvent[] {
  const t0 = 1_764_000_000_000;
  return [
    event({
      type: 'run.started',
      runId: 'run-7',
      runDir: '/tmp/run-7',
      experiment: 'lose us-east-1',
      file: 'x.ts',
      description: '',
      target: { kind: 'lab' },
      gamedayVersion: '0',
      pid: 1,
      host: 'h',
      spec: {} as never,
    }),
    event({ type: 'fault.injected', fault: 'us-east-1-down', kind: 'regionOutage', at: t0 + 3_000.4 }),
    event({ type: 'failover.step', step: 'detect', status: 'started', at: t0 + 3_000 }),
    event({ type: 'failover.step', step: 'detect', status: 'succeeded', at: t0 + 4_200 }),
    event({ type: 'fault.reverted', fault: 'us-east-1-down', at: t0 + 13_000 }),
  ];
}

test('each fault: POSTed when active, its end PATCHed when reverted; each failover step a region', async () => {
  const grafana = await fakeGrafana();
  try {
    const reporter = grafanaAnnotationsReporter({
      url: `${grafana.url}/`,
      token: 'glsa_secret-token-1234',
      dashboardUID: 'orders',
      tags: ['team=payments'],
    });
    for (const e of drill()) reporter.onEvent!(e);
    await reporter.onEnd!(undefined as never);
    const t0 = 1_764_000_000_000;
    assert.equal(
      grafana.received.map(({ method, path, authorization, contentType }) => [
        method,
        path,
        authorization,
        contentType,
      ]),
      [
        ['POST', '/api/annotations', 'Bearer glsa_secret-token-1234', 'application/json'],
        ['POST', '/api/annotations', 'Bearer glsa_secret-token-1234', 'application/json'],
        ['PATCH', '/api/annotations/100', 'Bearer glsa_secret-token-1234', 'application/json'],
      ],
    );
    const [fault, step, end] = grafana.received.map((entry) => entry.body);
    assert.equal(fault, {
      dashboardUID: 'orders',
      time: t0 + 3_000,
      tags: ['chaos=true', 'run=run-7', 'fault=us-east-1-down', 'team=payments'],
      text: 'gameday: us-east-1-down (regionOutage) — lose us-east-1',
    });
    assert.equal(step, {
      dashboardUID: 'orders',
      time: t0 + 3_000,
      timeEnd: t0 + 4_200,
      tags: ['chaos=true', 'run=run-7', 'failover=detect', 'team=payments'],
      text: 'gameday failover: detect succeeded — lose us-east-1',
    });
    assert.equal(end, {
      timeEnd: t0 + 13_000,
      text: 'gameday: us-east-1-down — active 10.0 s, reverted — lose us-east-1',
    });
  } finally {
    await grafana.close();
  }
});

test('onEvent never waits for Grafana: a slow one is drained at the end', async () => {
  const grafana = await fakeGrafana({ delayMs: 300 });
  try {
    const reporter = grafanaAnnotationsReporter({ url: grafana.url, token: 't', tags: [] });
    const started = performance.now();
    for (const e of drill()) reporter.onEvent!(e);
    const onEventMs = performance.now() - started;
    assert.ok(onEventMs < 50, `onEvent took ${onEventMs} ms`);
    assert.is(grafana.received.length, 0, 'nothing sent while the events were handled');
    await reporter.onEnd!(undefined as never);
    assert.is(grafana.received.length, 3);
  } finally {
    await grafana.close();
  }
});

test('a Grafana that refuses: the run goes on, the end says how many were not posted and why', async () => {
  const grafana = await fakeGrafana({ status: 403 });
  try {
    const reporter = grafanaAnnotationsReporter({ url: grafana.url, token: 't', tags: [] });
    for (const e of drill()) reporter.onEvent!(e);
    try {
      await reporter.onEnd!(undefined as never);
      assert.unreachable('onEnd should say the annotations failed');
    } catch (error) {
      // The fault's start failed, so its end is posted as one region instead of a PATCH.
      assert.match(
        (error as Error).message,
        /^3 of 3 requests to Grafana failed; the first: POST \/api\/annotations: HTTP 403: .*Permission denied/,
      );
    }
    assert.is(grafana.received.filter((entry) => entry.method === 'PATCH').length, 0);
    assert.equal(grafana.received[2].body.timeEnd, 1_764_000_000_000 + 13_000);
  } finally {
    await grafana.close();
  }
});

test('nothing listening: every request fails fast and is counted', async () => {
  const port = await probePort('127.0.0.1', 0);
  const reporter = grafanaAnnotationsReporter({ url: `http://127.0.0.1:${port}`, token: 't', tags: [] });
  for (const e of drill()) reporter.onEvent!(e);
  try {
    await reporter.onEnd!(undefined as never);
    assert.unreachable();
  } catch (error) {
    assert.match(
      (error as Error).message,
      /^3 of 3 requests to Grafana failed; the first: POST \/api\/annotations: ECONNREFUSED$/,
    );
  }
});

test("the token is never journaled: run.started's experiment record redacts it", () => {
  const spec = {
    annotations: { grafana: { url: 'https://grafana.example.com', token: 'glsa_0123456789abcdef', tags: [] } },
  };
  const redacted = new Redactor({}).value(spec);
  assert.is(redacted.annotations.grafana.token, redactedMarker);
  assert.is(redacted.annotations.grafana.url, 'https://grafana.example.com');
});

test.run();
