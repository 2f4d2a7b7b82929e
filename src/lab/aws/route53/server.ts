import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Lab } from '../../lab';
import { InvalidChangeBatchError } from '../../dns';
import {
  HealthCheckAlreadyExistsError,
  HealthCheckVersionMismatchError,
  InvalidHealthCheckConfigError,
  NoSuchHealthCheckError,
} from '../../healthcheck';
import { readBody, type AwsServiceHandler } from '../handler';
import { ChangeTracker } from './changes';
import { Route53Error, invalidChangeBatch, invalidInput, noSuchHealthCheck } from './errors';
import { HealthCheckApi } from './health-checks';
import { HostedZoneApi } from './hosted-zones';
import { xmlDocument } from './xml';

export interface Route53HandlerOptions {
  /** How long ChangeResourceRecordSets changes report PENDING before INSYNC. Default 500 ms. */
  insyncAfterMs?: number;
}

interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

interface Call {
  request: IncomingMessage;
  /** Path parameters, URI-decoded. */
  params: string[];
  query: URLSearchParams;
  body: () => Promise<Buffer>;
}

interface Route {
  operation: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: RegExp;
  run: (call: Call) => Reply | Promise<Reply>;
}

const ok = (body: string): Reply => ({ status: 200, body });

/**
 * The Route 53 API (REST-XML, 2013-04-01) the lab serves: the operations gameday uses,
 * routed by method and path as the service model binds them. Every answer carries a
 * request id (header `x-amzn-RequestId`, and `<RequestId>` in errors), as Route 53's do.
 */
export function route53Handler(lab: Lab, options: Route53HandlerOptions = {}): AwsServiceHandler {
  const changes = new ChangeTracker({ insyncAfterMs: options.insyncAfterMs });
  const zones = new HostedZoneApi(lab, changes);
  const checks = new HealthCheckApi(lab);

  const routes: Route[] = [
    {
      operation: 'ListHostedZones',
      method: 'GET',
      path: /^\/2013-04-01\/hostedzone$/,
      run: ({ query }) => ok(zones.listHostedZones(query)),
    },
    {
      operation: 'GetHostedZone',
      method: 'GET',
      path: /^\/2013-04-01\/hostedzone\/([^/]+)$/,
      run: ({ params }) => ok(zones.getHostedZone(params[0])),
    },
    {
      operation: 'ListResourceRecordSets',
      method: 'GET',
      path: /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset$/,
      run: ({ params, query }) => ok(zones.listResourceRecordSets(params[0], query)),
    },
    {
      operation: 'ChangeResourceRecordSets',
      method: 'POST',
      path: /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset$/,
      run: async ({ params, body }) => ok(zones.changeResourceRecordSets(params[0], await body())),
    },
    {
      operation: 'GetChange',
      method: 'GET',
      path: /^\/2013-04-01\/change\/([^/]+)$/,
      run: ({ params }) => ok(xmlDocument('GetChangeResponse', [changes.changeInfo(changes.get(params[0]))])),
    },
    {
      operation: 'CreateHealthCheck',
      method: 'POST',
      path: /^\/2013-04-01\/healthcheck$/,
      run: async ({ request, body }) => {
        const { id, xml } = checks.create(await body());
        return {
          status: 201,
          body: xml,
          headers: { location: `http://${request.headers.host ?? 'localhost'}/2013-04-01/healthcheck/${id}` },
        };
      },
    },
    {
      operation: 'ListHealthChecks',
      method: 'GET',
      path: /^\/2013-04-01\/healthcheck$/,
      run: ({ query }) => ok(checks.list(query)),
    },
    {
      operation: 'GetHealthCheck',
      method: 'GET',
      path: /^\/2013-04-01\/healthcheck\/([^/]+)$/,
      run: ({ params }) => ok(checks.get(params[0])),
    },
    {
      operation: 'UpdateHealthCheck',
      method: 'POST',
      path: /^\/2013-04-01\/healthcheck\/([^/]+)$/,
      run: async ({ params, body }) => ok(checks.update(params[0], await body())),
    },
    {
      operation: 'DeleteHealthCheck',
      method: 'DELETE',
      path: /^\/2013-04-01\/healthcheck\/([^/]+)$/,
      run: ({ params }) => ok(checks.remove(params[0])),
    },
    {
      operation: 'GetHealthCheckStatus',
      method: 'GET',
      path: /^\/2013-04-01\/healthcheck\/([^/]+)\/status$/,
      run: ({ params }) => ok(checks.status(params[0])),
    },
  ];

  return async (request, response) => {
    const requestId = randomUUID();
    try {
      const url = new URL(request.url ?? '/', 'http://route53');
      // Older clients write some paths with a trailing slash (…/rrset/); Route 53 takes both.
      const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
      for (const route of routes) {
        if (route.method !== request.method) continue;
        const match = route.path.exec(pathname);
        if (!match) continue;
        const params = match.slice(1).map((param) => decodeURIComponent(param));
        const reply = await route.run({ request, params, query: url.searchParams, body: () => readBody(request) });
        send(response, reply.status, reply.body, requestId, reply.headers);
        return;
      }
      throw new Route53Error(
        'InvalidAction',
        `The lab's Route 53 does not serve ${request.method} ${pathname}; it serves ` +
          `${routes.map((route) => route.operation).join(', ')}`,
      );
    } catch (error) {
      const failure = asRoute53Error(error);
      const body = xmlDocument('ErrorResponse', [
        [
          'Error',
          [
            ['Type', failure.type],
            ['Code', failure.code],
            ['Message', failure.message],
          ],
        ],
        ['RequestId', requestId],
      ]);
      send(response, failure.status, body, requestId);
    }
  };
}

/** The lab's own errors (zone, health checks) as the Route 53 errors they stand for. */
function asRoute53Error(error: unknown): Route53Error {
  if (error instanceof Route53Error) return error;
  if (error instanceof InvalidChangeBatchError) return invalidChangeBatch(error.messages);
  if (error instanceof NoSuchHealthCheckError) return noSuchHealthCheck(error.id);
  if (error instanceof HealthCheckVersionMismatchError) {
    return new Route53Error(
      'HealthCheckVersionMismatch',
      `The value of HealthCheckVersion in the request (${error.requestedVersion}) doesn't match the ` +
        `value of HealthCheckVersion in the health check (${error.currentVersion}).`,
    );
  }
  if (error instanceof HealthCheckAlreadyExistsError)
    return new Route53Error('HealthCheckAlreadyExists', `A health check with id ${error.id} already exists.`);
  if (error instanceof InvalidHealthCheckConfigError) {
    return invalidInput(
      error.problems.map((problem) => `${route53FieldName(problem.path)}: ${problem.message}`).join('; '),
    );
  }
  return new Route53Error('InternalFailure', error instanceof Error ? error.message : String(error));
}

/** The registry's field names as Route 53 spells them. */
function route53FieldName(path: string): string {
  const names: Record<string, string> = {
    type: 'Type',
    ipAddress: 'IPAddress',
    port: 'Port',
    resourcePath: 'ResourcePath',
    requestIntervalMs: 'RequestInterval',
    failureThreshold: 'FailureThreshold',
    inverted: 'Inverted',
    disabled: 'Disabled',
  };
  return names[path] ?? path;
}

function send(
  response: ServerResponse,
  status: number,
  body: string,
  requestId: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    ...headers,
  });
  response.end(body);
}
