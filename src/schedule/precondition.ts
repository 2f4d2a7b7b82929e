import { errorMessage } from '../core/errors';
import { formatDuration } from '../core/duration';
import { describeCommandFailure, runCommand } from '../core/shell';
import { readinessVerdict } from '../engine/readiness';
import type { Precondition } from '../experiment/schedule';
import { checkDefinitionReadiness } from '../scenario/check';
import type { Definition } from '../scenario/loader';

/** A precondition's answer: pass, or the reason the run is skipped. */
export type CheckAnswer = { ok: true } | { ok: false; reason: string };

/** What the checks are asked for: the due time, the scheduler's stop, the drill that would start (for readiness). */
export interface PreconditionAsked {
  due: Date;
  signal: AbortSignal;
  definition: Definition;
}

/**
 * Asks a schedule's preconditions at start time, in order; the first that does not pass
 * skips the run, with its name and why (no open incident, error budget left). A check that
 * hangs is cut at its timeout and counts as failed: a drill never starts on a question
 * nobody answered.
 */
export async function checkPreconditions(
  checks: readonly Precondition[],
  context: PreconditionAsked,
): Promise<CheckAnswer> {
  for (const check of checks) {
    const answer = await ask(check, context);
    if (!answer.ok) return { ok: false, reason: `${nameOf(check)}: ${answer.reason}` };
  }
  return { ok: true };
}

function nameOf(check: Precondition): string {
  if (check.name) return check.name;
  return check.kind === 'exec' ? `\`${check.command}\`` : check.kind === 'http' ? `${check.method} ${check.url}` : '';
}

async function ask(check: Precondition, context: PreconditionAsked): Promise<CheckAnswer> {
  switch (check.kind) {
    case 'exec': {
      const result = await runCommand(check.command, { timeoutMs: check.timeout });
      if (result.exitCode === 0) return { ok: true };
      return { ok: false, reason: describeCommandFailure(check.command, result, check.timeout) };
    }
    case 'http':
      return askHttp(check, context.signal);
    case 'function':
      return askFunction(check, context);
    case 'readiness':
      return askReadiness(check, context.definition);
  }
}

/** The drill's own readiness checks (`gameday check`); one that fails, or cannot be made, skips the run. */
async function askReadiness(
  check: Extract<Precondition, { kind: 'readiness' }>,
  definition: Definition,
): Promise<CheckAnswer> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckAnswer>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, reason: `no answer within ${formatDuration(check.timeout)}` }),
      check.timeout,
    );
  });
  const checked = checkDefinitionReadiness(definition).then(
    (report): CheckAnswer => (report.ok ? { ok: true } : { ok: false, reason: readinessVerdict(report.checks) }),
    (error: unknown): CheckAnswer => ({ ok: false, reason: `could not check: ${errorMessage(error)}` }),
  );
  try {
    return await Promise.race([checked, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function askHttp(check: Extract<Precondition, { kind: 'http' }>, stop: AbortSignal): Promise<CheckAnswer> {
  const signal = AbortSignal.any([stop, AbortSignal.timeout(check.timeout)]);
  let status: number;
  try {
    const response = await fetch(check.url, { method: check.method, headers: check.headers, signal });
    status = response.status;
    await response.body?.cancel();
  } catch (error) {
    if (signal.aborted && !stop.aborted)
      return { ok: false, reason: `no answer within ${formatDuration(check.timeout)}` };
    const cause = (error as { cause?: unknown }).cause;
    return { ok: false, reason: `request failed: ${errorMessage(cause ?? error)}` };
  }
  if (check.status.some((range) => status >= range.from && status <= range.to)) return { ok: true };
  const expected = check.status.map((range) => (range.from === range.to ? range.from : `${range.from}-${range.to}`));
  return { ok: false, reason: `answered ${status}, expected ${expected.join(',')}` };
}

async function askFunction(
  check: Extract<Precondition, { kind: 'function' }>,
  context: PreconditionAsked,
): Promise<CheckAnswer> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  context.signal.addEventListener('abort', stop, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckAnswer>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ ok: false, reason: `no answer within ${formatDuration(check.timeout)}` });
    }, check.timeout);
  });
  const answered = (async (): Promise<CheckAnswer> => {
    try {
      const returned = await check.check({ signal: controller.signal, due: context.due });
      if (returned === true) return { ok: true };
      if (returned !== null && typeof returned === 'object' && typeof returned.ok === 'boolean')
        return returned.ok ? { ok: true } : { ok: false, reason: returned.reason ?? 'returned ok: false' };
      return { ok: false, reason: `returned ${JSON.stringify(returned) ?? String(returned)}, not true` };
    } catch (error) {
      return { ok: false, reason: `threw: ${errorMessage(error)}` };
    }
  })();
  try {
    return await Promise.race([answered, timeout]);
  } finally {
    clearTimeout(timer);
    context.signal.removeEventListener('abort', stop);
  }
}
