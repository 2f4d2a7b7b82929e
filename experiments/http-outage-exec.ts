import { defineExperiment, faults, probes } from 'gameday';

/**
 * Any HTTP service, any fault you can script: the `endpoints` target with an `exec`
 * fault. Start the demo service first:
 *
 *   node experiments/support/flaky-service.js &
 *   npx gameday run experiments/http-outage-exec.ts
 *
 * The inject command makes the service answer 503 for 5 s; the rollback restores it.
 */
const downFile = process.env.DOWN_FILE ?? '/tmp/gameday-demo/down';

export default defineExperiment({
  name: 'api survives a 5s outage',
  description: 'The API fails for 5 s; clients must be served again within 10 s.',
  target: {
    kind: 'endpoints',
    endpoints: { api: process.env.API_URL ?? 'http://127.0.0.1:8080' },
  },
  hypothesis: {
    rto: '10s',
    recovery: { successRatio: 0.95, window: '3s' },
  },
  traffic: probes.http({ endpoint: 'api', path: '/health', rate: 20, timeout: '2s' }),
  faults: [
    faults.exec({
      name: 'api-returns-503',
      after: '3s',
      duration: '5s',
      inject: `mkdir -p "$(dirname '${downFile}')" && touch '${downFile}'`,
      rollback: `rm -f '${downFile}'`,
      timeout: '5s',
    }),
  ],
  stopConditions: [{ kind: 'errorRatio', above: 0.99, window: '20s' }],
  duration: '15s',
  tags: ['example', 'exec'],
  service: 'api',
});
