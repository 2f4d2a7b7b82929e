import { describeCommandFailure, runCommand } from '../core/shell';
import type { FailoverHook } from './spec';

export function hookName(hook: FailoverHook, index: number, prefix = 'warm'): string {
  if (hook.name) return hook.name;
  const what = 'exec' in hook ? 'exec' : 'http' in hook ? `http ${hook.http.method} ${hook.http.url}` : 'function';
  return `${prefix}-${index + 1} (${what})`;
}

/** Runs one hook (exec, http or a function) within its timeout; throws with a clear reason. */
export async function runHook(
  hook: FailoverHook,
  env: Record<string, string>,
  context: { from: string; to: string; step: string },
): Promise<Record<string, unknown>> {
  if ('run' in hook) {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(() => hook.run(context)),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${hook.timeout} ms`)), hook.timeout);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    return { durationMs: Math.round(performance.now() - started) };
  }
  if ('exec' in hook) {
    const result = await runCommand(hook.exec, { timeoutMs: hook.timeout, env });
    if (result.exitCode !== 0) throw new Error(describeCommandFailure(hook.exec, result, hook.timeout));
    return { durationMs: Math.round(result.durationMs), output: result.output.slice(-300) };
  }
  const started = performance.now();
  const response = await fetch(hook.http.url, {
    method: hook.http.method,
    body: hook.http.body,
    signal: AbortSignal.timeout(hook.timeout),
  }).catch((error: Error) => {
    throw new Error(
      `${hook.http.method} ${hook.http.url}: ` +
        `${error.name === 'TimeoutError' ? `timed out after ${hook.timeout} ms` : error.message}`,
    );
  });
  await response.arrayBuffer();
  const ok = hook.http.expectStatus.some((range) => response.status >= range.from && response.status <= range.to);
  if (!ok) throw new Error(`${hook.http.method} ${hook.http.url} answered ${response.status}`);
  return { status: response.status, durationMs: Math.round(performance.now() - started) };
}
