import { fetchFailure, GamedayError } from '../core/errors';
import type { PrometheusRuleRecord } from '../core/events';

/**
 * A client of the Prometheus HTTP API (/api/v1): instant and range queries and the rules
 * a server evaluates. It only reads. Prometheus, Thanos, Mimir (give the URL with its
 * /prometheus prefix) and other servers of the same API answer it; `headers` carry what
 * they need (Authorization, X-Scope-OrgID). Headers are never journaled.
 */

export interface PrometheusEndpoint {
  /** Base URL: the API is at `${url}/api/v1/…`. */
  url: string;
  headers?: Record<string, string>;
}

export interface InstantSample {
  labels: Record<string, string>;
  value: number;
}

export interface RangeSeries {
  labels: Record<string, string>;
  /** [epoch ms, value], in time order. */
  points: Array<[number, number]>;
}

/** A rule as the server reports it (/api/v1/rules), durations in ms. */
export type RuleRecord = PrometheusRuleRecord;

export class PrometheusApiError extends GamedayError {}

/** Prometheus caps a range query at 11,000 points per series; a step is chosen to stay under it. */
export const maxPointsPerSeries = 11_000;

export class PrometheusClient {
  private readonly base: string;

  constructor(
    readonly endpoint: PrometheusEndpoint,
    private readonly options: { timeoutMs?: number } = {},
  ) {
    this.base = endpoint.url.replace(/\/+$/, '');
  }

  /** The value of an expression at one moment (now by default). A scalar answers as one sample without labels. */
  async query(expr: string, options: { timeMs?: number; signal?: AbortSignal } = {}): Promise<InstantSample[]> {
    const form: Record<string, string> = { query: expr };
    if (options.timeMs !== undefined) form.time = String(options.timeMs / 1000);
    const data = (await this.call('query', form, options.signal)) as { resultType: string; result: unknown };
    switch (data.resultType) {
      case 'vector':
        return (data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((entry) => ({
          labels: entry.metric,
          value: Number(entry.value[1]),
        }));
      case 'scalar': {
        const [, value] = data.result as [number, string];
        return [{ labels: {}, value: Number(value) }];
      }
      default:
        throw new PrometheusApiError(
          `${this.base}: ${JSON.stringify(expr)} is a ${data.resultType}, not an instant vector or a scalar`,
        );
    }
  }

  /**
   * Every sample a selector's series hold in the `windowMs` before `atMs`, at the timestamps they were written (an
   * instant query of a range vector): exact, where a range query rounds to its step. ALERTS and ALERTS_FOR_STATE are
   * written at each rule evaluation, so their samples are the evaluations themselves.
   */
  async samples(
    selector: string,
    range: { windowMs: number; atMs: number },
    signal?: AbortSignal,
  ): Promise<RangeSeries[]> {
    const seconds = Math.max(1, Math.ceil(range.windowMs / 1000));
    const data = (await this.call(
      'query',
      { query: `${selector}[${seconds}s]`, time: String(range.atMs / 1000) },
      signal,
    )) as { resultType: string; result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
    if (data.resultType !== 'matrix')
      throw new PrometheusApiError(
        `${this.base}: ${selector}[${seconds}s] answered a ${data.resultType}, not a matrix`,
      );
    return data.result.map((entry) => ({
      labels: entry.metric,
      points: entry.values.map(([t, value]) => [Math.round(t * 1000), Number(value)] as [number, number]),
    }));
  }

  /** The expression at every `stepMs` from `startMs` to `endMs` (epoch ms). */
  async queryRange(
    expr: string,
    range: { startMs: number; endMs: number; stepMs: number },
    signal?: AbortSignal,
  ): Promise<RangeSeries[]> {
    const data = (await this.call(
      'query_range',
      {
        query: expr,
        start: String(range.startMs / 1000),
        end: String(range.endMs / 1000),
        step: String(range.stepMs / 1000),
      },
      signal,
    )) as { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
    return data.result.map((entry) => ({
      labels: entry.metric,
      points: entry.values.map(([t, value]) => [Math.round(t * 1000), Number(value)] as [number, number]),
    }));
  }

  /** Every rule the server evaluates (GET /api/v1/rules). */
  async rules(signal?: AbortSignal): Promise<RuleRecord[]> {
    const data = (await this.call('rules', null, signal)) as {
      groups: Array<{
        name: string;
        file: string;
        interval: number;
        rules: Array<{
          type: 'alerting' | 'recording';
          name: string;
          query: string;
          duration?: number;
          keepFiringFor?: number;
          labels?: Record<string, string>;
        }>;
      }>;
    };
    return data.groups.flatMap((group) =>
      group.rules.map((rule) => ({
        group: group.name,
        file: group.file,
        intervalMs: Math.round(group.interval * 1000),
        type: rule.type,
        name: rule.name,
        query: rule.query,
        forMs: Math.round((rule.duration ?? 0) * 1000),
        keepFiringForMs: Math.round((rule.keepFiringFor ?? 0) * 1000),
        labels: rule.labels ?? {},
      })),
    );
  }

  /** One API call: POST form for queries (long expressions fit), GET otherwise; the `data` of a success. */
  private async call(path: string, form: Record<string, string> | null, signal?: AbortSignal): Promise<unknown> {
    const url = `${this.base}/api/v1/${path}`;
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 10_000);
    let response: Response;
    try {
      response = await fetch(url, {
        method: form ? 'POST' : 'GET',
        headers: {
          accept: 'application/json',
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...this.endpoint.headers,
        },
        body: form ? new URLSearchParams(form).toString() : undefined,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      const why = timeout.aborted
        ? `no answer within ${(this.options.timeoutMs ?? 10_000) / 1000} s`
        : signal?.aborted
          ? 'no answer before the query was given up'
          : fetchFailure(error);
      throw new PrometheusApiError(`Prometheus at ${this.base} unreachable: ${why}`);
    }
    const text = await response.text();
    let body: { status?: string; data?: unknown; errorType?: string; error?: string } | null = null;
    try {
      body = JSON.parse(text);
    } catch {
      // Not the Prometheus API (a proxy's error page, a wrong path): said below with the status.
    }
    if (!response.ok || body?.status !== 'success') {
      const detail = body?.error ? `${body.errorType ?? 'error'}: ${body.error}` : text.trim().slice(0, 200);
      throw new PrometheusApiError(
        `Prometheus at ${this.base} answered ${path} with HTTP ${response.status}: ${detail}`,
      );
    }
    return body.data;
  }
}

/** A range query's step: `preferredMs`, or coarser when the window would need more points than a server allows. */
export function stepFor(windowMs: number, preferredMs: number): number {
  return Math.max(preferredMs, Math.ceil(windowMs / (maxPointsPerSeries - 1) / 1000) * 1000);
}
