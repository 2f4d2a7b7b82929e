import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, type AwsServiceHandler } from '../handler';
import { actions, type ActionDefinition } from './actions';
import { FisError, notFoundError, validationError } from './errors';
import { actionArn } from './ids';
import type { FisService } from './service';
import { templateJson, templateSummaryJson } from './templates';

/**
 * FIS's wire protocol, restJson1: operations are an HTTP method and a path (path
 * parameters URI-encoded, an ARN included), JSON bodies, timestamps as epoch seconds.
 * Errors are the status, `x-amzn-errortype` and `{message}` (see errors.ts).
 */

interface Call {
  readonly service: FisService;
  readonly region: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown>;
}

interface Route {
  readonly operation: string;
  readonly method: string;
  /** Literal segments, and `{name}` for a path parameter. */
  readonly path: readonly string[];
  run(call: Call): unknown;
}

const routes: Route[] = [
  {
    operation: 'CreateExperimentTemplate',
    method: 'POST',
    path: ['experimentTemplates'],
    run: ({ service, region, body }) => ({ experimentTemplate: templateJson(service.createTemplate(region, body)) }),
  },
  {
    operation: 'ListExperimentTemplates',
    method: 'GET',
    path: ['experimentTemplates'],
    run: ({ service, region, query }) => {
      const page = paginate(service.templatesIn(region), query);
      return { experimentTemplates: page.items.map(templateSummaryJson), nextToken: page.nextToken };
    },
  },
  {
    operation: 'GetExperimentTemplate',
    method: 'GET',
    path: ['experimentTemplates', '{id}'],
    run: ({ service, region, params }) => ({
      experimentTemplate: templateJson(service.getTemplate(region, params.id)),
    }),
  },
  {
    operation: 'DeleteExperimentTemplate',
    method: 'DELETE',
    path: ['experimentTemplates', '{id}'],
    run: ({ service, region, params }) => ({
      experimentTemplate: templateJson(service.deleteTemplate(region, params.id)),
    }),
  },
  {
    operation: 'StartExperiment',
    method: 'POST',
    path: ['experiments'],
    run: ({ service, region, body }) => ({ experiment: service.startExperiment(region, body).json() }),
  },
  {
    operation: 'ListExperiments',
    method: 'GET',
    path: ['experiments'],
    run: ({ service, region, query }) => {
      const page = paginate(service.experimentsIn(region, query.get('experimentTemplateId') ?? undefined), query);
      return { experiments: page.items.map((experiment) => experiment.summaryJson()), nextToken: page.nextToken };
    },
  },
  {
    operation: 'GetExperiment',
    method: 'GET',
    path: ['experiments', '{id}'],
    run: ({ service, region, params }) => ({ experiment: service.getExperiment(region, params.id).json() }),
  },
  {
    operation: 'StopExperiment',
    method: 'DELETE',
    path: ['experiments', '{id}'],
    run: ({ service, region, params }) => ({ experiment: service.stopExperiment(region, params.id).json() }),
  },
  {
    operation: 'ListExperimentResolvedTargets',
    method: 'GET',
    path: ['experiments', '{id}', 'resolvedTargets'],
    run: ({ service, region, params, query }) => {
      const targets = service
        .getExperiment(region, params.id)
        .resolvedTargetsJson(query.get('targetName') ?? undefined);
      const page = paginate(targets, query);
      return { resolvedTargets: page.items, nextToken: page.nextToken };
    },
  },
  {
    operation: 'ListActions',
    method: 'GET',
    path: ['actions'],
    run: ({ region, query }) => {
      const page = paginate([...actions.values()], query);
      return { actions: page.items.map((action) => actionSummaryJson(action, region)), nextToken: page.nextToken };
    },
  },
  {
    operation: 'GetAction',
    method: 'GET',
    path: ['actions', '{id}'],
    run: ({ region, params }) => {
      const action = actions.get(params.id);
      if (!action)
        throw notFoundError(`Action ${params.id} not found; the lab carries out: ${[...actions.keys()].join(', ')}`);
      return { action: actionJson(action, region) };
    },
  },
  {
    operation: 'ListTagsForResource',
    method: 'GET',
    path: ['tags', '{resourceArn}'],
    run: ({ service, region, params }) => ({ tags: service.tagsOf(region, params.resourceArn) }),
  },
  {
    operation: 'TagResource',
    method: 'POST',
    path: ['tags', '{resourceArn}'],
    run: ({ service, region, params, body }) => {
      service.tag(region, params.resourceArn, body.tags);
      return {};
    },
  },
  {
    operation: 'UntagResource',
    method: 'DELETE',
    path: ['tags', '{resourceArn}'],
    run: ({ service, region, params, query }) => {
      service.untag(region, params.resourceArn, query.getAll('tagKeys'));
      return {};
    },
  },
];

/** The handler the control endpoint calls for every request signed for `fis`. */
export function fisRequestHandler(service: FisService): AwsServiceHandler {
  return async (request, response, scope) => {
    const requestId = randomUUID();
    try {
      const url = new URL(request.url ?? '/', 'http://fis.lab');
      const segments = url.pathname.split('/').filter(Boolean).map(decodeSegment);
      const match = findRoute(request.method ?? 'GET', segments);
      const body = await jsonBody(request);
      const result = match.route.run({
        service,
        region: scope.region,
        params: match.params,
        query: url.searchParams,
        body,
      });
      send(response, 200, result, requestId);
    } catch (error) {
      if (error instanceof FisError) {
        send(response, error.status, { message: error.message }, requestId, error.code);
      } else {
        send(
          response,
          500,
          { message: `the lab's FIS failed: ${(error as Error).message}` },
          requestId,
          'InternalServerException',
        );
      }
    }
  };
}

function findRoute(method: string, segments: string[]): { route: Route; params: Record<string, string> } {
  for (const route of routes) {
    if (route.method !== method || route.path.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = route.path.every((part, i) => {
      if (part.startsWith('{')) {
        params[part.slice(1, -1)] = segments[i];
        return true;
      }
      return part === segments[i];
    });
    if (matches) return { route, params };
  }
  const served = routes.map((route) => `${route.operation} (${route.method} /${route.path.join('/')})`).join(', ');
  throw new FisError(
    'UnknownOperationException',
    `the lab's FIS does not serve ${method} /${segments.join('/')}; it serves: ${served}`,
  );
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw validationError(`path segment ${JSON.stringify(segment)} is not valid URI encoding`);
  }
}

async function jsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(request)).toString('utf8');
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw validationError('the request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw validationError('the request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** maxResults (1 to 100) and an opaque nextToken, as every FIS List* operation takes them. */
function paginate<T>(items: readonly T[], query: URLSearchParams): { items: T[]; nextToken?: string } {
  const maxText = query.get('maxResults');
  const max = maxText === null ? 100 : Number(maxText);
  if (!Number.isInteger(max) || max < 1 || max > 100)
    throw validationError(`maxResults must be a whole number from 1 to 100, got ${JSON.stringify(maxText)}`);
  const token = query.get('nextToken');
  let start = 0;
  if (token !== null) {
    start = Number(
      Buffer.from(token, 'base64url')
        .toString('utf8')
        .replace(/^offset:/, ''),
    );
    if (
      !Number.isInteger(start) ||
      start < 0 ||
      !Buffer.from(token, 'base64url').toString('utf8').startsWith('offset:')
    ) {
      throw validationError('nextToken is not a token this service returned');
    }
  }
  const page = items.slice(start, start + max);
  const next = start + max < items.length ? Buffer.from(`offset:${start + max}`).toString('base64url') : undefined;
  return { items: page, nextToken: next };
}

function actionTargetsJson(action: ActionDefinition): Record<string, { resourceType: string }> {
  return action.target ? { [action.target.key]: { resourceType: action.target.resourceType } } : {};
}

function actionSummaryJson(action: ActionDefinition, region: string): Record<string, unknown> {
  return {
    id: action.id,
    arn: actionArn(region, action.id),
    description: action.description,
    targets: actionTargetsJson(action),
    tags: {},
  };
}

function actionJson(action: ActionDefinition, region: string): Record<string, unknown> {
  const parameters = Object.fromEntries(
    Object.entries(action.parameters).map(([name, parameter]) => [
      name,
      { description: parameter.description, required: parameter.required },
    ]),
  );
  return { ...actionSummaryJson(action, region), parameters };
}

function send(response: ServerResponse, status: number, body: unknown, requestId: string, errorType?: string): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
  };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  response.writeHead(status, headers);
  response.end(text);
}
