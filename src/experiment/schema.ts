import { z } from 'zod';
import { formatDuration } from '../core/duration';
import { duration, httpUrl, name, ratio, regionName, statusRanges } from '../core/fields';
import { targetKindOf, targetSchema, type Target } from '../targets';
import { faultImplementationOf, faultKindOf, faultSchema, type FaultCheckContext } from '../faults';
import { inclusiveMs, parseThreshold, thresholdHint, type SloMetric, type Threshold } from './thresholds';

/**
 * The experiment schema. `z.input` of it is what users write (most fields optional),
 * `z.output` is the resolved experiment the engine runs (defaults applied, durations in
 * milliseconds). Keeping both in one schema means a default can never drift between the
 * docs, the validator and the engine.
 */

// ---------------------------------------------------------------- probes

/**
 * 'ttl' keeps an answer for its TTL, as a well-behaved stub resolver does; 'sticky' keeps
 * it for `stickyFor` whatever the TTL says, as some runtimes do (the JVM's
 * networkaddress.cache.ttl, connection pools that resolve once): such clients follow a
 * DNS failover only when their cache lets them.
 */
const httpDnsCacheSchema = z
  .strictObject({
    cache: z.enum(['ttl', 'sticky']).default('ttl'),
    stickyFor: duration({ max: '24h' }).optional(),
  })
  .superRefine((dns, ctx) => {
    if (dns.cache === 'ttl' && dns.stickyFor !== undefined) ctx.addIssue({ code: 'custom', path: ['stickyFor'], message: "only applies with cache: 'sticky'" });
  })
  .transform((dns) => (dns.cache === 'sticky' ? { cache: 'sticky' as const, stickyFor: dns.stickyFor ?? 60_000 } : { cache: 'ttl' as const }));

export const httpProbeSchema = z.strictObject({
  kind: z.literal('http'),
  name: name.default('traffic'),
  /** Absolute URL; or `endpoint` (a name from target.endpoints) plus `path`. */
  url: httpUrl.optional(),
  endpoint: z.string().optional(),
  path: z.string().startsWith('/', { error: "must start with '/'" }).default('/'),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH']).default('GET'),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.string().optional(),
  /** Requests per second, constant arrival rate (open model). */
  rate: z
    .number({ error: 'expected requests per second, a number > 0' })
    .positive({ error: 'expected requests per second, a number > 0' })
    .max(20_000, { error: 'at most 20000 requests per second from one probe' })
    .default(20),
  timeout: duration({ max: '5m' }).prefault('2s'),
  /** Which statuses count as success. */
  successStatus: statusRanges.prefault('200-399'),
  /** 'keep-alive' reuses connections; 'new' opens one per request (sees connect failures like a fresh client). */
  connection: z.enum(['keep-alive', 'new']).default('keep-alive'),
  /** How the client caches DNS answers (for names the target's DNS server answers, or the system resolver's with 'sticky'). */
  dns: httpDnsCacheSchema.prefault({}),
});

/**
 * The write ledger (for RPO): sequenced writes `POST <path> {client, seq}` at a constant
 * rate, each acknowledged by 201 once committed on the writer; after the observation
 * `GET <path>?client=` reads back the seqs the writer holds. The lab app speaks it; any
 * service with the same API can be measured. With `sql` instead, the writes are INSERTs
 * straight into a table on a PostgreSQL writer, read back by a SELECT.
 */
export const ledgerProbeSchema = z.strictObject({
  kind: z.literal('ledger'),
  name: name.default('ledger'),
  /** Absolute URL of the ledger resource; or `endpoint` (a name from the target) plus `path` (default '/ledger'). */
  url: httpUrl.optional(),
  endpoint: z.string().optional(),
  path: z.string().startsWith('/', { error: "must start with '/'" }).optional(),
  /** Instead of url/endpoint: a postgres:// URL or a database the target names (lab: writer, db-<region>); writes are INSERTs. */
  sql: z.string({ error: 'expected a postgres:// URL or a database name of the target' }).min(1, { error: 'must not be empty' }).optional(),
  /** The SQL ledger's table (default gameday_ledger), created if missing; a plain identifier, quoted as given. */
  table: z
    .string({ error: 'expected a table name' })
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, { error: 'expected a plain SQL identifier: a letter or _, then letters, digits or _ (at most 63)' })
    .optional(),
  /** SQL ledger: 'keep-alive' (default) reuses connections, 'new' connects for every write. */
  session: z.enum(['new', 'keep-alive']).optional(),
  /** Writes per second, constant arrival rate (open model). */
  rate: z
    .number({ error: 'expected writes per second, a number > 0' })
    .positive({ error: 'expected writes per second, a number > 0' })
    .max(1_000, { error: 'at most 1000 writes per second from the ledger' })
    .default(10),
  timeout: duration({ max: '5m' }).prefault('2s'),
  /** HTTP ledger: 'keep-alive' (default) or 'new', as for http probes. */
  connection: z.enum(['keep-alive', 'new']).optional(),
  /** Endpoint name to read back from (default: where the writes went). */
  readBackFrom: z.string().optional(),
  /** How long the read back keeps retrying while the writer does not answer. */
  readBackTimeout: duration({ max: '5m' }).prefault('10s'),
});

/** What a function probe's `run` is called with. */
export interface ProbeFunctionContext {
  /** Aborts when this call's timeout expires: pass it to fetch, pg, child processes. */
  signal: AbortSignal;
  /** The opened target: its named URLs and, for the lab, the DNS server its names resolve through. */
  target: { kind: string; endpoints: Record<string, string>; dnsServer: { host: string; port: number } | null };
  /** 1-based number of this call. */
  seq: number;
}

/** Returning is ok (a small JSON-able result is recorded); `{ ok: false, detail }`, a throw or the timeout is a failed sample. */
export type ProbeFunction = (context: ProbeFunctionContext) => unknown | Promise<unknown>;

/** A user's function called at an interval, one call at a time. */
export const functionProbeSchema = z.strictObject({
  kind: z.literal('function'),
  name: name.default('function'),
  /** Between the scheduled starts of two calls; a call still running delays the next. */
  every: duration({ max: '1h' }).prefault('1s'),
  /** A call running longer is a failed sample (its signal is aborted). */
  timeout: duration({ max: '5m' }).prefault('2s'),
  run: z.custom<ProbeFunction>((value) => typeof value === 'function', { error: 'expected a function: async ({ signal, target, seq }) => { ... }' }),
});

const dnsName = z
  .string({ error: "expected a DNS name like 'app.example.com'" })
  .regex(/^(?=.{1,253}\.?$)([a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?)(\.[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?)*\.?$/, { error: "expected a DNS name like 'app.example.com'" });

/** Asks a DNS server for a name at an interval: answers, TTL and rcode over time. */
export const dnsProbeSchema = z.strictObject({
  kind: z.literal('dns'),
  name: name.default('dns'),
  /** The name to ask for; or `endpoint` (a name from the target), whose URL's host is asked for. */
  hostname: dnsName.optional(),
  endpoint: z.string().optional(),
  type: z.enum(['A', 'AAAA']).default('A'),
  /** 'host', 'host:port' or '[v6]:port'; default: the target's DNS server (the lab's), else the system resolver's first server. */
  server: z
    .string({ error: "expected a DNS server as 'host', 'host:port' or '[v6]:port'" })
    .regex(/^(\[[0-9a-fA-F:.]+\](:\d{1,5})?|[0-9a-fA-F:]*:[0-9a-fA-F:.]*|[^:\s\[\]]+(:\d{1,5})?)$/, { error: "expected a DNS server as 'host', 'host:port' or '[v6]:port'" })
    .optional(),
  every: duration({ max: '1h' }).prefault('1s'),
  /** No answer within it is a failed sample (UDP, no retries). */
  timeout: duration({ max: '1m' }).prefault('1s'),
});

const sqlCell = z.union([z.string(), z.number(), z.boolean(), z.null()], { error: 'expected a string, number, boolean or null' });
const regexSource = z.string({ error: 'expected a regular expression as a string' }).refine((source) => {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}, { error: 'not a valid regular expression' });

/** Runs a query at an interval against PostgreSQL; ok when it succeeds and `expect` holds. */
export const sqlProbeSchema = z.strictObject({
  kind: z.literal('sql'),
  name: name.default('sql'),
  /** A postgres:// URL (password from the URL or PGPASSWORD; never journaled), or a database the target names (lab: writer, db-<region>). */
  connection: z.string({ error: 'expected a postgres:// URL or a database name of the target' }).min(1, { error: 'must not be empty' }),
  query: z.string({ error: 'expected an SQL statement' }).min(1, { error: 'must not be empty' }).default('select 1'),
  /** rows: that many rows; value: the first row's first column equals it (compared as text); matches: that column matches the regex. */
  expect: z
    .union([z.strictObject({ rows: z.number().int().min(0) }), z.strictObject({ value: sqlCell }), z.strictObject({ matches: regexSource })], {
      error: "expected { rows: <count> }, { value: <first column of the first row> } or { matches: '<regex>' }",
    })
    .optional(),
  every: duration({ max: '1h' }).prefault('1s'),
  /** Bounds connecting and the query each. */
  timeout: duration({ max: '5m' }).prefault('2s'),
  /** 'new': a connection per check (sees a failover as a fresh client); 'keep-alive': one connection, replaced when it fails. */
  session: z.enum(['new', 'keep-alive']).default('new'),
});

export const probeSchema = z.discriminatedUnion('kind', [httpProbeSchema, ledgerProbeSchema, functionProbeSchema, dnsProbeSchema, sqlProbeSchema]);

/** The probes that check at an interval rather than send traffic. */
export const checkProbeKinds = ['function', 'dns', 'sql'] as const;

// ---------------------------------------------------------------- stop conditions

export const errorRatioStopSchema = z.strictObject({
  kind: z.literal('errorRatio'),
  /** Abort when the traffic error ratio over `window` exceeds this. */
  above: ratio,
  window: duration().prefault('5s'),
});

export const commandStopSchema = z.strictObject({
  kind: z.literal('command'),
  /** A guard command: a non-zero exit aborts the run. */
  run: z.string().min(1, { error: 'must not be empty' }),
  every: duration().prefault('5s'),
  timeout: duration().prefault('5s'),
});

export const latencyStopSchema = z.strictObject({
  kind: z.literal('latency'),
  /** Abort when this percentile of the probe's latency over `window` exceeds `above`. */
  above: duration(),
  percentile: z
    .number({ error: 'expected a percentile between 0 and 100 exclusive (e.g. 99)' })
    .gt(0, { error: 'expected a percentile between 0 and 100 exclusive (e.g. 99)' })
    .lt(100, { error: 'expected a percentile between 0 and 100 exclusive (e.g. 99)' })
    .default(99),
  window: duration().prefault('10s'),
  /** An http probe by name (default: the traffic). */
  probe: z.string().optional(),
});

export const burnRateStopSchema = z.strictObject({
  kind: z.literal('burnRate'),
  /** Abort when the named SLO burns faster than `above` times its sustainable rate over `window`. */
  slo: z.string({ error: 'expected the name of an SLO in slos' }),
  above: z.number({ error: 'expected a burn rate > 0 (e.g. 14.4)' }).positive({ error: 'expected a burn rate > 0 (e.g. 14.4)' }),
  window: duration().prefault('1m'),
});

export const durationStopSchema = z.strictObject({
  kind: z.literal('duration'),
  /** Abort when the observation (faults and failover included) has lasted this long: a cap on a drill that overruns. */
  max: duration({ max: '24h' }),
});

export const stopConditionSchema = z.discriminatedUnion('kind', [
  errorRatioStopSchema,
  commandStopSchema,
  latencyStopSchema,
  burnRateStopSchema,
  durationStopSchema,
]);

// ---------------------------------------------------------------- SLOs

/** Object form of SLO thresholds, for when a list of short strings reads worse. */
const sloThresholdObject = z.strictObject({
  /** Budget consumed, as a percentage of the window's error budget: '5%' or 5. */
  budget: z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?%$/)], { error: "expected a percentage like '5%'" }).optional(),
  /** Peak burn rate. */
  burn: z.number({ error: 'expected a burn rate > 0 (e.g. 14.4)' }).positive({ error: 'expected a burn rate > 0 (e.g. 14.4)' }).optional(),
  /** false: no alert pair may fire. */
  alerts: z.literal(false, { error: 'expected false (no alert pair may fire)' }).optional(),
});

/** 'budget<5%', ['budget<5%', 'burn<14.4'] or { budget: '5%', burn: 14.4, alerts: false } -> thresholds, each < (strict). */
const sloThresholds = z
  .union([z.string(), z.array(z.string()), sloThresholdObject], {
    error: `expected ${thresholdHint.replace(", 'rto<30s' or 'rpo<=1s'", '')}, a list of them, or { budget: '5%', burn: 14.4, alerts: false }`,
  })
  .transform((value, ctx): Threshold<SloMetric>[] => {
    if (typeof value === 'string' || Array.isArray(value)) {
      const texts = typeof value === 'string' ? [value] : value;
      const parsed: Threshold<SloMetric>[] = [];
      texts.forEach((text, index) => {
        const threshold = parseThreshold(text);
        const path = typeof value === 'string' ? [] : [index];
        if (typeof threshold === 'string') ctx.addIssue({ code: 'custom', path, message: threshold });
        else if (threshold.metric === 'rto' || threshold.metric === 'rpo') ctx.addIssue({ code: 'custom', path, message: `${threshold.metric} is not an SLO threshold; write it in hypothesis (rto: '30s')` });
        else parsed.push(threshold as Threshold<SloMetric>);
      });
      return parsed;
    }
    const thresholds: Threshold<SloMetric>[] = [];
    if (value.budget !== undefined) {
      const percent = typeof value.budget === 'number' ? value.budget : Number(value.budget.slice(0, -1));
      thresholds.push({ metric: 'budget', op: '<', value: percent, text: `budget<${percent}%` });
    }
    if (value.burn !== undefined) thresholds.push({ metric: 'burn', op: '<', value: value.burn, text: `burn<${value.burn}` });
    if (value.alerts === false) thresholds.push({ metric: 'alerts', op: '<', value: 1, text: 'alerts<1' });
    return thresholds;
  });

const percentObjective = z
  .number({ error: 'expected the objective in percent, between 0 and 100 exclusive (e.g. 99.9)' })
  .gt(0, { error: 'expected the objective in percent, between 0 and 100 exclusive (e.g. 99.9)' })
  .lt(100, { error: 'expected the objective in percent, between 0 and 100 exclusive (e.g. 99.9)' });

export const sloSchema = z.strictObject({
  name,
  /** availability: a request is good when it succeeds; latency: when it succeeds within `threshold`. */
  sli: z.enum(['availability', 'latency'], { error: "expected 'availability' or 'latency'" }),
  /** In percent: 99.9 allows 0.1% of requests in the window to be bad. */
  objective: percentObjective,
  window: duration({ max: '400d' }).prefault('30d'),
  /** The latency SLI's bound. */
  threshold: duration().optional(),
  /** The http probe whose requests are the SLI's events (default: the traffic). */
  probe: z.string().optional(),
  /** What passes; default: hypothesis.slo, else nothing (the SLO is reported, not judged). */
  expect: sloThresholds.optional(),
  /** Multi-window multi-burn-rate alert pairs (default: the SRE workbook's 1h/5m x14.4, 6h/30m x6, 1d/2h x3, 3d/6h x1). */
  alerts: z
    .array(
      z.strictObject({
        long: duration({ max: '400d' }),
        short: duration({ max: '400d' }),
        factor: z.number({ error: 'expected a burn-rate factor > 0 (e.g. 14.4)' }).positive({ error: 'expected a burn-rate factor > 0 (e.g. 14.4)' }),
      }),
    )
    .min(1, { error: 'needs at least one alert pair, or leave alerts out for the defaults' })
    .optional(),
  /** Trailing window of the burn-rate timeline and the peak burn rate. */
  burnWindow: duration().prefault('1m'),
});

// ---------------------------------------------------------------- experiment

// ---------------------------------------------------------------- failover

/** A TypeScript function hook gets the two regions and may throw to fail the step. */
export type FailoverFunctionHook = (context: { from: string; to: string; step: string }) => unknown | Promise<unknown>;

const hookKinds = {
  exec: z.string().min(1, { error: 'must not be empty' }),
  http: z.strictObject({
    url: httpUrl,
    method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']).default('POST'),
    body: z.string().optional(),
    expectStatus: statusRanges.prefault('200-299'),
  }),
  run: z.custom<FailoverFunctionHook>((value) => typeof value === 'function', { error: 'expected a function' }),
};

const hookShapes = [
  { name: name.optional(), exec: hookKinds.exec, timeout: duration({ max: '1h' }).prefault('60s') },
  { name: name.optional(), http: hookKinds.http, timeout: duration({ max: '1h' }).prefault('30s') },
  { name: name.optional(), run: hookKinds.run, timeout: duration({ max: '1h' }).prefault('60s') },
] as const;
const hookError = "expected a hook: { exec: 'command' }, { http: { url } } or { run: async ({ from, to }) => {...} }";

const hookSchema = z.union(
  [z.strictObject(hookShapes[0]), z.strictObject(hookShapes[1]), z.strictObject(hookShapes[2])],
  { error: hookError },
);

export const runbookStepNames = ['detect', 'decide', 'fence', 'promote', 'shift-traffic', 'warm', 'verify'] as const;

export const failoverSchema = z.strictObject({
  /** automatic: the runbook starts on detection; manual: it waits for approval (a TTY prompt, or --approve). */
  mode: z.enum(['automatic', 'manual']).default('automatic'),
  /** unplanned: promote at once, acknowledged writes may be lost; planned: replication catches up first, nothing lost. */
  kind: z.enum(['unplanned', 'planned']).default('unplanned'),
  /** The region failed away from (default: the primary) and to (default: the next region). */
  from: regionName.optional(),
  to: regionName.optional(),
  detect: z
    .strictObject({
      /** Route 53 health-check status of the `from` region's check. */
      healthCheck: z.boolean().default(true),
      /** The traffic probe's error ratio over a window. */
      errorRatio: z.strictObject({ above: ratio, window: duration().prefault('5s') }).optional(),
      /** Give up (and fail over no one) when nothing is detected by then. */
      timeout: duration({ max: '24h' }).prefault('5m'),
    })
    .prefault({}),
  /**
   * dns: health-check failover records move clients (data plane, preferred); wait until DNS
   * answers the new region. invert-health-check: also invert the old region's check
   * (control plane), for records whose checks would not fail by themselves. Default: dns
   * for unplanned failovers; invert-health-check for planned ones, whose old region stays
   * healthy.
   */
  trafficShift: z.enum(['dns', 'invert-health-check']).optional(),
  /** Hooks after promotion: scale up, restart queues, warm caches. */
  warm: z.array(hookSchema).default([]),
  /** Custom steps anywhere in the runbook: each runs right after the named step; a failure stops the runbook. */
  steps: z
    .array(
      z.union(
        hookShapes.map((shape) => z.strictObject({ ...shape, after: z.enum(runbookStepNames) })) as unknown as [z.ZodType, z.ZodType, z.ZodType],
        { error: `${hookError}, with after: one of ${runbookStepNames.join(', ')}` },
      ) as z.ZodType<(z.output<typeof hookSchema> & { after: (typeof runbookStepNames)[number] }), z.input<typeof hookSchema> & { after: (typeof runbookStepNames)[number] }>,
    )
    .default([]),
  verify: z
    .strictObject({
      successRatio: ratio.default(0.95),
      window: duration().prefault('3s'),
      timeout: duration({ max: '1h' }).prefault('60s'),
    })
    .prefault({}),
  /** After the experiment, return to the original topology (planned switchover back). */
  failback: z.boolean().default(true),
});

const hypothesisObjectSchema = z.strictObject({
  /** SLO thresholds for every SLO without its own `expect`. */
  slo: sloThresholds.optional(),
  /** Objective for the client-observed recovery time. */
  rto: duration({ allowZero: true }).optional(),
  /** Objective for acknowledged writes lost, as time. Measured by the write ledger probe. */
  rpo: duration({ allowZero: true }).optional(),
  /** When clients count as recovered: success ratio >= successRatio over every window after. */
  recovery: z
    .strictObject({
      successRatio: ratio.default(0.95),
      window: duration().prefault('5s'),
    })
    .prefault({}),
});

/**
 * The hypothesis as an object, or as a list of short thresholds k6-style:
 * ['rto<30s', 'rpo<=1s', 'budget<5%', 'burn<14.4'] — RTO and RPO become the objectives,
 * the rest apply to every SLO.
 */
export const hypothesisSchema = z.preprocess((value, ctx) => {
  if (!Array.isArray(value)) return value;
  const object: { rto?: string; rpo?: string; slo: string[] } = { slo: [] };
  value.forEach((text, index) => {
    const threshold = typeof text === 'string' ? parseThreshold(text) : `expected ${thresholdHint}, got ${JSON.stringify(text)}`;
    if (typeof threshold === 'string') {
      ctx.addIssue({ code: 'custom', path: [index], message: threshold, input: text });
    } else if (threshold.metric === 'rto' || threshold.metric === 'rpo') {
      if (object[threshold.metric] !== undefined) ctx.addIssue({ code: 'custom', path: [index], message: `${threshold.metric} is given twice`, input: text });
      object[threshold.metric] = `${inclusiveMs(threshold)}ms`;
    } else {
      object.slo.push(threshold.text);
    }
  });
  return object.slo.length > 0 ? object : { rto: object.rto, rpo: object.rpo };
}, hypothesisObjectSchema) as unknown as z.ZodType<z.output<typeof hypothesisObjectSchema>, z.input<typeof hypothesisObjectSchema> | ShortThreshold[]>;

/** A threshold in short form, for editors: `'rto<30s'`, `'budget<5%'`. */
type ShortThreshold = `${'rto' | 'rpo' | 'budget' | 'burn' | 'alerts'}${'<' | '<='}${string}`;

export const steadyStateSchema = z.strictObject({
  /** Traffic measured before any fault; it must meet successRatio or nothing is injected. */
  duration: duration().prefault('2s'),
  successRatio: ratio.default(0.99),
  /** After rollback, how long the target has to return to steady state. */
  recoveryTimeout: duration().prefault('30s'),
});

export const experimentSchema = z
  .strictObject({
    name,
    description: z.string().default(''),
    /** Default: the embedded local lab. */
    target: targetSchema.prefault({ kind: 'lab' }),
    hypothesis: hypothesisSchema.prefault({}),
    /** The built-in failover executor's runbook (lab and aws targets). */
    failover: failoverSchema.optional(),
    steadyState: steadyStateSchema.prefault({}),
    traffic: httpProbeSchema,
    probes: z.array(probeSchema).default([]),
    faults: z.array(faultSchema).default([]),
    stopConditions: z.array(stopConditionSchema).default([]),
    /** Service level objectives: how much of their error budget the drill burns, and whether their alerts would page. */
    slos: z.array(sloSchema).default([]),
    /** Length of the observation, from the first request to the end; default: last fault end + 15s. */
    duration: duration({ max: '24h' }).optional(),
    tags: z.array(z.string().min(1)).default([]),
  })
  .superRefine((experiment, ctx) => {
    const targetKind = targetKindOf(experiment.target);
    const endpointNames = targetKind.endpointNames(experiment.target);
    const regions = targetKind.regions(experiment.target);
    const api = targetKind.faultApi(experiment.target);
    const report = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    targetKind.validate?.(experiment.target, (path, message) => report(['target', ...path], message));
    const checkProbe = (probe: { url?: string; endpoint?: string }, path: (string | number)[]) => {
      if (probe.url && probe.endpoint) {
        ctx.addIssue({ code: 'custom', path, message: 'give either url or endpoint, not both' });
      } else if (!probe.url && !probe.endpoint) {
        ctx.addIssue({ code: 'custom', path: [...path, 'url'], message: `needs url, or endpoint (one of: ${endpointNames.join(', ')})` });
      } else if (probe.endpoint && !endpointNames.includes(probe.endpoint)) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'endpoint'],
          message: `unknown endpoint ${JSON.stringify(probe.endpoint)}; the ${experiment.target.kind} target has: ${endpointNames.join(', ')}`,
        });
      }
    };
    checkProbe(experiment.traffic, ['traffic']);
    experiment.probes.forEach((probe, index) => {
      if (probe.kind === 'http' || (probe.kind === 'ledger' && probe.sql === undefined)) checkProbe(probe, ['probes', index]);
      if (probe.kind === 'dns') checkDnsProbe(probe, ['probes', index], endpointNames, ctx);
      if (probe.kind === 'sql') checkSqlConnection(probe.connection, ['probes', index, 'connection'], targetDatabaseNames(experiment.target), ctx);
    });
    checkLedgers(experiment, endpointNames, targetDatabaseNames(experiment.target), ctx);
    targetKind.checkFaults?.(experiment.target, experiment.faults.map((fault) => ({ duration: fault.duration, instantaneous: faultKindOf(fault).instantaneous === true })), report);
    checkProbeNames(experiment, ctx);
    checkSlos(experiment, ctx);

    if (experiment.failover) {
      if (experiment.target.kind === 'endpoints') {
        ctx.addIssue({ code: 'custom', path: ['failover'], message: "the failover runbook needs a target with regions ('lab' or 'aws')" });
      } else {
        const { from, to } = failoverRegions(experiment.failover, experiment.target);
        for (const [field, region] of [['from', experiment.failover.from], ['to', experiment.failover.to]] as const) {
          if (region !== undefined && !regions.includes(region)) {
            ctx.addIssue({ code: 'custom', path: ['failover', field], message: `unknown region ${JSON.stringify(region)}; target.regions has: ${regions.join(', ')}` });
          }
        }
        if (from === to) ctx.addIssue({ code: 'custom', path: ['failover', 'to'], message: `must differ from failover.from (${from})` });
        if (experiment.target.kind === 'aws') {
          if (!experiment.target.rds) ctx.addIssue({ code: 'custom', path: ['failover'], message: 'needs target.rds.globalClusterId to move the database writer' });
          if (to && !experiment.target.resources[to]?.dbClusters) {
            ctx.addIssue({ code: 'custom', path: ['failover', 'to'], message: `needs target.resources[${JSON.stringify(to)}].dbClusters ({ arns: [the regional cluster ARN] })` });
          }
        }
      }
    }

    const names = new Set<string>();
    const faultChecks: FaultCheckContext = { aws: targetKind.awsModel(experiment.target), throughAws: targetKind.throughAws ?? '' };
    experiment.faults.forEach((fault, index) => {
      const faultName = fault.name ?? `${fault.kind}-${index + 1}`;
      if (names.has(faultName)) {
        ctx.addIssue({ code: 'custom', path: ['faults', index, 'name'], message: `duplicate fault name ${JSON.stringify(faultName)}` });
      }
      names.add(faultName);
      if ('region' in fault) {
        if (regions.length === 0) {
          ctx.addIssue({ code: 'custom', path: ['faults', index, 'kind'], message: `${fault.kind} needs a target with regions ('lab' or 'aws'); target '${experiment.target.kind}' supports: exec` });
        } else if (!regions.includes(fault.region)) {
          ctx.addIssue({ code: 'custom', path: ['faults', index, 'region'], message: `unknown region ${JSON.stringify(fault.region)}; target.regions has: ${regions.join(', ')}` });
        }
      }
      // What the API that carries it out cannot do, said before anything runs.
      if (api !== null) {
        faultImplementationOf({ ...fault, name: faultName }, api).validate?.({ ...fault, name: faultName }, faultChecks, (path, message) => report(['faults', index, ...path], message));
      }
      if (experiment.duration !== undefined && fault.after >= experiment.duration) {
        ctx.addIssue({
          code: 'custom',
          path: ['faults', index, 'after'],
          message: `starts at or after the end of the experiment (duration ${experiment.duration} ms)`,
        });
      } else if (experiment.duration !== undefined && fault.duration !== undefined && fault.after + fault.duration > experiment.duration) {
        ctx.addIssue({
          code: 'custom',
          path: ['faults', index, 'duration'],
          message: `ends after the experiment does (after + duration > experiment duration)`,
        });
      }
    });
  });

/**
 * At most one write ledger, reading back from a known endpoint; an RPO objective needs one.
 * A ledger writes over HTTP (url or endpoint) or straight to PostgreSQL (sql), and takes
 * only the fields of its kind.
 */
function checkLedgers(
  experiment: { probes: Probe[]; hypothesis: { rpo?: number } },
  endpointNames: string[],
  databaseNames: string[],
  ctx: { addIssue(issue: { code: 'custom'; path: (string | number)[]; message: string }): void },
): void {
  let ledgers = 0;
  experiment.probes.forEach((probe, index) => {
    if (probe.kind !== 'ledger') return;
    if (++ledgers > 1) ctx.addIssue({ code: 'custom', path: ['probes', index], message: 'at most one probes.ledger(...) per experiment' });
    const only = (field: 'url' | 'endpoint' | 'path' | 'connection' | 'readBackFrom' | 'table' | 'session', message: string) => {
      if (probe[field] !== undefined) ctx.addIssue({ code: 'custom', path: ['probes', index, field], message });
    };
    if (probe.sql !== undefined) {
      only('url', 'give either sql or url, not both: sql writes straight to PostgreSQL, url through an HTTP service');
      only('endpoint', 'give either sql or endpoint, not both: sql writes straight to PostgreSQL, endpoint through an HTTP service');
      only('path', 'only applies to an HTTP ledger (url or endpoint), not to one with sql');
      only('connection', "only applies to an HTTP ledger; a SQL ledger takes session: 'keep-alive' | 'new'");
      only('readBackFrom', 'only applies to an HTTP ledger; a SQL ledger reads back from its sql database');
      // An empty sql is already reported by its field's own rule.
      if (probe.sql !== '') checkSqlConnection(probe.sql, ['probes', index, 'sql'], databaseNames, ctx);
      return;
    }
    only('table', 'only applies to a SQL ledger (sql)');
    only('session', "only applies to a SQL ledger (sql); an HTTP ledger takes connection: 'keep-alive' | 'new'");
    if (probe.readBackFrom !== undefined && !endpointNames.includes(probe.readBackFrom)) {
      ctx.addIssue({ code: 'custom', path: ['probes', index, 'readBackFrom'], message: `unknown endpoint ${JSON.stringify(probe.readBackFrom)}; the target has: ${endpointNames.join(', ')}` });
    }
  });
  if (experiment.hypothesis.rpo !== undefined && ledgers === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['hypothesis', 'rpo'],
      message: `RPO is measured by the write ledger; add probes: [probes.ledger({ endpoint: '${endpointNames[0] ?? 'app'}' })] (a service with POST/GET /ledger, as the lab app has)`,
    });
  }
}

/** SLOs and the guards that name probes or SLOs must name ones that exist; a latency SLI needs its bound. */
function checkSlos(
  experiment: { traffic: { name: string }; probes: Probe[]; slos: Slo[]; stopConditions: StopCondition[] },
  ctx: { addIssue(issue: { code: 'custom'; path: (string | number)[]; message: string }): void },
): void {
  const httpProbes = [experiment.traffic.name, ...experiment.probes.filter((probe) => probe.kind === 'http').map((probe) => probe.name)];
  const unknownProbe = (probe: string) => `unknown http probe ${JSON.stringify(probe)}; the experiment has: ${httpProbes.join(', ')}`;
  const sloNames = new Set<string>();
  experiment.slos.forEach((slo, index) => {
    if (sloNames.has(slo.name)) ctx.addIssue({ code: 'custom', path: ['slos', index, 'name'], message: `duplicate SLO name ${JSON.stringify(slo.name)}` });
    sloNames.add(slo.name);
    if (slo.sli === 'latency' && slo.threshold === undefined) {
      ctx.addIssue({ code: 'custom', path: ['slos', index, 'threshold'], message: "a latency SLI needs threshold, the bound a good request stays within (e.g. '300ms')" });
    }
    if (slo.sli === 'availability' && slo.threshold !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['slos', index, 'threshold'], message: "only a latency SLI takes threshold; use sli: 'latency'" });
    }
    if (slo.probe !== undefined && !httpProbes.includes(slo.probe)) ctx.addIssue({ code: 'custom', path: ['slos', index, 'probe'], message: unknownProbe(slo.probe) });
    slo.alerts?.forEach((pair, pairIndex) => {
      if (pair.short >= pair.long) ctx.addIssue({ code: 'custom', path: ['slos', index, 'alerts', pairIndex, 'short'], message: 'the short window must be shorter than the long one' });
    });
  });
  experiment.stopConditions.forEach((condition, index) => {
    if (condition.kind === 'latency' && condition.probe !== undefined && !httpProbes.includes(condition.probe)) {
      ctx.addIssue({ code: 'custom', path: ['stopConditions', index, 'probe'], message: unknownProbe(condition.probe) });
    }
    if (condition.kind === 'burnRate' && !sloNames.has(condition.slo)) {
      const known = experiment.slos.map((slo) => slo.name);
      ctx.addIssue({
        code: 'custom',
        path: ['stopConditions', index, 'slo'],
        message: known.length > 0 ? `unknown SLO ${JSON.stringify(condition.slo)}; slos has: ${known.join(', ')}` : `unknown SLO ${JSON.stringify(condition.slo)}; define it in slos`,
      });
    }
  });
}

/** A dns probe asks for one name: its hostname, or a target endpoint's host. */
function checkDnsProbe(
  probe: { hostname?: string; endpoint?: string },
  path: (string | number)[],
  endpointNames: string[],
  ctx: { addIssue(issue: { code: 'custom'; path: (string | number)[]; message: string }): void },
): void {
  if (probe.hostname !== undefined && probe.endpoint !== undefined) ctx.addIssue({ code: 'custom', path, message: 'give either hostname or endpoint, not both' });
  else if (probe.hostname === undefined && probe.endpoint === undefined) {
    ctx.addIssue({ code: 'custom', path: [...path, 'hostname'], message: `needs hostname (the name to ask for), or endpoint (one of: ${endpointNames.join(', ')})` });
  } else if (probe.endpoint !== undefined && !endpointNames.includes(probe.endpoint)) {
    ctx.addIssue({ code: 'custom', path: [...path, 'endpoint'], message: `unknown endpoint ${JSON.stringify(probe.endpoint)}; the target has: ${endpointNames.join(', ')}` });
  }
}

/** A sql probe connects by postgres:// URL, or to a database the target names. */
function checkSqlConnection(
  connection: string,
  path: (string | number)[],
  databaseNames: string[],
  ctx: { addIssue(issue: { code: 'custom'; path: (string | number)[]; message: string }): void },
): void {
  if (/^postgres(ql)?:\/\//.test(connection)) {
    if (!URL.canParse(connection) || !new URL(connection).hostname) ctx.addIssue({ code: 'custom', path, message: 'not a valid URL; expected postgres://user@host:port/database' });
    return;
  }
  if (databaseNames.includes(connection)) return;
  const named = databaseNames.length > 0 ? `, or a database the target names: ${databaseNames.join(', ')}` : ' (this target names no databases)';
  ctx.addIssue({ code: 'custom', path, message: `unknown database ${JSON.stringify(connection)}; expected a postgres://user@host:port/database URL${named}` });
}

/** Reports key every probe's samples by its name, so two probes (the traffic included) cannot share one. */
function checkProbeNames(
  experiment: { traffic: { name: string }; probes: Probe[] },
  ctx: { addIssue(issue: { code: 'custom'; path: (string | number)[]; message: string }): void },
): void {
  const seen = new Set([experiment.traffic.name]);
  experiment.probes.forEach((probe, index) => {
    if (seen.has(probe.name)) {
      ctx.addIssue({ code: 'custom', path: ['probes', index, 'name'], message: `duplicate probe name ${JSON.stringify(probe.name)} (probe names, the traffic's included, must be unique)` });
    }
    seen.add(probe.name);
  });
}

/** How region faults reach the target: AWS APIs (FIS, Route 53, RDS) or the lab's direct control API. */
export function faultApiOf(target: Target): 'aws' | 'direct' | null {
  return targetKindOf(target).faultApi(target);
}

/** Databases a sql probe may name as its `connection` (lab: the writer and each region's database). */
export function targetDatabaseNames(target: Target): string[] {
  return targetKindOf(target).databaseNames(target);
}

/** Names probes may use as `endpoint`: the target's named URLs; for the lab, the global app name and each region's app. */
export function targetEndpointNames(target: Target): string[] {
  return targetKindOf(target).endpointNames(target);
}

export type ExperimentConfig = z.input<typeof experimentSchema>;
export type ExperimentSpec = z.output<typeof experimentSchema>;
export type { Target };
export type HttpProbeConfig = z.input<typeof httpProbeSchema>;
export type HttpProbe = z.output<typeof httpProbeSchema>;
export type LedgerProbeConfig = z.input<typeof ledgerProbeSchema>;
export type LedgerProbe = z.output<typeof ledgerProbeSchema>;
export type Probe = z.output<typeof probeSchema>;
export type FunctionProbeConfig = z.input<typeof functionProbeSchema>;
export type FunctionProbe = z.output<typeof functionProbeSchema>;
export type DnsProbeConfig = z.input<typeof dnsProbeSchema>;
export type DnsProbe = z.output<typeof dnsProbeSchema>;
export type SqlProbeConfig = z.input<typeof sqlProbeSchema>;
export type SqlProbe = z.output<typeof sqlProbeSchema>;
export type { FaultConfig, Fault, ExecFaultConfig, ExecFault, RegionOutageFault, LatencyFault, DbStopFault, HealthCheckFailureFault } from '../faults';
export type StopCondition = z.output<typeof stopConditionSchema>;
export type Slo = z.output<typeof sloSchema>;
export type SloConfig = z.input<typeof sloSchema>;
export type StopConditionConfig = z.input<typeof stopConditionSchema>;
export type Hypothesis = z.output<typeof hypothesisSchema>;
export type { LabTarget, AwsTarget } from '../targets';
export type FailoverSpec = z.output<typeof failoverSchema>;

/** The regions a runbook moves between: as declared, else from the primary (or the first region) to the next region. */
export function failoverRegions(spec: Pick<FailoverSpec, 'from' | 'to'>, target: { primary?: string; regions: string[] }): { from: string; to: string | undefined } {
  const from = spec.from ?? target.primary ?? target.regions[0];
  return { from, to: spec.to ?? target.regions.find((region) => region !== from) };
}

/** The traffic shift a runbook uses: as declared, else by kind (a planned move's old region stays healthy). */
export function trafficShiftOf(spec: Pick<FailoverSpec, 'trafficShift' | 'kind'>): 'dns' | 'invert-health-check' {
  return spec.trafficShift ?? (spec.kind === 'planned' ? 'invert-health-check' : 'dns');
}
export type FailoverHook = z.output<typeof hookSchema>;
