import type { FunctionProbe, ProbeFunctionContext } from '../experiment/schema';
import { describeError, safeJson, type Check, type CheckResult } from './periodic';

/** Returned values up to this much JSON are kept in the journal; bigger ones are not worth a row each. */
const maxValueChars = 200;

/**
 * The function probe's check: the user's `run`, called with an abort signal, the opened
 * target and the call number. A throw, a rejection or the timeout fails the sample
 * (periodic.ts catches them); so does returning `{ ok: false, detail }`.
 */
export function functionCheck(probe: FunctionProbe, target: ProbeFunctionContext['target']): Check {
  return async (signal, seq) => interpret(await probe.run({ signal, target, seq }));
}

function interpret(returned: unknown): CheckResult {
  if (returned !== null && typeof returned === 'object' && typeof (returned as { ok?: unknown }).ok === 'boolean') {
    const { ok, detail } = returned as { ok: boolean; detail?: unknown };
    const value = small(detail);
    if (ok) return { ok, value };
    return { ok, error: detail === undefined ? 'returned ok: false' : typeof detail === 'string' ? detail : describeError(detail), value };
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
