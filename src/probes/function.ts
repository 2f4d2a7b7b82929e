import { z } from 'zod';
import { duration, name } from '../core/fields';
import { checkProbeSummary, okOrFailed } from './check-changes';
import { describeError, PeriodicCheck, safeJson, type Check, type CheckResult } from './periodic';
import type { ProbeKind, ProbeSummary } from './types';

/** What a function probe's `run` is called with. */
export interface ProbeFunctionContext {
  /** Aborts when this call's timeout expires: pass it to fetch, pg, child processes. */
  signal: AbortSignal;
  /** The opened target: its named URLs and, for the lab, the DNS server its names resolve through. */
  target: { kind: string; endpoints: Record<string, string>; dnsServer: { host: string; port: number } | null };
  /** 1-based number of this call. */
  seq: number;
}

/**
 * Returning is ok (a small JSON-able result is recorded); `{ ok: false, detail }`, a throw or the timeout is a failed
 * sample.
 */
export type ProbeFunction = (context: ProbeFunctionContext) => unknown | Promise<unknown>;

/** A user's function called at an interval, one call at a time. */
export const functionProbeSchema = z.strictObject({
  kind: z.literal('function'),
  name: name.default('function'),
  /** Between the scheduled starts of two calls; a call still running delays the next. */
  every: duration({ max: '1h' }).prefault('1s'),
  /** A call running longer is a failed sample (its signal is aborted). */
  timeout: duration({ max: '5m' }).prefault('2s'),
  run: z.custom<ProbeFunction>((value) => typeof value === 'function', {
    error: 'expected a function: async ({ signal, target, seq }) => { ... }',
  }),
});

export type FunctionProbe = z.output<typeof functionProbeSchema>;
export type FunctionProbeConfig = z.input<typeof functionProbeSchema>;

/** Your function at an interval, one call at a time: anything you can check from TypeScript. */
export const functionProbe: ProbeKind<typeof functionProbeSchema, { summary: ProbeSummary }> = {
  schema: functionProbeSchema,
  label: 'probe',
  startOrder: 2,

  plan: (probe) =>
    `start function probe ${probe.name}: call run() every ${probe.every} ms, one call at a time ` +
    `(timeout ${probe.timeout} ms; a throw is a failed sample)`,

  async start(probe, { session, journal }) {
    const target = { kind: session.kind, endpoints: { ...session.endpoints }, dnsServer: session.dnsServer };
    const check = new PeriodicCheck(probe, journal, `function:${probe.name}`, functionCheck(probe, target));
    check.start();
    return { name: probe.name, kind: probe.kind, stop: () => check.stop() };
  },

  summarize: (started, context) => checkProbeSummary(started, context, okOrFailed),
};

/** Returned values up to this much JSON are kept in the journal; bigger ones are not worth a row each. */
const maxValueChars = 200;

/**
 * The function probe's check: the user's `run`, called with an abort signal, the opened
 * target and the call number. A throw, a rejection or the timeout fails the sample
 * (periodic.ts catches them); so does returning `{ ok: false, detail }`.
 */
function functionCheck(probe: FunctionProbe, target: ProbeFunctionContext['target']): Check {
  return async (signal, seq) => interpret(await probe.run({ signal, target, seq }));
}

function interpret(returned: unknown): CheckResult {
  if (returned !== null && typeof returned === 'object' && typeof (returned as { ok?: unknown }).ok === 'boolean') {
    const { ok, detail } = returned as { ok: boolean; detail?: unknown };
    const value = small(detail);
    if (ok) return { ok, value };
    return {
      ok,
      error: detail === undefined ? 'returned ok: false' : typeof detail === 'string' ? detail : describeError(detail),
      value,
    };
  }
  return { ok: true, value: small(returned) };
}

/** The value as JSON would carry it, when it is JSON-able and small; else nothing. */
function small(value: unknown): unknown {
  if (value === undefined) return undefined;
  const text = safeJson(value);
  if (text === undefined || text.length > maxValueChars) return undefined;
  return JSON.parse(text) as unknown;
}
