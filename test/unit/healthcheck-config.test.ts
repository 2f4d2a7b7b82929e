import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  InvalidHealthCheckConfigError,
  applyHealthCheckUpdate,
  resolveHealthCheckConfig,
} from '../../src/lab/healthcheck';
import type { HealthCheckInput, HealthCheckUpdate } from '../../src/lab/healthcheck';

const target = { id: 'hc-use1', ipAddress: '127.0.0.2', port: 8080 };

function problemPaths(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    assert.instance(error, InvalidHealthCheckConfigError);
    return (error as InvalidHealthCheckConfigError).problems.map((p) => p.path);
  }
  assert.unreachable('expected InvalidHealthCheckConfigError');
  return [];
}

test('config: defaults follow Route 53 where the lab can (HTTP, /health, threshold 3)', () => {
  assert.equal(resolveHealthCheckConfig(target), {
    ...target,
    type: 'HTTP',
    resourcePath: '/health',
    requestIntervalMs: 1000,
    failureThreshold: 3,
    inverted: false,
    disabled: false,
    timeoutMs: 1000,
  });
});

test('config: the default timeout is the interval, at most 2 s', () => {
  assert.is(resolveHealthCheckConfig({ ...target, requestIntervalMs: 200 }).timeoutMs, 200);
  assert.is(resolveHealthCheckConfig({ ...target, requestIntervalMs: 30_000 }).timeoutMs, 2000);
  assert.is(resolveHealthCheckConfig({ ...target, requestIntervalMs: 30_000, timeoutMs: 5000 }).timeoutMs, 5000);
});

const invalid: Array<[string, Partial<HealthCheckInput> | Record<string, unknown>, string]> = [
  ['id with spaces', { id: 'bad id' }, 'id'],
  ['unknown type', { type: 'HTTPS' }, 'type'],
  ['hostname instead of address', { ipAddress: 'localhost' }, 'ipAddress'],
  ['port 0', { port: 0 }, 'port'],
  ['port 70000', { port: 70000 }, 'port'],
  ['relative path', { resourcePath: 'health' }, 'resourcePath'],
  ['interval below 100 ms', { requestIntervalMs: 99 }, 'requestIntervalMs'],
  ['threshold 0', { failureThreshold: 0 }, 'failureThreshold'],
  ['threshold 11', { failureThreshold: 11 }, 'failureThreshold'],
  ['fractional threshold', { failureThreshold: 2.5 }, 'failureThreshold'],
  ['inverted as string', { inverted: 'yes' }, 'inverted'],
  ['disabled as number', { disabled: 1 }, 'disabled'],
  ['zero timeout', { timeoutMs: 0 }, 'timeoutMs'],
];

for (const [name, change, path] of invalid) {
  test(`config: rejects ${name} at '${path}'`, () => {
    assert.equal(
      problemPaths(() => resolveHealthCheckConfig({ ...target, ...change } as HealthCheckInput)),
      [path],
    );
  });
}

test('config: every problem is listed at once, with what is valid', () => {
  try {
    resolveHealthCheckConfig({ ...target, port: 0, failureThreshold: 20 });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, InvalidHealthCheckConfigError);
    assert.match((error as Error).message, /port: expected an integer 1\.\.65535, got 0/);
    assert.match((error as Error).message, /failureThreshold: expected an integer 1\.\.10, got 20/);
  }
});

test('config: an update changes only the given fields and is validated', () => {
  const config = resolveHealthCheckConfig(target);
  const updated = applyHealthCheckUpdate(config, { inverted: true, failureThreshold: 5, healthCheckVersion: 1 });
  assert.equal(updated, { ...config, inverted: true, failureThreshold: 5 });
  assert.equal(
    problemPaths(() => applyHealthCheckUpdate(config, { failureThreshold: 0 })),
    ['failureThreshold'],
  );
});

test('config: type and id cannot be updated, as in Route 53', () => {
  const config = resolveHealthCheckConfig(target);
  const sneaky = { type: 'TCP', id: 'other' } as unknown as HealthCheckUpdate;
  assert.equal(
    problemPaths(() => applyHealthCheckUpdate(config, sneaky)),
    ['id', 'type'],
  );
});

test.run();
