import net from 'node:net';
import { ConfigProblem, InvalidHealthCheckConfigError } from './errors';
import { HealthCheckConfig, HealthCheckInput, HealthCheckUpdate, healthCheckTypes } from './types';

export const healthCheckDefaults = {
  type: 'HTTP',
  resourcePath: '/health',
  requestIntervalMs: 1_000,
  failureThreshold: 3,
  inverted: false,
  disabled: false,
  maxTimeoutMs: 2_000,
} as const;

/** Route 53 allows 10 s or 30 s; the lab allows anything from here up, so drills run in seconds. */
export const minRequestIntervalMs = 100;
export const failureThresholdRange = { min: 1, max: 10 } as const;

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** Applies defaults and validates; throws InvalidHealthCheckConfigError listing every problem. */
export function resolveHealthCheckConfig(input: HealthCheckInput): HealthCheckConfig {
  const requestIntervalMs = input.requestIntervalMs ?? healthCheckDefaults.requestIntervalMs;
  const config: HealthCheckConfig = {
    id: input.id,
    type: input.type ?? healthCheckDefaults.type,
    ipAddress: input.ipAddress,
    port: input.port,
    resourcePath: input.resourcePath ?? healthCheckDefaults.resourcePath,
    requestIntervalMs,
    failureThreshold: input.failureThreshold ?? healthCheckDefaults.failureThreshold,
    inverted: input.inverted ?? healthCheckDefaults.inverted,
    disabled: input.disabled ?? healthCheckDefaults.disabled,
    timeoutMs: input.timeoutMs ?? defaultTimeoutMs(requestIntervalMs),
  };
  const problems = configProblems(config);
  if (problems.length > 0) throw new InvalidHealthCheckConfigError(problems);
  return config;
}

/**
 * The config after an update. Type and id can't change (Route 53 rejects a Type change too).
 * A timeout longer than the interval is allowed: requests never overlap, the next one
 * simply starts when the slow one gives up.
 */
export function applyHealthCheckUpdate(current: HealthCheckConfig, update: HealthCheckUpdate): HealthCheckConfig {
  const fixedFields = ['id', 'type'].filter((field) => field in update);
  const next: HealthCheckConfig = {
    ...current,
    ...definedFields(update),
  };
  const problems: ConfigProblem[] = fixedFields.map((field) => ({
    path: field,
    message: `can't be changed after the check is created (remove and add it instead)`,
  }));
  problems.push(...configProblems(next));
  if (problems.length > 0) throw new InvalidHealthCheckConfigError(problems);
  return next;
}

function defaultTimeoutMs(requestIntervalMs: number): number {
  return Number.isFinite(requestIntervalMs)
    ? Math.min(healthCheckDefaults.maxTimeoutMs, requestIntervalMs)
    : healthCheckDefaults.maxTimeoutMs;
}

function definedFields(update: HealthCheckUpdate): Partial<HealthCheckConfig> {
  const { healthCheckVersion: _version, ...fields } = update;
  const defined: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) defined[key] = value;
  return defined as Partial<HealthCheckConfig>;
}

// Input may come from JSON (the control endpoint, experiment files), so every field is
// checked at runtime even though the types already say what it should be.
function configProblems(config: HealthCheckConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const problem = (path: string, message: string): void => {
    problems.push({ path, message });
  };
  if (typeof config.id !== 'string' || !idPattern.test(config.id)) {
    problem(
      'id',
      `expected 1-64 characters of letters, digits, '.', '_', ':' or '-', got ${JSON.stringify(config.id)}`,
    );
  }
  if (!(healthCheckTypes as readonly string[]).includes(config.type)) {
    problem(
      'type',
      `expected one of ${healthCheckTypes.map((t) => `'${t}'`).join(', ')}, got ${JSON.stringify(config.type)}`,
    );
  }
  if (typeof config.ipAddress !== 'string' || net.isIP(config.ipAddress) === 0) {
    problem('ipAddress', `expected an IPv4 or IPv6 address, got ${JSON.stringify(config.ipAddress)}`);
  }
  if (!Number.isInteger(config.port) || config.port < 1 || config.port > 65535) {
    problem('port', `expected an integer 1..65535, got ${JSON.stringify(config.port)}`);
  }
  if (
    typeof config.resourcePath !== 'string' ||
    !config.resourcePath.startsWith('/') ||
    /\s/.test(config.resourcePath)
  ) {
    problem(
      'resourcePath',
      `expected a path starting with '/' and without spaces, got ${JSON.stringify(config.resourcePath)}`,
    );
  }
  if (!Number.isInteger(config.requestIntervalMs) || config.requestIntervalMs < minRequestIntervalMs) {
    problem(
      'requestIntervalMs',
      `expected an integer >= ${minRequestIntervalMs}, got ${JSON.stringify(config.requestIntervalMs)}`,
    );
  }
  const { min, max } = failureThresholdRange;
  if (!Number.isInteger(config.failureThreshold) || config.failureThreshold < min || config.failureThreshold > max) {
    problem('failureThreshold', `expected an integer ${min}..${max}, got ${JSON.stringify(config.failureThreshold)}`);
  }
  if (typeof config.inverted !== 'boolean')
    problem('inverted', `expected true or false, got ${JSON.stringify(config.inverted)}`);
  if (typeof config.disabled !== 'boolean')
    problem('disabled', `expected true or false, got ${JSON.stringify(config.disabled)}`);
  if (!Number.isInteger(config.timeoutMs) || config.timeoutMs < 1) {
    problem('timeoutMs', `expected a positive integer, got ${JSON.stringify(config.timeoutMs)}`);
  }
  return problems;
}
