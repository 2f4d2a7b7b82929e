import { z } from 'zod';
import { duration, name } from '../core/fields';
import type { InstantSample } from '../prometheus/client';
import { promqlExpression } from '../prometheus/schema';
import { checkProbeSummary, okOrFailed } from './check-changes';
import { PeriodicCheck, type CheckResult } from './periodic';
import type { ProbeKind, ProbeSummary } from './types';

/**
 * What every series a query returns must satisfy: below, above or equal to a number; or
 * `empty: true`, for an alert-style expression that returns nothing while all is well.
 */
const expectSchema = z.union(
  [
    z.strictObject({ below: z.number() }),
    z.strictObject({ above: z.number() }),
    z.strictObject({ equals: z.number() }),
    z.strictObject({ empty: z.literal(true) }),
  ],
  { error: 'expected { below: n }, { above: n }, { equals: n } or { empty: true }' },
);

/** A PromQL query at an interval against the target's Prometheus, with what its result must be. */
export const prometheusProbeSchema = z.strictObject({
  kind: z.literal('prometheus'),
  name: name.default('prometheus'),
  /** An instant query: a vector (each series judged) or a scalar. */
  query: promqlExpression,
  /** Without it: ok when the query returns at least one series. */
  expect: expectSchema.optional(),
  every: duration({ max: '1h' }).prefault('1s'),
  timeout: duration({ max: '1m' }).prefault('5s'),
});

export type PrometheusProbe = z.output<typeof prometheusProbeSchema>;
export type PrometheusProbeConfig = z.input<typeof prometheusProbeSchema>;
type Expectation = z.output<typeof expectSchema>;

/** What Prometheus says at an interval: e.g. replication lag below 1 s in every region. */
export const prometheusProbe: ProbeKind<typeof prometheusProbeSchema, { summary: ProbeSummary }> = {
  schema: prometheusProbeSchema,
  label: 'probe',
  startOrder: 2,

  validate(_probe, context, report) {
    if (!context.prometheus)
      report(
        [],
        `needs a Prometheus to ask: target '${context.targetKind}' names none (give target.prometheus: { url })`,
      );
  },

  plan: (probe) =>
    `start prometheus probe ${probe.name}: \`${probe.query}\` every ${probe.every} ms (timeout ${probe.timeout} ms), ` +
    `${probe.expect ? `expecting every series ${describeExpectation(probe.expect)}` : 'expecting at least one series'}`,

  async start(probe, { journal, prometheus }) {
    if (!prometheus) throw new Error("the target's Prometheus was not opened for this run");
    const check = new PeriodicCheck(probe, journal, `${prometheus.endpoint.url} ${probe.query}`, async (signal) =>
      judge(probe.expect, await prometheus.query(probe.query, { signal })),
    );
    check.start();
    return { name: probe.name, kind: probe.kind, stop: () => check.stop() };
  },

  summarize: (started, context) => checkProbeSummary(started, context, okOrFailed),
};

export function describeExpectation(expect: Expectation): string {
  if ('below' in expect) return `below ${expect.below}`;
  if ('above' in expect) return `above ${expect.above}`;
  if ('equals' in expect) return `equal to ${expect.equals}`;
  return 'absent (an empty result)';
}

const maxValueChars = 200;

/** Ok when every series satisfies the expectation (and there is one, unless it expects none). */
export function judge(expect: Expectation | undefined, samples: InstantSample[]): CheckResult {
  const value = seriesText(samples);
  if (expect && 'empty' in expect)
    return samples.length === 0 ? { ok: true, value } : { ok: false, error: `expected no series, got ${value}`, value };
  if (samples.length === 0) return { ok: false, error: 'the query returned no series', value };
  if (!expect) return { ok: true, value };
  const failing = samples.filter((sample) => !holds(expect, sample.value));
  if (failing.length === 0) return { ok: true, value };
  return { ok: false, error: `expected ${describeExpectation(expect)}: ${seriesText(failing)}`, value };
}

function holds(expect: Exclude<Expectation, { empty: true }>, value: number): boolean {
  if ('below' in expect) return value < expect.below;
  if ('above' in expect) return value > expect.above;
  return value === expect.equals;
}

/** `{region="eu-west-1"} 0.12, {region="ap-southeast-2"} 3.4`: the series without their name, cut to a row's size. */
function seriesText(samples: InstantSample[]): string {
  const text = samples
    .map((sample) => {
      const labels = Object.entries(sample.labels)
        .filter(([label]) => label !== '__name__')
        .map(([label, value]) => `${label}=${JSON.stringify(value)}`)
        .join(',');
      const value = Number.isInteger(sample.value) ? sample.value : +sample.value.toPrecision(4);
      return `${labels ? `{${labels}} ` : ''}${value}`;
    })
    .join(', ');
  return text.length > maxValueChars ? `${text.slice(0, maxValueChars - 1)}…` : text || 'no series';
}
