import { defineExperiment, faults, probes } from 'gameday';

/**
 * Do our pages fire when the writer's region goes down? The lab's Prometheus scrapes every
 * region every second and evaluates our own rule files (slo/): the fast-burn page over
 * short windows, and the standard 1h/5m page. us-east-1 — the writer's region — stops for
 * 10 s, so every order placed through eu-west-1 fails, for clients and in the app's own
 * metrics. The report lists every alert that went pending and fired beside gameday's own
 * evaluation of each rule's windows, and why they differ.
 */
export default defineExperiment({
  name: 'do our pages fire when us-east-1 goes down?',
  description:
    'Losing the writer region fails every write for 10 s: the fast-burn page fires, the 1h/5m page does not.',
  target: { kind: 'lab', api: 'direct', healthCheck: { interval: '500ms', failureThreshold: 2 } },
  steadyState: { duration: '2s' },
  traffic: probes.http({
    endpoint: 'app-eu-west-1',
    path: '/orders',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"item":"drill","quantity":1}',
    rate: 20,
    timeout: '3s',
  }),
  probes: [
    // Each standby's replication lag, as the lab's Prometheus scrapes it: under 1 s in every region.
    probes.prometheus({ name: 'replication-lag', query: 'gameday_lab_replication_lag_seconds', expect: { below: 1 } }),
  ],
  faults: [
    faults.regionOutage({ name: 'us-east-1-down', region: 'us-east-1', mode: 'stop', after: '3s', duration: '10s' }),
  ],
  slos: [
    {
      name: 'orders-available',
      sli: 'availability',
      objective: '99.9%',
      alerts: [{ long: '1m', short: '10s', factor: 14.4 }],
    },
    {
      // The same objective, counted by the app itself (its http_requests_total, through Prometheus).
      name: 'orders-server-side',
      sli: 'promql',
      objective: '99.9%',
      good: 'http_requests_total{route="/orders",method="POST",code!~"5.."}',
      total: 'http_requests_total{route="/orders",method="POST"}',
    },
  ],
  alerts: { rules: ['slo/orders-fast-burn.yml', 'slo/orders-standard-burn.yml'], slo: 'orders-available' },
  duration: '18s',
  tags: ['example', 'prometheus'],
});
