/**
 * Toxiproxy-compatible HTTP API over a set of named proxies. It is a handler, not a
 * server, so the lab daemon mounts it next to its other control endpoints:
 *
 *   const proxyApi = createProxyApi({ proxies });
 *   http.createServer(async (req, res) => { if (!(await proxyApi(req, res))) notFound(res); });
 *
 * Routes (under `basePath`):
 *   GET    /proxies                       all proxies, keyed by name
 *   GET    /proxies/:name                 one proxy
 *   POST   /proxies/:name                 {enabled?, upstream?}
 *   GET    /proxies/:name/toxics          its toxics
 *   POST   /proxies/:name/toxics          add a toxic
 *   GET    /proxies/:name/toxics/:toxic   one toxic
 *   POST   /proxies/:name/toxics/:toxic   update {toxicity?, attributes?}
 *   DELETE /proxies/:name/toxics/:toxic   remove (204)
 * Errors are JSON `{error, status}` (Toxiproxy's shape) with a message naming what is valid.
 * Creating and deleting proxies is not offered: the lab owns their addresses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatHostPort, resolveHostPort } from './address';
import {
  InvalidRequestError,
  InvalidToxicError,
  ProxyError,
  ProxyListenError,
  ProxyNotFoundError,
  ToxicExistsError,
  ToxicNotFoundError,
} from './errors';
import type { FaultProxy } from './proxy';
import type { Toxic, ToxicInput, ToxicPatch } from './toxic';

/** A proxy as Toxiproxy's API shows it; addresses are "host:port". */
export interface ProxyJson {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
  readonly toxics: readonly Toxic[];
}

export interface ApiErrorJson {
  readonly error: string;
  readonly status: number;
}

/** Resolves true when it answered the request, false when the path is not one of its routes. */
export type ProxyApiHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

export interface ProxyApiOptions {
  /** Proxies by name; read on every request, so the owner may add and remove entries. */
  readonly proxies: ReadonlyMap<string, FaultProxy>;
  /** Prefix in front of `/proxies`, e.g. '/lab'. Default: none. */
  readonly basePath?: string;
}

const maxBodyBytes = 1024 * 1024;
const proxyUpdateFields = ['enabled', 'upstream', 'name', 'listen'];

interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

interface RouteRequest {
  readonly method: string;
  readonly proxies: ReadonlyMap<string, FaultProxy>;
  readonly body: () => Promise<unknown>;
}

export function createProxyApi(options: ProxyApiOptions): ProxyApiHandler {
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  return async (request, response) => {
    const segments = routeSegments(request.url ?? '/', basePath);
    if (segments === undefined) return false;
    const reply = await route(segments, {
      method: request.method ?? 'GET',
      proxies: options.proxies,
      body: () => readJsonBody(request),
    }).catch(errorReply);
    send(response, reply);
    return true;
  };
}

export function proxyJson(proxy: FaultProxy): ProxyJson {
  return {
    name: proxy.name,
    listen: formatHostPort(proxy.address()),
    upstream: formatHostPort(proxy.upstream()),
    enabled: proxy.enabled,
    toxics: proxy.toxics(),
  };
}

/** The path's segments after `basePath` (starting with 'proxies'), or undefined when the path is not ours. */
function routeSegments(url: string, basePath: string): string[] | undefined {
  const path = url.split('?')[0] ?? '/';
  if (basePath !== '' && path !== basePath && !path.startsWith(`${basePath}/`)) return undefined;
  const segments = path
    .slice(basePath.length)
    .split('/')
    .filter((segment) => segment !== '');
  if (segments[0] !== 'proxies') return undefined;
  try {
    return segments.map((segment) => decodeURIComponent(segment));
  } catch {
    return segments;
  }
}

async function route(segments: readonly string[], request: RouteRequest): Promise<Reply> {
  const [, proxyName, collection, toxicName] = segments;
  if (proxyName === undefined) {
    return methods(request, '/proxies', {
      GET: async () => ok(Object.fromEntries([...request.proxies].map(([name, proxy]) => [name, proxyJson(proxy)]))),
    });
  }
  const proxy = (): FaultProxy => {
    const found = request.proxies.get(proxyName);
    if (!found) throw new ProxyNotFoundError(proxyName, [...request.proxies.keys()]);
    return found;
  };
  if (collection === undefined) {
    return methods(request, '/proxies/:name', {
      GET: async () => ok(proxyJson(proxy())),
      POST: async () => ok(await updateProxy(proxy(), await request.body())),
    });
  }
  if (collection === 'toxics' && toxicName === undefined) {
    return methods(request, '/proxies/:name/toxics', {
      GET: async () => ok(proxy().toxics()),
      POST: async () => ok(proxy().addToxic((await request.body()) as ToxicInput)),
    });
  }
  if (collection === 'toxics' && toxicName !== undefined && segments.length === 4) {
    return methods(request, '/proxies/:name/toxics/:toxic', {
      GET: async () => ok(proxy().toxic(toxicName)),
      POST: async () => ok(proxy().updateToxic(toxicName, (await request.body()) as ToxicPatch)),
      DELETE: async () => {
        proxy().removeToxic(toxicName);
        return { status: 204 };
      },
    });
  }
  return failure(
    404,
    `no route ${segments.map((s) => `/${s}`).join('')}; routes: /proxies, /proxies/:name, ` +
      `/proxies/:name/toxics, /proxies/:name/toxics/:toxic`,
  );
}

async function updateProxy(proxy: FaultProxy, body: unknown): Promise<ProxyJson> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError(
      'body',
      'must be a JSON object such as {"enabled": false} or {"upstream": "host:port"}',
    );
  }
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((field) => !proxyUpdateFields.includes(field));
  if (unknown !== undefined) throw new InvalidRequestError(unknown, 'unknown field; valid fields: enabled, upstream');
  // Toxiproxy clients send the whole proxy back; unchanged identity fields are fine.
  if (fields.name !== undefined && fields.name !== proxy.name) {
    throw new InvalidRequestError('name', 'a proxy cannot be renamed');
  }
  if (fields.listen !== undefined && fields.listen !== formatHostPort(proxy.address())) {
    throw new InvalidRequestError('listen', 'the listen address is fixed by the lab and cannot be changed');
  }
  if (fields.enabled !== undefined && typeof fields.enabled !== 'boolean') {
    throw new InvalidRequestError('enabled', `must be true or false, got ${JSON.stringify(fields.enabled)}`);
  }
  // Validate everything before changing anything, so a bad request changes nothing.
  const upstream = fields.upstream === undefined ? undefined : resolveHostPort(fields.upstream, 'upstream');
  if (upstream) proxy.setUpstream(upstream);
  if (fields.enabled !== undefined) await proxy.setEnabled(fields.enabled);
  return proxyJson(proxy);
}

function methods(
  request: RouteRequest,
  pattern: string,
  handlers: Readonly<Partial<Record<string, () => Promise<Reply>>>>,
): Promise<Reply> {
  const handler = handlers[request.method];
  if (handler) return handler();
  const allowed = Object.keys(handlers).join(', ');
  return Promise.resolve({
    ...failure(405, `${request.method} is not supported on ${pattern}; allowed: ${allowed}`),
    headers: { allow: allowed },
  });
}

function ok(body: unknown): Reply {
  return { status: 200, body };
}

function failure(status: number, message: string): Reply {
  const body: ApiErrorJson = { error: message, status };
  return { status, body };
}

function errorReply(error: unknown): Reply {
  return failure(statusFor(error), error instanceof Error ? error.message : String(error));
}

function statusFor(error: unknown): number {
  if (error instanceof InvalidToxicError || error instanceof InvalidRequestError) return 400;
  if (error instanceof ProxyNotFoundError || error instanceof ToxicNotFoundError) return 404;
  if (error instanceof ToxicExistsError) return 409;
  if (error instanceof ProxyListenError) return 503;
  if (error instanceof ProxyError) return 409;
  return 500;
}

function readJsonBody(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    request.on('data', (part: Buffer) => {
      size += part.length;
      if (size <= maxBodyBytes) parts.push(part);
    });
    request.on('error', reject);
    request.on('end', () => {
      if (size > maxBodyBytes) {
        reject(new InvalidRequestError('body', `larger than ${maxBodyBytes} bytes`));
        return;
      }
      const text = Buffer.concat(parts).toString('utf8');
      if (text.trim() === '') {
        reject(new InvalidRequestError('body', 'missing; send a JSON object'));
        return;
      }
      try {
        resolve(JSON.parse(text));
      } catch (error) {
        reject(
          new InvalidRequestError('body', `not valid JSON: ${error instanceof Error ? error.message : String(error)}`),
        );
      }
    });
  });
}

function send(response: ServerResponse, reply: Reply): void {
  if (reply.body === undefined) {
    response.writeHead(reply.status, { ...reply.headers });
    response.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    ...reply.headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
