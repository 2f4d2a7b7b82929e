import { z } from 'zod';
import { duration, name } from '../core/fields';
import { promqlExpression } from '../prometheus/schema';
import { parseThreshold, thresholdHint, type SloMetric, type Threshold } from './thresholds';

/** Object form of SLO thresholds, for when a list of short strings reads worse. */
const sloThresholdObject = z.strictObject({
  /** Budget consumed, as a percentage of the window's error budget: '5%' or 5. */
  budget: z
    .union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?%$/)], { error: "expected a percentage like '5%'" })
    .optional(),
  /** Peak burn rate. */
  burn: z
    .number({ error: 'expected a burn rate > 0 (e.g. 14.4)' })
    .positive({ error: 'expected a burn rate > 0 (e.g. 14.4)' })
    .optional(),
  /** false: no alert pair may fire. */
  alerts: z.literal(false, { error: 'expected false (no alert pair may fire)' }).optional(),
});

/**
 * 'budget<5%', ['budget<5%', 'burn<14.4'] or { budget: '5%', burn: 14.4, alerts: false } -> thresholds, each <
 * (strict).
 */
export const sloThresholds = z
  .union([z.string(), z.array(z.string()), sloThresholdObject], {
    error:
      `expected ${thresholdHint.replace(", 'rto<30s' or 'rpo<=1s'", '')}, a list of them, or { ` +
      `budget: '5%', burn: 14.4, alerts: false }`,
  })
  .transform((value, ctx): Threshold<SloMetric>[] => {
    if (typeof value === 'string' || Array.isArray(value)) {
      const texts = typeof value === 'string' ? [value] : value;
      const parsed: Threshold<SloMetric>[] = [];
      texts.forEach((text, index) => {
        const threshold = parseThreshold(text);
        const path = typeof value === 'string' ? [] : [index];
        if (typeof threshold === 'string') ctx.addIssue({ code: 'custom', path, message: threshold });
        else if (threshold.metric === 'rto' || threshold.metric === 'rpo')
          ctx.addIssue({
            code: 'custom',
            path,
            message: `${threshold.metric} is not an SLO threshold; write it in hypothesis (rto: '30s')`,
          });
        else parsed.push(threshold as Threshold<SloMetric>);
      });
      return parsed;
    }
    const thresholds: Threshold<SloMetric>[] = [];
    if (value.budget !== undefined) {
      const percent = typeof value.budget === 'number' ? value.budget : Number(value.budget.slice(0, -1));
      thresholds.push({ metric: 'budget', op: '<', value: percent, text: `budget<${percent}%` });
    }
    if (value.burn !== undefined)
      thresholds.push({ metric: 'burn', op: '<', value: value.burn, text: `burn<${value.burn}` });
    if (value.alerts === false) thresholds.push({ metric: 'alerts', op: '<', value: 1, text: 'alerts<1' });
    return thresholds;
  });

const objectiveHint =
  "expected the objective as a percentage: '99.9%' (or the number 99.9), between 0 and 100 exclusive";

/**
 * The SLO objective in percent: '99.9%', or the bare number 99.9. A number of 1 or below
 * is refused: it is almost always a ratio written where a percentage belongs (0.999 for
 * 99.9%, 1.0 for 100%), and taken as a percentage it would be an SLO nobody means.
 */
const percentObjective = z.union([z.number(), z.string()], { error: objectiveHint }).transform((value, ctx) => {
  const percent = typeof value === 'number' ? value : /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value)?.[1];
  const number = Number(percent);
  if (percent === undefined || !Number.isFinite(number) || number <= 0 || number >= 100) {
    ctx.addIssue({ code: 'custom', message: `${objectiveHint}, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  if (typeof value === 'number' && number <= 1) {
    const meant = value === 1 ? '99.9' : String(+(value * 100).toPrecision(6));
    const advice = `write the percentage as a string, e.g. '${meant}%'`;
    const message = `${value} reads as ${value}%, which looks like a ratio: ${advice}`;
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  }
  return number;
});

export const sloSchema = z.strictObject({
  name,
  /**
   * availability: a request is good when it succeeds; latency: when it succeeds within `threshold`; promql: events
   * counted by Prometheus (`good` and `total`).
   */
  sli: z.enum(['availability', 'latency', 'promql'], { error: "expected 'availability', 'latency' or 'promql'" }),
  /** In percent: 99.9 allows 0.1% of requests in the window to be bad. */
  objective: percentObjective,
  window: duration({ max: '400d' }).prefault('30d'),
  /** The latency SLI's bound. */
  threshold: duration({ max: '5m' }).optional(),
  /** The http probe whose requests are the SLI's events (default: the traffic). */
  probe: z.string().optional(),
  /**
   * sli 'promql': counters of good events and of all events (each series a counter, e.g.
   * http_requests_total{code!~"5.."}); gameday takes each series' increase per second, as increase() does, and sums.
   */
  good: promqlExpression.optional(),
  total: promqlExpression.optional(),
  /** What passes; default: hypothesis.slo, else nothing (the SLO is reported, not judged). */
  expect: sloThresholds.optional(),
  /**
   * Multi-window multi-burn-rate alert pairs (default: the SRE workbook's 1h/5m x14.4, 6h/30m x6, 1d/2h x3, 3d/6h x1).
   */
  alerts: z
    .array(
      z.strictObject({
        long: duration({ max: '400d' }),
        short: duration({ max: '400d' }),
        factor: z
          .number({ error: 'expected a burn-rate factor > 0 (e.g. 14.4)' })
          .positive({ error: 'expected a burn-rate factor > 0 (e.g. 14.4)' }),
      }),
    )
    .min(1, { error: 'needs at least one alert pair, or leave alerts out for the defaults' })
    .optional(),
  /** Trailing window of the burn-rate timeline and the peak burn rate. */
  burnWindow: duration({ max: '24h' }).prefault('1m'),
});

export type Slo = z.output<typeof sloSchema>;
export type SloConfig = z.input<typeof sloSchema>;
