/**
 * One request against a check's target, the way Route 53's checkers make it:
 * HTTP passes on a 2xx or 3xx status within the time budget, TCP passes on a connect.
 * Every request uses a fresh connection (no keep-alive), so a dead listener is noticed
 * on the next request instead of being hidden behind a pooled socket.
 */

import http from 'node:http';
import net from 'node:net';
import { HealthCheckConfig, Probe, ProbeResult } from './types';

export const probeByType: Record<HealthCheckConfig['type'], Probe> = {
  HTTP: probeHttp,
  TCP: probeTcp,
};

/** Dispatches on the check's type. Resolves, never rejects. */
export const probeEndpoint: Probe = (config, signal) => probeByType[config.type](config, signal);

export function probeHttp(config: HealthCheckConfig, signal: AbortSignal): Promise<ProbeResult> {
  return withDeadline(config.timeoutMs, signal, (finish) => {
    const request = http.request({
      host: config.ipAddress,
      port: config.port,
      path: config.resourcePath,
      method: 'GET',
      agent: false,
      headers: { 'user-agent': 'gameday-lab-healthcheck', connection: 'close' },
    });
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      // The body is irrelevant without string matching; dropping the socket frees it at once.
      response.destroy();
      finish({ ok: status >= 200 && status < 400, detail: `HTTP ${status}` });
    });
    request.on('error', (error) => finish({ ok: false, detail: describeError(error) }));
    request.end();
    return () => request.destroy();
  });
}

export function probeTcp(config: HealthCheckConfig, signal: AbortSignal): Promise<ProbeResult> {
  return withDeadline(config.timeoutMs, signal, (finish) => {
    const socket = net.connect({ host: config.ipAddress, port: config.port });
    socket.on('connect', () => finish({ ok: true, detail: 'TCP connected' }));
    socket.on('error', (error) => finish({ ok: false, detail: describeError(error) }));
    return () => socket.destroy();
  });
}

/**
 * Runs `start` with a deadline and an abort signal. `start` returns its cleanup, which runs
 * exactly once however the request ends, so no socket outlives its result.
 */
function withDeadline(
  timeoutMs: number,
  signal: AbortSignal,
  start: (finish: (result: ProbeResult) => void) => () => void,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    let cleanup: () => void = () => undefined;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      signal.removeEventListener('abort', onAbort);
      cleanup();
      resolve(result);
    };
    const onAbort = (): void => finish({ ok: false, detail: 'aborted' });
    const deadline = setTimeout(() => finish({ ok: false, detail: `timeout after ${timeoutMs} ms` }), timeoutMs);
    if (signal.aborted) {
      finish({ ok: false, detail: 'aborted' });
      return;
    }
    signal.addEventListener('abort', onAbort);
    cleanup = start(finish);
    if (settled) cleanup();
  });
}

function describeError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ?? error.message;
}
