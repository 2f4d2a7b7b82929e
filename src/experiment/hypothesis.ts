import { z } from 'zod';
import { duration, name, ratio } from '../core/fields';
import { sloThresholds } from './slos';
import { inclusiveMs, parseThreshold, thresholdHint } from './thresholds';

const rtoDuration = duration({ allowZero: true, max: '24h' });

const journeyRtoHint =
  "expected a duration like '30s', or objectives per journey like { checkout: '30s', browse: '10s' }";

/**
 * `rto: '30s'` is the headline journey's objective; `rto: { checkout: '30s', browse: '10s' }`
 * sets each named journey's (the headline's among them, by its name). Told apart by type,
 * so a mistake in either form is reported as that form's.
 */
const rtoObjectives = z.unknown().transform((value, ctx): { rto?: number; rtoByJourney?: Record<string, number> } => {
  if (value === undefined) return {};
  if (typeof value === 'string') {
    const parsed = rtoDuration.safeParse(value);
    if (parsed.success) return { rto: parsed.data };
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    return z.NEVER;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: `${journeyRtoHint}, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  const parsed = z.record(name, rtoDuration).safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    return z.NEVER;
  }
  return Object.keys(parsed.data).length > 0 ? { rtoByJourney: parsed.data } : {};
});

const hypothesisObjectSchema = z
  .strictObject({
    /** SLO thresholds for every SLO without its own `expect`. */
    slo: sloThresholds.optional(),
    /** Objective for the client-observed recovery time: the headline journey's, or each named journey's. */
    rto: rtoObjectives.optional(),
    /** The journey whose RTO is the run's headline RTO (default: the traffic probe). */
    headline: name.optional(),
    /** Objective for acknowledged writes lost, as time. Measured by the write ledger probe. */
    rpo: duration({ allowZero: true, max: '24h' }).optional(),
    /** When clients count as recovered: success ratio >= successRatio over every window after. */
    recovery: z
      .strictObject({
        successRatio: ratio.default(0.95),
        window: duration({ max: '1h' }).prefault('5s'),
      })
      .prefault({}),
  })
  .transform(({ rto, ...hypothesis }) => ({ ...hypothesis, ...rto }));

/** What the hypothesis resolves to: `rto` is the headline journey's objective, `rtoByJourney` the others' (ms). */
export type Hypothesis = z.output<typeof hypothesisObjectSchema> & {
  rto?: number;
  rtoByJourney?: Record<string, number>;
};

type HypothesisInput = Omit<z.input<typeof hypothesisObjectSchema>, 'rto'> & { rto?: string | Record<string, string> };

/**
 * The hypothesis as an object, or as a list of short thresholds k6-style:
 * ['rto<30s', 'checkout.rto<45s', 'rpo<=1s', 'budget<5%', 'burn<14.4'] — the RTOs (the
 * headline's, and a journey's by its name) and RPO become the objectives, the rest apply
 * to every SLO.
 */
export const hypothesisSchema = z.unknown().transform((value, ctx): Hypothesis => {
  const parsed = Array.isArray(value) ? shortForm(value, ctx) : hypothesisObjectSchema.safeParse(value);
  if (parsed === null) return z.NEVER;
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, input: issue.input });
    return z.NEVER;
  }
  return parsed.data;
}) as unknown as z.ZodType<Hypothesis, HypothesisInput | ShortThreshold[]>;

function shortForm(value: unknown[], ctx: z.RefinementCtx): ReturnType<typeof hypothesisObjectSchema.safeParse> | null {
  const object: { rto?: string; rpo?: string; slo: string[] } = { slo: [] };
  const byJourney: Record<string, number> = {};
  let valid = true;
  value.forEach((text, index) => {
    const issue = (message: string) => {
      ctx.addIssue({ code: 'custom', path: [index], message, input: text });
      valid = false;
    };
    const threshold =
      typeof text === 'string' ? parseThreshold(text) : `expected ${thresholdHint}, got ${JSON.stringify(text)}`;
    if (typeof threshold === 'string') issue(threshold);
    else if (threshold.journey !== undefined) {
      if (byJourney[threshold.journey] !== undefined) issue(`${threshold.journey}.rto is given twice`);
      byJourney[threshold.journey] = inclusiveMs(threshold);
    } else if (threshold.metric === 'rto' || threshold.metric === 'rpo') {
      if (object[threshold.metric] !== undefined) issue(`${threshold.metric} is given twice`);
      object[threshold.metric] = `${inclusiveMs(threshold)}ms`;
    } else {
      object.slo.push(threshold.text);
    }
  });
  if (!valid) return null;
  const parsed = hypothesisObjectSchema.safeParse(
    object.slo.length > 0 ? object : { rto: object.rto, rpo: object.rpo },
  );
  if (parsed.success && Object.keys(byJourney).length > 0) parsed.data.rtoByJourney = byJourney;
  return parsed;
}

/** A threshold in short form, for editors: `'rto<30s'`, `'checkout.rto<30s'`, `'budget<5%'`. */
type ShortThreshold =
  `${'rto' | 'rpo' | 'budget' | 'burn' | 'alerts'}${'<' | '<='}${string}` | `${string}.rto${'<' | '<='}${string}`;
