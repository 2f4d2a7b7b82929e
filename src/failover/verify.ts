import { now, sleep } from '../core/clock';
import { exchange } from '../probes/exchange';
import type { RunbookContext } from './context';
import { pollMs } from './step';

/**
 * Clients are served by the new region: verify sends its own requests, each on a new
 * connection resolved afresh (a keep-alive connection to the old region, still healthy
 * in a planned move, would prove nothing), and needs the success ratio over the window
 * with every success answered by the new region.
 */
export async function verify(ctx: RunbookContext): Promise<{ at: number; detail: Record<string, unknown> }> {
  const { successRatio, window, timeout } = ctx.spec.verify;
  const probe = ctx.verifyProbe;
  if (!probe) return { at: now(), detail: { note: 'no traffic probe to verify with' } };
  const started = now();
  const results: Array<{ t: number; ok: boolean }> = [];
  while (!ctx.signal.aborted) {
    const sentAt = now();
    const answer = await askOnce(probe, Math.min(2_000, window));
    results.push({ t: sentAt, ok: answer.status >= 200 && answer.status < 400 && answer.region === ctx.to });
    const current = now();
    const recent = results.filter((result) => result.t >= current - window);
    const ratio = recent.filter((result) => result.ok).length / recent.length;
    if (current - started >= Math.min(window, 1_000) && recent.length >= 3 && ratio >= successRatio) {
      return {
        at: current,
        detail: { servedBy: ctx.to, successRatio: Math.round(ratio * 1000) / 1000, requests: recent.length },
      };
    }
    if (current - started > timeout) {
      throw new Error(
        `clients were not served by ${ctx.to} at ≥ ${successRatio * 100}% within ${timeout} ms ` +
          `(last: ${answer.detail})`,
      );
    }
    await sleep(pollMs, ctx.signal);
  }
  throw new Error('the run ended before verification');
}

function askOnce(
  probe: NonNullable<RunbookContext['verifyProbe']>,
  timeoutMs: number,
): Promise<{ status: number; region: string; detail: string }> {
  return exchange(probe.url, {
    method: probe.method,
    headers: probe.headers,
    body: probe.body,
    agent: false,
    timeoutMs,
    lookup: probe.lookup,
  }).then(
    (answer) => ({
      status: answer.status,
      region: answer.region,
      detail: `HTTP ${answer.status} from ${answer.region || 'an unnamed region'}`,
    }),
    (error: NodeJS.ErrnoException) => ({ status: 0, region: '', detail: error.code ?? error.message }),
  );
}
