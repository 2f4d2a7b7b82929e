import type { ExecFaultConfig, FaultConfig } from '../faults';
import type {
  BrowserProbeConfig,
  ConsistencyProbeConfig,
  DnsProbeConfig,
  FunctionProbeConfig,
  HttpProbeConfig,
  K6ProbeConfig,
  LedgerProbeConfig,
  ObjectsProbeConfig,
  PrometheusProbeConfig,
  ReadYourWritesProbeConfig,
  ResourcesProbeConfig,
  SqlProbeConfig,
} from '../probes';
import type { ExperimentConfig } from './schema';
import type { StopConditionConfig } from './stop-conditions';

/**
 * Typed identity: gives editors the experiment's types and completion. Validation
 * happens when gameday loads the file, so a plain object literal works the same.
 */
export function defineExperiment<const T extends ExperimentConfig>(config: T): T {
  return config;
}

type Without<T, K extends keyof T> = Omit<T, K>;

/** Fault constructors: `faults.exec({...})` reads better than `{ kind: 'exec', ... }`. */
type FaultOf<K extends FaultConfig['kind']> = Extract<FaultConfig, { kind: K }>;
const faultOf =
  <K extends FaultConfig['kind']>(kind: K) =>
  (config: Without<FaultOf<K>, 'kind'>): FaultOf<K> =>
    ({ kind, ...config }) as FaultOf<K>;

export const faults = {
  /** Your own inject and rollback shell commands. */
  exec: faultOf('exec') as (config: Without<ExecFaultConfig, 'kind'>) => ExecFaultConfig,
  /** A region drops off the network (blackhole) or its processes die (stop). */
  regionOutage: faultOf('regionOutage'),
  /** Added delay on a region's ingress or on the replication link into it. */
  latency: faultOf('latency'),
  /** A region's database stops: immediate (crash) or fast (clean). */
  dbStop: faultOf('dbStop'),
  /** A region's health check is inverted, so DNS fails over although the region is fine. */
  healthCheckFailure: faultOf('healthCheckFailure'),
  /** S3 replication out of a region's buckets pauses (FIS aws:s3:bucket-pause-replication). */
  objectReplicationPause: faultOf('objectReplicationPause'),
};

/** Probe constructors. */
export const probes = {
  http: (config: Without<HttpProbeConfig, 'kind'>): HttpProbeConfig => ({ kind: 'http', ...config }),
  /** The write ledger: sequenced writes, read back after the observation, for RPO and lost writes. */
  ledger: (config: Without<LedgerProbeConfig, 'kind'> = {}): LedgerProbeConfig => ({ kind: 'ledger', ...config }),
  /** A client writes through the entry point, then reads its own write from the region that acknowledged it. */
  readYourWrites: (config: Without<ReadYourWritesProbeConfig, 'kind'> = {}): ReadYourWritesProbeConfig => ({
    kind: 'readYourWrites',
    ...config,
  }),
  /** What each region's processes consume over the drill (the lab): the idle cost of the standby side. */
  resources: (config: Without<ResourcesProbeConfig, 'kind'> = {}): ResourcesProbeConfig => ({
    kind: 'resources',
    ...config,
  }),
  /**
   * Once the observation ends, every region's database compared after replication caught up (the lab's
   * data-active-active): conflicting writes, lost updates, divergent rows.
   */
  consistency: (config: Without<ConsistencyProbeConfig, 'kind'> = {}): ConsistencyProbeConfig => ({
    kind: 'consistency',
    ...config,
  }),
  /**
   * The object ledger: sequenced PUTs into a bucket, read back from its replication destination after the observation,
   * for object RPO, lost objects, replication lag and (with `references`) dangling references.
   */
  objects: (config: Without<ObjectsProbeConfig, 'kind'>): ObjectsProbeConfig => ({ kind: 'objects', ...config }),
  /**
   * Your function at an interval: returning is ok; throwing, timing out or `{ ok: false, detail }` is a failed sample.
   */
  fn: (config: Without<FunctionProbeConfig, 'kind'>): FunctionProbeConfig => ({ kind: 'function', ...config }),
  /** A DNS name asked at an interval: answers, TTL and rcode over time (which region DNS sends clients to). */
  dns: (config: Without<DnsProbeConfig, 'kind'>): DnsProbeConfig => ({ kind: 'dns', ...config }),
  /** A query at an interval against PostgreSQL, with an expected result: what a fresh database client sees. */
  sql: (config: Without<SqlProbeConfig, 'kind'>): SqlProbeConfig => ({ kind: 'sql', ...config }),
  /** A PromQL query at an interval against the target's Prometheus: every series must meet `expect`. */
  prometheus: (config: Without<PrometheusProbeConfig, 'kind'>): PrometheusProbeConfig => ({
    kind: 'prometheus',
    ...config,
  }),
  /**
   * Your k6 script, run by k6 for the whole drill: endpoints as `__ENV.GAMEDAY_ENDPOINT_<NAME>`, its requests and
   * checks measured live (RTO per scenario, request name and check), its thresholds an objective.
   */
  k6: (config: Without<K6ProbeConfig, 'kind'>): K6ProbeConfig => ({ kind: 'k6', ...config }),
  /**
   * A user journey in a real Chromium (Playwright's API), at an interval: `journey: async ({ page, step }) => {...}`.
   * Each journey is a sample with its steps' durations; its RTO is measured like the traffic's.
   */
  browser: (config: Without<BrowserProbeConfig, 'kind'>): BrowserProbeConfig => ({ kind: 'browser', ...config }),
};

/** Stop-condition constructors. */
export const stopWhen = {
  errorRatioAbove: (above: number, window?: string): StopConditionConfig => ({ kind: 'errorRatio', above, window }),
  /** p99 (or `percentile`) latency of the traffic (or `probe`) over `window` above `above`. */
  latencyAbove: (
    above: string,
    options: { percentile?: number; window?: string; probe?: string } = {},
  ): StopConditionConfig => ({ kind: 'latency', above, ...options }),
  /** The named SLO burning faster than `above` times its sustainable rate over `window`. */
  burnRateAbove: (slo: string, above: number, window?: string): StopConditionConfig => ({
    kind: 'burnRate',
    slo,
    above,
    window,
  }),
  /** A cap on the observation's length, for drills that overrun. */
  durationExceeds: (max: string): StopConditionConfig => ({ kind: 'duration', max }),
  commandFails: (run: string, options: { every?: string; timeout?: string } = {}): StopConditionConfig => ({
    kind: 'command',
    run,
    ...options,
  }),
  /** A PromQL expression returning any series (as an alerting rule fires), checked every `every` (default 1s). */
  promql: (query: string, options: { every?: string; timeout?: string } = {}): StopConditionConfig => ({
    kind: 'promql',
    query,
    ...options,
  }),
};
