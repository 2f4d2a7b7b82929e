import { z } from 'zod';
import { duration, ratio } from '../core/fields';
import { sloThresholds } from './slos';
import { inclusiveMs, parseThreshold, thresholdHint } from './thresholds';

const hypothesisObjectSchema = z.strictObject({
  /** SLO thresholds for every SLO without its own `expect`. */
  slo: sloThresholds.optional(),
  /** Objective for the client-observed recovery time. */
  rto: duration({ allowZero: true, max: '24h' }).optional(),
  /** Objective for acknowledged writes lost, as time. Measured by the write ledger probe. */
  rpo: duration({ allowZero: true, max: '24h' }).optional(),
  /** When clients count as recovered: success ratio >= successRatio over every window after. */
  recovery: z
    .strictObject({
      successRatio: ratio.default(0.95),
      window: duration({ max: '1h' }).prefault('5s'),
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
    const threshold =
      typeof text === 'string' ? parseThreshold(text) : `expected ${thresholdHint}, got ${JSON.stringify(text)}`;
    if (typeof threshold === 'string') {
      ctx.addIssue({ code: 'custom', path: [index], message: threshold, input: text });
    } else if (threshold.metric === 'rto' || threshold.metric === 'rpo') {
      if (object[threshold.metric] !== undefined)
        ctx.addIssue({ code: 'custom', path: [index], message: `${threshold.metric} is given twice`, input: text });
      object[threshold.metric] = `${inclusiveMs(threshold)}ms`;
    } else {
      object.slo.push(threshold.text);
    }
  });
  return object.slo.length > 0 ? object : { rto: object.rto, rpo: object.rpo };
}, hypothesisObjectSchema) as unknown as z.ZodType<
  z.output<typeof hypothesisObjectSchema>,
  z.input<typeof hypothesisObjectSchema> | ShortThreshold[]
>;

/** A threshold in short form, for editors: `'rto<30s'`, `'budget<5%'`. */
type ShortThreshold = `${'rto' | 'rpo' | 'budget' | 'burn' | 'alerts'}${'<' | '<='}${string}`;

export type Hypothesis = z.output<typeof hypothesisSchema>;
