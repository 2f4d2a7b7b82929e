/**
 * The lab's model of a Route 53 endpoint health check.
 *
 * Field names follow Route 53's HealthCheckConfig (Type, IPAddress, Port, ResourcePath,
 * RequestInterval, FailureThreshold, Inverted, Disabled) in camelCase; intervals are in
 * milliseconds because the lab allows any interval from 100 ms so drills are fast, where
 * Route 53 only offers 10 s and 30 s.
 */

export const healthCheckTypes = ['HTTP', 'TCP'] as const;
export type HealthCheckType = (typeof healthCheckTypes)[number];

export type HealthStatus = 'Healthy' | 'Unhealthy';

/** What a caller writes when adding a check: the target is required, the rest has defaults. */
export interface HealthCheckInput {
  id: string;
  /** Default 'HTTP'. */
  type?: HealthCheckType;
  ipAddress: string;
  port: number;
  /** HTTP only. Default '/health'. */
  resourcePath?: string;
  /** Start-to-start time between requests. Default 1000 ms; at least 100 ms. */
  requestIntervalMs?: number;
  /** Consecutive failures (successes) that flip the status; 1..10. Default 3, as in Route 53. */
  failureThreshold?: number;
  /** Report the opposite of what the checks conclude. Default false. */
  inverted?: boolean;
  /** Stop checking; the status is then Healthy (before inversion). Default false. */
  disabled?: boolean;
  /** Budget for one request: connect plus response headers. Default min(2000 ms, interval). */
  timeoutMs?: number;
}

/** A check with every default applied. */
export interface HealthCheckConfig {
  readonly id: string;
  readonly type: HealthCheckType;
  readonly ipAddress: string;
  readonly port: number;
  readonly resourcePath: string;
  readonly requestIntervalMs: number;
  readonly failureThreshold: number;
  readonly inverted: boolean;
  readonly disabled: boolean;
  readonly timeoutMs: number;
}

/**
 * A live change to a check (Route 53 UpdateHealthCheck). Type and id are fixed at creation,
 * as in Route 53. When `healthCheckVersion` is given it must equal the current version, so
 * two drills editing the same check cannot silently overwrite each other.
 */
export type HealthCheckUpdate = Partial<Omit<HealthCheckInput, 'id' | 'type'>> & { healthCheckVersion?: number };

/** A check's configuration together with its Route 53-style HealthCheckVersion. */
export interface HealthCheckDescription {
  readonly config: HealthCheckConfig;
  /** 1 at creation, +1 on every update. */
  readonly healthCheckVersion: number;
}

/** The outcome of one request to the endpoint. */
export interface ProbeResult {
  readonly ok: boolean;
  /** Why, in a few words: 'HTTP 200', 'HTTP 500', 'ECONNREFUSED', 'timeout after 200 ms'. */
  readonly detail: string;
}

export interface HealthObservation extends ProbeResult {
  /** When the result was known (ms epoch). */
  readonly at: number;
  readonly latencyMs: number;
}

export interface HealthCheckStatusReport {
  readonly id: string;
  /** What DNS failover acts on: measured status, then Disabled, then Inverted. */
  readonly status: HealthStatus;
  /** When `status` last changed, or when the check was added (ms epoch). */
  readonly since: number;
  /** Completion time of the latest request, null before the first one. */
  readonly lastCheckedAt: number | null;
  /** Length of the current run of identical request outcomes. */
  readonly consecutive: number;
  /** Newest last, bounded. */
  readonly recentObservations: readonly HealthObservation[];
}

/** Emitted whenever a check's reported status changes; gameday times detection from it. */
export interface HealthCheckChange {
  readonly id: string;
  readonly status: HealthStatus;
  readonly previous: HealthStatus;
  readonly at: number;
  /** What caused it: enough observations, or a config update (Inverted/Disabled/threshold). */
  readonly cause: 'observation' | 'update';
}

/** Performs one request against a check's target. Must resolve, never reject. */
export type Probe = (config: HealthCheckConfig, signal: AbortSignal) => Promise<ProbeResult>;
