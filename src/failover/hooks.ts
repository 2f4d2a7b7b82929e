import { describeCommandFailure, runCommand } from '../engine/shell';
import type { FailoverHook } from '../experiment/schema';

export function hookName(hook: FailoverHook, index: number): string {
  return hook.name ?? ('exec' in hook ? `warm-${index + 1} (exec)` : `warm-${index + 1} (http ${hook.http.method} ${hook.http.url})`);
}

/** Runs one warm-up hook; throws with a clear reason when it fails or times out. */
export async function runHook(hook: FailoverHook, env: Record<string, string>): Promise<Record<string, unknown>> {
  if ('exec' in hook) {
    const result = await runCommand(hook.exec, { timeoutMs: hook.timeout, env });
    if (result.exitCode !== 0) throw new Error(describeCommandFailure(hook.exec, result, hook.timeout));
    return { durationMs: Math.round(result.durationMs), output: result.output.slice(-300) };
  }
  const started = performance.now();
  const response = await fetch(hook.http.url, { method: hook.http.method, body: hook.http.body, signal: AbortSignal.timeout(hook.timeout) }).catch((error: Error) => {
    throw new Error(`${hook.http.method} ${hook.http.url}: ${error.name === 'TimeoutError' ? `timed out after ${hook.timeout} ms` : error.message}`);
  });
  await response.arrayBuffer();
  const ok = hook.http.expectStatus.some((range) => response.status >= range.from && response.status <= range.to);
  if (!ok) throw new Error(`${hook.http.method} ${hook.http.url} answered ${response.status}`);
  return { status: response.status, durationMs: Math.round(performance.now() - started) };
}
