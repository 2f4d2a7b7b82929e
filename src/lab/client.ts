import { ProxyClient } from './proxy';
import type { DataSnapshot } from '../core/data-snapshot';
import type { LabStatus, LabUsage } from './lab';
import type { PrometheusStatus } from './prometheus/holder';
import type { RuleFileInput } from './prometheus/server';
import type { LabState } from './state';

export class LabApiError extends Error {
  constructor(
    readonly status: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'LabApiError';
  }
}

/** Talks to a running lab's control endpoint. Used by faults, the CLI and recover. */
export class LabClient {
  readonly proxies: ProxyClient;

  constructor(readonly controlUrl: string) {
    this.proxies = new ProxyClient(controlUrl);
  }

  static of(state: LabState): LabClient {
    return new LabClient(state.controlUrl);
  }

  status(): Promise<LabStatus> {
    return this.call('GET', '/lab/status');
  }

  /** What each region's processes consume now, read from /proc by the lab. */
  usage(): Promise<LabUsage> {
    return this.call('GET', '/lab/usage');
  }

  /** What every region's database holds once replication caught up (data-active-active), for the consistency check. */
  dataSnapshot(): Promise<DataSnapshot> {
    return this.call('GET', '/lab/data');
  }

  stopDatabase(region: string, mode: 'immediate' | 'fast' = 'immediate'): Promise<void> {
    return this.call('POST', `/lab/regions/${region}/database/stop`, { mode });
  }

  startDatabase(region: string): Promise<void> {
    return this.call('POST', `/lab/regions/${region}/database/start`);
  }

  stopApp(region: string): Promise<void> {
    return this.call('POST', `/lab/regions/${region}/app/stop`);
  }

  startApp(region: string): Promise<void> {
    return this.call('POST', `/lab/regions/${region}/app/start`);
  }

  promote(region: string): Promise<{ previousPrimary: string; promotedMs: number }> {
    return this.call('POST', `/lab/regions/${region}/promote`);
  }

  /** One step of the lab strategy's runbook, in `region`. */
  strategyStep(region: string, step: string): Promise<Record<string, unknown>> {
    return this.call('POST', `/lab/regions/${region}/steps/${step}`);
  }

  updateHealthCheck(region: string, update: { inverted?: boolean; disabled?: boolean }): Promise<void> {
    return this.call('POST', `/lab/health-checks/${region}`, update);
  }

  /** Starts the lab's Prometheus unless it runs; `started` says whether this call did. */
  startPrometheus(evaluationIntervalMs?: number): Promise<{ status: PrometheusStatus; started: boolean }> {
    return this.call('POST', '/lab/prometheus/start', { evaluationIntervalMs });
  }

  /** Replaces the rule files the lab's Prometheus evaluates (an empty list unloads them). */
  loadPrometheusRules(files: RuleFileInput[], evaluationIntervalMs?: number): Promise<PrometheusStatus> {
    return this.call('POST', '/lab/prometheus/rules', { files, evaluationIntervalMs });
  }

  stopPrometheus(): Promise<void> {
    return this.call('POST', '/lab/prometheus/stop');
  }

  reset(): Promise<void> {
    return this.call('POST', '/lab/reset');
  }

  shutdown(): Promise<void> {
    return this.call('POST', '/lab/shutdown');
  }

  /** One call, as recorded in a rollback record; shared by live rollback and recover. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.controlUrl), {
        method,
        headers: body === undefined ? undefined : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(120_000),
      });
    } catch (error) {
      // fetch says only "fetch failed"; what failed (refused, reset, closed by the other side) is its cause.
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause ? ` (${[cause.code, cause.message].filter(Boolean).join(': ')})` : '';
      throw new LabApiError(
        undefined,
        `lab control endpoint ${this.controlUrl} unreachable: ${(error as Error).message}${why}`,
      );
    }
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (!response.ok)
      throw new LabApiError(response.status, `lab: ${method} ${path}: ${parsed?.error ?? response.statusText}`);
    return parsed as T;
  }
}
