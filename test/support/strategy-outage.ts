import path from 'node:path';
import type { ExperimentConfig } from '../../src/experiment/schema';

/**
 * The strategy tests' drill: us-east-1 drops off the network for 6 s and the runbook
 * promotes eu-west-1, with orders posted through the app's entry point. `dir` under
 * `scratch` names no running lab, so each run starts an ephemeral lab built as `strategy`.
 */
export function strategyOutage(
  scratch: string,
  strategy: string,
  overrides: Partial<ExperimentConfig> = {},
): ExperimentConfig {
  return {
    name: `${strategy}: lose us-east-1`,
    target: {
      kind: 'lab',
      strategy,
      dir: path.join(scratch, strategy),
      healthCheck: { interval: '300ms', failureThreshold: 2 },
      ttl: { app: '1s', writer: '1s' },
    } as ExperimentConfig['target'],
    steadyState: { duration: '1s' },
    hypothesis: { rto: '30s', recovery: { window: '1s' } },
    traffic: {
      kind: 'http',
      endpoint: 'app',
      path: '/orders',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"item":"x","quantity":1}',
      rate: 20,
      timeout: '1s',
    },
    faults: [{ kind: 'regionOutage', name: 'us-east-1-offline', region: 'us-east-1', after: '1s', duration: '6s' }],
    // The lab is removed after the run: no failback to wait for.
    failover: { from: 'us-east-1', to: 'eu-west-1', verify: { window: '1s', timeout: '20s' }, failback: false },
    duration: '9s',
    ...overrides,
  };
}
