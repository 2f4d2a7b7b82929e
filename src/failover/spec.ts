import { z } from 'zod';
import type { AwsModel } from '../aws/model';
import { duration, httpUrl, name, ratio, regionName, statusRanges, type ReportIssue } from '../core/fields';

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
  /**
   * unplanned: promote at once, acknowledged writes may be lost; planned: replication catches up first, nothing lost.
   */
  kind: z.enum(['unplanned', 'planned']).default('unplanned'),
  /** The region failed away from (default: the primary) and to (default: the next region). */
  from: regionName.optional(),
  to: regionName.optional(),
  detect: z
    .strictObject({
      /** Route 53 health-check status of the `from` region's check. */
      healthCheck: z.boolean().default(true),
      /** The traffic probe's error ratio over a window. */
      errorRatio: z.strictObject({ above: ratio, window: duration({ max: '1h' }).prefault('5s') }).optional(),
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
        hookShapes.map((shape) => z.strictObject({ ...shape, after: z.enum(runbookStepNames) })) as unknown as [
          z.ZodType,
          z.ZodType,
          z.ZodType,
        ],
        { error: `${hookError}, with after: one of ${runbookStepNames.join(', ')}` },
      ) as z.ZodType<
        z.output<typeof hookSchema> & { after: (typeof runbookStepNames)[number] },
        z.input<typeof hookSchema> & { after: (typeof runbookStepNames)[number] }
      >,
    )
    .default([]),
  verify: z
    .strictObject({
      successRatio: ratio.default(0.95),
      window: duration({ max: '1h' }).prefault('3s'),
      timeout: duration({ max: '1h' }).prefault('60s'),
    })
    .prefault({}),
  /** After the experiment, return to the original topology (planned switchover back). */
  failback: z.boolean().default(true),
});

export type FailoverSpec = z.output<typeof failoverSchema>;
export type FailoverConfig = z.input<typeof failoverSchema>;
export type FailoverHook = z.output<typeof hookSchema>;

/** The regions a runbook moves between: as declared, else from the primary (or the first region) to the next region. */
export function failoverRegions(
  spec: Pick<FailoverSpec, 'from' | 'to'>,
  target: { primary?: string; regions: string[] },
): { from: string; to: string | undefined } {
  const from = spec.from ?? target.primary ?? target.regions[0];
  return { from, to: spec.to ?? target.regions.find((region) => region !== from) };
}

/** The traffic shift a runbook uses: as declared, else by kind (a planned move's old region stays healthy). */
export function trafficShiftOf(spec: Pick<FailoverSpec, 'trafficShift' | 'kind'>): 'dns' | 'invert-health-check' {
  return spec.trafficShift ?? (spec.kind === 'planned' ? 'invert-health-check' : 'dns');
}

/**
 * A runbook needs regions to move between, and, through the AWS APIs, a global cluster
 * and the new writer's regional cluster (a real account names them; the lab always has them).
 */
export function validateFailover(
  spec: FailoverSpec,
  target: { regions: string[]; primary?: string; aws: AwsModel | null },
  report: ReportIssue,
): void {
  const { regions } = target;
  if (regions.length === 0) {
    report([], "the failover runbook needs a target with regions ('lab' or 'aws')");
    return;
  }
  const { from, to } = failoverRegions(spec, target);
  for (const [field, region] of [
    ['from', spec.from],
    ['to', spec.to],
  ] as const) {
    if (region !== undefined && !regions.includes(region))
      report([field], `unknown region ${JSON.stringify(region)}; target.regions has: ${regions.join(', ')}`);
  }
  if (from === to) report(['to'], `must differ from failover.from (${from})`);
  const model = target.aws;
  if (model) {
    if (!model.globalClusterId) report([], 'needs target.rds.globalClusterId to move the database writer');
    if (to && !model.resources[to]?.dbClusters)
      report(['to'], `needs target.resources[${JSON.stringify(to)}].dbClusters ({ arns: [the regional cluster ARN] })`);
  }
}
