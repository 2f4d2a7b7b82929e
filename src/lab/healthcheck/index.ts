export * from './types';
export * from './errors';
export {
  resolveHealthCheckConfig,
  applyHealthCheckUpdate,
  healthCheckDefaults,
  minRequestIntervalMs,
  failureThresholdRange,
} from './config';
export { initialHealthState, observe, reconfigure, reportedStatus } from './state';
export type { HealthSettings, HealthState, Outcome } from './state';
export { probeEndpoint, probeHttp, probeTcp } from './probe';
export { HealthCheckRegistry } from './registry';
export type { HealthCheckRegistryOptions, HealthCheckRegistryEvents } from './registry';
