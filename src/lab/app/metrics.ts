import type http from 'node:http';
import type * as PromClient from 'prom-client';
import { DbFailure } from './db';

/*
 * prom-client's index also loads its push gateway, cluster aggregation, summaries and default metrics: about 150 ms
 * of every region's app start on a busy machine, where these three modules take 15. The lab's start stays as it was.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Registry = require('prom-client/lib/registry') as typeof PromClient.Registry;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Counter = require('prom-client/lib/counter') as typeof PromClient.Counter;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Histogram = require('prom-client/lib/histogram') as typeof PromClient.Histogram;

/**
 * What one region's app tells Prometheus (GET /metrics), as a service instrumented with
 * prom-client would: every request by route, method and status code with its latency,
 * and the write path — each statement sent to the writer, by outcome. Every series
 * carries `region`. Routes are the app's paths with ids folded (/orders/:id), so the
 * series stay few whatever clients ask for.
 */
export interface AppMetrics {
  /** Wraps the server's request handler: serves GET /metrics, and times and counts every other request. */
  instrument(handler: http.RequestListener): http.RequestListener;
  /** Times one statement on the writer and counts how it ended (ok, or the failure's kind). */
  onWriter<T>(work: () => Promise<T>): Promise<T>;
}

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const writeBuckets = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Series that exist before their first request. A counter series born during an outage has
 * no earlier sample, so rate() would miss the failures of its first scrape: the routes a
 * drill's traffic uses start at zero with the statuses a failure answers.
 */
const initialSeries: Array<{ route: string; method: string; codes: string[] }> = [
  { route: '/orders', method: 'POST', codes: ['201', '500', '503'] },
  { route: '/orders', method: 'GET', codes: ['200', '500', '503'] },
  { route: '/ledger', method: 'POST', codes: ['201', '500', '503'] },
  { route: '/health', method: 'GET', codes: ['200', '503'] },
];

export function createAppMetrics(region: string): AppMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ region });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by route, method and status code.',
    labelNames: ['route', 'method', 'code'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'From the request arriving to the response finished, by route, method and status code.',
    labelNames: ['route', 'method', 'code'],
    buckets: latencyBuckets,
    registers: [registry],
  });
  const writes = new Counter({
    name: 'app_writer_statements_total',
    help: "Statements sent to the writer (POST /orders, /ledger), by outcome: ok, or the failure's kind.",
    labelNames: ['outcome'],
    registers: [registry],
  });
  const writeLatency = new Histogram({
    name: 'app_writer_statement_duration_seconds',
    help: 'Time for one statement on the writer, connecting and resolving the writer included.',
    labelNames: ['outcome'],
    buckets: writeBuckets,
    registers: [registry],
  });
  for (const { route, method, codes } of initialSeries)
    for (const code of codes) requests.inc({ route, method, code }, 0);
  for (const outcome of ['ok', 'unreachable', 'timeout', 'read_only']) writes.inc({ outcome }, 0);
  const routes = new Set(initialSeries.map((series) => series.route));

  return {
    instrument: (handler) => (req, res) => {
      const path = new URL(req.url ?? '/', 'http://app.invalid').pathname;
      if (path === '/metrics' && req.method === 'GET') {
        registry.metrics().then(
          (text) => {
            res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
            res.end(text);
          },
          (error: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`metrics: ${(error as Error).message}`);
          },
        );
        return;
      }
      const started = process.hrtime.bigint();
      res.once('finish', () => {
        const labels = { route: routeOf(path, routes), method: req.method ?? 'GET', code: String(res.statusCode) };
        requests.inc(labels);
        latency.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      });
      handler(req, res);
    },

    async onWriter(work) {
      const started = process.hrtime.bigint();
      let outcome = 'ok';
      try {
        return await work();
      } catch (error) {
        outcome = error instanceof DbFailure ? error.kind : 'error';
        throw error;
      } finally {
        writes.inc({ outcome });
        writeLatency.observe({ outcome }, Number(process.hrtime.bigint() - started) / 1e9);
      }
    },
  };
}

const maxRoutes = 50;

/**
 * The route a path belongs to: numeric segments folded to :id. Paths deeper than four segments, and any new one once
 * `maxRoutes` are known, are `other`: a client asking for random paths cannot grow the series without bound.
 */
export function routeOf(path: string, known: Set<string> = new Set()): string {
  const segments = path.split('/').filter(Boolean);
  if (segments.length > 4 || segments.some((segment) => segment.length > 64)) return 'other';
  const route = '/' + segments.map((segment) => (/^\d+$/.test(segment) ? ':id' : segment)).join('/');
  if (!known.has(route)) {
    if (known.size >= maxRoutes) return 'other';
    known.add(route);
  }
  return route;
}
