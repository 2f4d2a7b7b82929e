import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxyApi } from '../proxy';
import { Lab, LabError } from '../lab';
import { createLabMetrics } from '../metrics';
import { PrometheusLabError, type RuleFileInput } from '../prometheus/server';
import type { AwsServiceFactory, AwsServiceHandler } from '../aws/handler';
import { signingScope } from '../aws/signing';

export interface ControlServer {
  url: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The lab's control endpoint: the Toxiproxy-style proxy API under /proxies and lab
 * operations under /lab. (The AWS API subset — FIS, Route 53, RDS — is served here too
 * once the lab speaks it.) JSON in, JSON out; errors as {error, status}.
 */
export async function startControlServer(
  lab: Lab,
  options: {
    host: string;
    port: number;
    onChange: () => void;
    onShutdown: () => void;
    awsServices?: Record<string, AwsServiceFactory>;
  },
): Promise<ControlServer> {
  const proxyApi = createProxyApi({ proxies: lab.proxies });
  const metrics = createLabMetrics(lab);
  /** host:port this endpoint listens on: where the lab's Prometheus scrapes its /metrics. */
  let self = '';
  const awsHandlers: Record<string, AwsServiceHandler> = Object.fromEntries(
    Object.entries(options.awsServices ?? {}).map(([service, factory]) => [
      service,
      factory(lab, { onChange: options.onChange }),
    ]),
  );
  const server = http.createServer(async (request, response) => {
    try {
      // AWS SDK calls are told apart by their SigV4 signing scope, as AWS routes them.
      const scope = signingScope(request);
      if (scope) {
        const handler = awsHandlers[scope.service];
        if (!handler) {
          send(response, 400, {
            __type: 'UnknownServiceException',
            message: `the lab does not serve ${scope.service}; it serves: ${Object.keys(awsHandlers).join(', ')}`,
          });
          return;
        }
        await handler(request, response, scope);
        if (request.method !== 'GET') options.onChange();
        return;
      }
      if (await proxyApi(request, response)) {
        if (request.method !== 'GET') options.onChange();
        return;
      }
      if (request.method === 'GET' && request.url === '/metrics') {
        const text = await metrics.render();
        response.writeHead(200, { 'content-type': metrics.contentType });
        response.end(text);
        return;
      }
      const body = request.method === 'POST' ? await readJson(request) : {};
      const result = await route(
        lab,
        request.method ?? 'GET',
        new URL(request.url ?? '/', 'http://lab').pathname,
        body,
        { ...options, self: () => self },
      );
      send(response, 200, result ?? { ok: true });
    } catch (error) {
      const status =
        error instanceof HttpError
          ? error.status
          : error instanceof LabError || error instanceof PrometheusLabError
            ? 409
            : 500;
      send(response, status, { error: (error as Error).message, status });
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const { port } = server.address() as AddressInfo;
  self = `${options.host}:${port}`;
  return {
    url: `http://${options.host}:${port}`,
    close: async () => {
      // Services with work in flight (FIS experiments) stop it and revert what it changed.
      for (const handler of Object.values(awsHandlers)) await (handler as { close?: () => Promise<void> }).close?.();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

async function route(
  lab: Lab,
  method: string,
  pathname: string,
  body: Record<string, unknown>,
  options: { onChange: () => void; onShutdown: () => void; self: () => string },
): Promise<unknown> {
  const parts = pathname.split('/').filter(Boolean);
  if (parts[0] !== 'lab') throw new HttpError(404, `no route ${method} ${pathname}`);
  const changed = <T>(value: T): T => {
    options.onChange();
    return value;
  };
  const [, resource, name, sub, action] = parts;
  if (method === 'GET' && resource === 'status' && parts.length === 2) return lab.status();
  if (method === 'GET' && resource === 'usage' && parts.length === 2) return lab.usage();
  // Both sides' rows once replication caught up (data-active-active): the consistency check reads it.
  if (method === 'GET' && resource === 'data' && parts.length === 2) return lab.dataSnapshot();
  if (method !== 'POST') throw new HttpError(405, `${method} ${pathname} is not supported`);
  switch (resource) {
    case 'regions': {
      lab.region(name);
      if (sub === 'database' && action === 'stop')
        return changed(await lab.stopDatabase(name, body.mode === 'fast' ? 'fast' : 'immediate'));
      if (sub === 'database' && action === 'start') return changed(await lab.startDatabase(name));
      if (sub === 'app' && action === 'stop') return changed(await lab.stopApp(name));
      if (sub === 'app' && action === 'start') return changed(await lab.startApp(name));
      if (sub === 'promote' && action === undefined) return changed(await lab.promote(name));
      if (sub === 'steps' && action !== undefined) return changed(await lab.strategyStep(action, name));
      break;
    }
    case 'health-checks': {
      const update: { inverted?: boolean; disabled?: boolean } = {};
      if (typeof body.inverted === 'boolean') update.inverted = body.inverted;
      if (typeof body.disabled === 'boolean') update.disabled = body.disabled;
      if (Object.keys(update).length === 0) throw new HttpError(400, 'give inverted and/or disabled (booleans)');
      lab.updateHealthCheck(name, update);
      return changed({ ok: true });
    }
    case 'prometheus':
      return changed(await prometheusRoute(lab, name, body, options.self()));
    case 'reset':
      return changed(await lab.reset());
    case 'shutdown':
      setImmediate(options.onShutdown);
      return { ok: true };
  }
  throw new HttpError(404, `no route ${method} ${pathname}`);
}

/** /lab/prometheus/start, /rules and /stop: the lab's Prometheus on demand, and the rule files a run loads into it. */
async function prometheusRoute(
  lab: Lab,
  action: string,
  body: Record<string, unknown>,
  self: string,
): Promise<unknown> {
  const interval = body.evaluationIntervalMs;
  if (interval !== undefined && (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 1_000))
    throw new HttpError(400, 'evaluationIntervalMs must be a whole number of milliseconds, at least 1000');
  switch (action) {
    case 'start':
      return lab.prometheus.start({ labMetrics: self, evaluationIntervalMs: interval as number | undefined });
    case 'rules': {
      const files = body.files;
      const valid =
        Array.isArray(files) &&
        files.every(
          (file) =>
            typeof file === 'object' &&
            file !== null &&
            typeof (file as RuleFileInput).name === 'string' &&
            typeof (file as RuleFileInput).content === 'string',
        );
      if (!valid) throw new HttpError(400, 'files must be a list of { name, content } (strings)');
      return lab.prometheus.loadRules(files as RuleFileInput[], interval as number | undefined);
    }
    case 'stop':
      await lab.prometheus.stop();
      return { ok: true };
  }
  throw new HttpError(404, `no route POST /lab/prometheus/${action}; use start, rules or stop`);
}

function readJson(request: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      if (!text.trim()) return resolve({});
      try {
        const parsed = JSON.parse(text);
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
        resolve(parsed);
      } catch {
        reject(new HttpError(400, 'request body must be a JSON object'));
      }
    });
    request.on('error', reject);
  });
}

function send(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
