import { z } from 'zod';
import { duration, ratio } from '../core/fields';
import { promqlExpression } from '../prometheus/schema';

/**
 * Stop conditions (guards): what aborts a run while it observes — the traffic's error
 * ratio or latency, an SLO burning too fast, a command failing, or the observation
 * running too long. A breach stops the run and rolls everything back.
 */
export const errorRatioStopSchema = z.strictObject({
  kind: z.literal('errorRatio'),
  /** Abort when the traffic error ratio over `window` exceeds this. */
  above: ratio,
  window: duration({ max: '1h' }).prefault('5s'),
});

export const commandStopSchema = z.strictObject({
  kind: z.literal('command'),
  /** A guard command: a non-zero exit aborts the run. */
  run: z.string().min(1, { error: 'must not be empty' }),
  every: duration({ max: '1h' }).prefault('5s'),
  timeout: duration({ max: '1h' }).prefault('5s'),
});

export const latencyStopSchema = z.strictObject({
  kind: z.literal('latency'),
  /** Abort when this percentile of the probe's latency over `window` exceeds `above`. */
  above: duration({ max: '5m' }),
  percentile: z
    .number({ error: 'expected a percentile between 0 and 100 exclusive (e.g. 99)' })
    .gt(0, { error: 'expected a percentile between 0 and 100 exclusive (e.g. 99)' })
    .lt(100, { error: 'expected a percentile between 0 and 100 exclusive (e.g. 99)' })
    .default(99),
  window: duration({ max: '1h' }).prefault('10s'),
  /** An http probe by name (default: the traffic). */
  probe: z.string().optional(),
});

export const burnRateStopSchema = z.strictObject({
  kind: z.literal('burnRate'),
  /** Abort when the named SLO burns faster than `above` times its sustainable rate over `window`. */
  slo: z.string({ error: 'expected the name of an SLO in slos' }),
  above: z
    .number({ error: 'expected a burn rate > 0 (e.g. 14.4)' })
    .positive({ error: 'expected a burn rate > 0 (e.g. 14.4)' }),
  window: duration({ max: '24h' }).prefault('1m'),
});

export const durationStopSchema = z.strictObject({
  kind: z.literal('duration'),
  /** Abort when the observation (faults and failover included) has lasted this long: a cap on a drill that overruns. */
  max: duration({ max: '24h' }),
});

export const promqlStopSchema = z.strictObject({
  kind: z.literal('promql'),
  /** Abort when this expression returns any series (as an alerting rule fires), like FIS on a CloudWatch alarm. */
  query: promqlExpression,
  every: duration({ max: '1h' }).prefault('1s'),
  timeout: duration({ max: '1m' }).prefault('5s'),
});

export const stopConditionSchema = z.discriminatedUnion('kind', [
  errorRatioStopSchema,
  commandStopSchema,
  latencyStopSchema,
  burnRateStopSchema,
  durationStopSchema,
  promqlStopSchema,
]);

export type StopCondition = z.output<typeof stopConditionSchema>;
export type StopConditionConfig = z.input<typeof stopConditionSchema>;

/** For plans and reports: what the guard aborts on. */
export function describeStopCondition(condition: StopCondition): string {
  switch (condition.kind) {
    case 'errorRatio':
      return `abort if error ratio > ${percent(condition.above)} over ${condition.window} ms`;
    case 'command':
      return `abort if \`${condition.run}\` fails (every ${condition.every} ms)`;
    case 'latency':
      return (
        `abort if p${condition.percentile} latency of ${condition.probe ?? 'the traffic'} > ` +
        `${condition.above} ms over ${condition.window} ms`
      );
    case 'burnRate':
      return `abort if SLO ${condition.slo} burns faster than ${condition.above}x over ${condition.window} ms`;
    case 'duration':
      return `abort if the observation lasts longer than ${condition.max} ms`;
    case 'promql':
      return `abort if \`${condition.query}\` returns any series (every ${condition.every} ms)`;
  }
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}
