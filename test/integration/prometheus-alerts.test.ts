/**
 * The team's own alert rules on the lab with a real Prometheus (Debian's, scraping every
 * region every second): one lab for the file. A region outage (us-east-1, the writer's
 * region, stopped) makes every write through eu-west-1 fail. With rules over short windows
 * (1m/10s, `for: 3s`) the fast-burn alert goes pending and fires within a scrape, an
 * evaluation and gameday's one-second resolution of gameday's own evaluation of the same
 * windows; with the standard 1h/5m rules (`for: 2m`) nothing fires, and gameday agrees.
 * A PromQL stop condition aborts the next drill, and its fault is rolled back, within one
 * scrape interval and one evaluation of the guard. The first drill starts the lab's
 * Prometheus; it stays for the next, as it does on a lab started with `gameday lab up`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EventOf } from '../../src/core/events';
import type { ExperimentConfig } from '../../src/experiment/schema';
import { startLab, stopLab, type RunningLab } from '../../src/lab/manager';
import { PrometheusApiError, PrometheusClient } from '../../src/prometheus/client';
import { repoRoot } from '../support/cli';
import { eventually } from '../support/eventually';
import { runInline } from '../support/run';

const labDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-prometheus-'));
const rules = (name: string) => path.join(repoRoot, 'experiments', 'slo', name);

let lab: RunningLab;

test.before(async () => {
  lab = await startLab({
    labDir,
    ephemeral: false,
    healthCheck: { requestIntervalMs: 500, failureThreshold: 2, timeoutMs: 400 },
  });
});

test.after(async () => {
  await stopLab(labDir);
  fs.rmSync(labDir, { recursive: true, force: true });
});

/** Writes through eu-west-1 while us-east-1 (the writer's region) is down: each fails, in the app and for clients. */
function outage(overrides: Partial<ExperimentConfig>): ExperimentConfig {
  return {
    name: 'lose the writer region',
    target: { kind: 'lab', dir: labDir, api: 'direct' },
    steadyState: { duration: '2s' },
    traffic: {
      kind: 'http',
      endpoint: 'app-eu-west-1',
      path: '/orders',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"item":"drill","quantity":1}',
      rate: 20,
      timeout: '3s',
    },
    faults: [
      { kind: 'regionOutage', name: 'us-east-1-down', region: 'us-east-1', mode: 'stop', after: '3s', duration: '6s' },
    ],
    ...overrides,
  };
}

test('short-window rules fire at the time gameday evaluates; the standard 1h/5m rules fire for neither', async () => {
  const result = await runInline(
    outage({
      slos: [
        {
          name: 'orders-available',
          sli: 'availability',
          objective: '99.9%',
          alerts: [{ long: '1m', short: '10s', factor: 14.4 }],
        },
        {
          name: 'orders-server-side',
          sli: 'promql',
          objective: '99.9%',
          good: 'http_requests_total{route="/orders",method="POST",code!~"5.."}',
          total: 'http_requests_total{route="/orders",method="POST"}',
        },
      ],
      alerts: { rules: [rules('orders-fast-burn.yml'), rules('orders-standard-burn.yml')], slo: 'orders-available' },
      probes: [
        {
          kind: 'prometheus',
          name: 'replication-lag',
          query: 'gameday_lab_replication_lag_seconds',
          expect: { below: 1 },
        },
      ],
      duration: '12s',
    }),
  );
  assert.is(result.status, 'passed', result.summary.reason);
  const opened = result.events.find(
    (event): event is EventOf<'prometheus.opened'> => event.type === 'prometheus.opened',
  );
  assert.ok(opened, 'the lab Prometheus was opened for the run');
  assert.ok(opened!.startupMs !== null, 'this run started it');
  assert.is(opened!.scrapeIntervalMs, 1_000);
  assert.is(opened!.evaluationIntervalMs, 1_000);
  const alerts = result.summary.alerts!;
  assert.ok(alerts, 'summary.alerts');
  assert.is(alerts.error, null);
  assert.is(alerts.reference, 'first fault');

  const fast = alerts.rules.find((rule) => rule.name === 'OrdersFastBurn')!;
  assert.ok(fast.gameday, 'gameday evaluated the fast-burn windows');
  assert.equal(
    fast.conditions[0].map((condition) => condition.windowMs).sort((a, b) => a - b),
    [10_000, 60_000],
    'windows read from the recording rules',
  );
  assert.is(fast.conditions[0][0].factor, 14.4);
  assert.is(fast.verdict, 'both fired', fast.explanation.join('\n'));
  const alert = alerts.alerts.find((entry) => entry.alertname === 'OrdersFastBurn')!;
  assert.is(alert.labels.severity, 'page');
  assert.ok(alert.pendingAfterMs !== null && alert.firingAfterMs !== null);
  // Fired `for` after it went pending, to one evaluation.
  assert.ok(
    alert.firingAfterMs! - alert.pendingAfterMs! >= 3_000 &&
      alert.firingAfterMs! - alert.pendingAfterMs! <= 3_000 + 1_500,
    `pending ${alert.pendingAfterMs} ms, firing ${alert.firingAfterMs} ms after the fault`,
  );
  // gameday decides at the end of each second of requests, so Prometheus may be up to that second earlier; it can be
  // later by a scrape (1 s), an evaluation (1 s) and that second, plus 1 s of slack for a loaded machine.
  const { pendingMs, firingMs } = fast.difference;
  console.log(
    `fast burn: Prometheus − gameday: pending ${pendingMs} ms, firing ${firingMs} ms; ${fast.explanation.join(' ')}`,
  );
  for (const lag of [pendingMs!, firingMs!])
    assert.ok(lag >= -1_000 && lag <= 1_000 + 1_000 + 1_000 + 1_000, `difference ${lag} ms`);
  assert.ok(alert.pendingAfterMs! >= 0, 'not pending before the fault');

  const standard = alerts.rules.find((rule) => rule.name === 'OrdersErrorBudgetBurn')!;
  console.log(`standard: ${standard.explanation.join(' ')}`);
  assert.is(standard.verdict, 'neither fired', standard.explanation.join('\n'));
  assert.is(standard.prometheus.firingAfterMs, null);
  assert.is(standard.gameday!.firingAfterMs, null);
  assert.ok(
    standard.explanation.some((line) => /Your rule has `for: 2m`/.test(line)),
    standard.explanation.join('\n'),
  );
  // Prometheus, started for the drill, had only the drill in its 1h window: said when it went pending.
  if (standard.prometheus.pendingAfterMs !== null)
    assert.ok(
      standard.explanation.some((line) => /Prometheus had only .* of data when it went pending/.test(line)),
      standard.explanation.join('\n'),
    );

  // The PromQL SLI counted the same writes the traffic sent, as the app answered them.
  const serverSide = result.summary.slos.find((slo) => slo.name === 'orders-server-side')!;
  const clientSide = result.summary.slos.find((slo) => slo.name === 'orders-available')!;
  assert.ok(serverSide.badEvents > 0, 'the app counted the failed writes');
  assert.ok(
    Math.abs(serverSide.badEvents - clientSide.badEvents) <= 0.1 * clientSide.badEvents + 20,
    `server-side ${serverSide.badEvents} bad of ${serverSide.events}, ` +
      `client-side ${clientSide.badEvents} of ${clientSide.events}`,
  );
  const lagProbe = result.summary.probes.find((probe) => probe.probe === 'replication-lag')!;
  assert.ok(lagProbe.requests > 5, 'the prometheus probe checked all along');
});

test('a PromQL stop condition aborts and rolls back within one scrape and one evaluation', async () => {
  const result = await runInline(
    outage({
      faults: [
        {
          kind: 'regionOutage',
          name: 'us-east-1-down',
          region: 'us-east-1',
          mode: 'stop',
          after: '2s',
          duration: '10s',
        },
      ],
      stopConditions: [
        {
          kind: 'promql',
          query: 'sum(increase(http_requests_total{region="eu-west-1",route="/orders",code=~"5.."}[5s])) > 0',
          every: '1s',
        },
      ],
      duration: '14s',
    }),
  );
  assert.is(result.status, 'aborted', result.summary.reason);
  const injected = result.events.find((event): event is EventOf<'fault.injected'> => event.type === 'fault.injected')!;
  const breach = result.events.find(
    (event): event is EventOf<'stop-condition.breached'> => event.type === 'stop-condition.breached',
  )!;
  const reverting = result.events.find(
    (event): event is EventOf<'fault.reverting'> => event.type === 'fault.reverting',
  )!;
  const reverted = result.events.find((event): event is EventOf<'fault.reverted'> => event.type === 'fault.reverted')!;
  assert.ok(breach && reverting && reverted, 'breached and rolled back');
  assert.is(reverting.reason, 'abort');
  const breachedAfter = breach.t - injected.at;
  const rollbackAfter = reverting.t - injected.at;
  console.log(
    `promql stop condition: breached ${Math.round(breachedAfter)} ms after the fault, rollback began ` +
      `${Math.round(rollbackAfter)} ms after it, fault reverted ${Math.round(reverted.at - injected.at)} ms after it`,
  );
  // One scrape (1 s) for Prometheus to see the first failed write, one evaluation of the guard (1 s), and 1 s of
  // slack for a loaded machine (the query's own time, the app answering the first failure): the breach, and the
  // rollback it starts, come within that.
  const bound = 1_000 + 1_000 + 1_000;
  assert.ok(breachedAfter <= bound, `breached ${breachedAfter} ms after the fault`);
  assert.ok(rollbackAfter <= bound, `rollback began ${rollbackAfter} ms after the fault`);
  assert.match(breach.detail, /returned/);
  assert.ok(reverted.at - injected.at < 10_000, 'reverted well before its scheduled end');
  const opened = result.events.find(
    (event): event is EventOf<'prometheus.opened'> => event.type === 'prometheus.opened',
  );
  assert.is(opened!.startupMs, null, 'the Prometheus the first drill started, still running');
});

test("the lab's Prometheus: every region scraped, the lab's own metrics, each run's rules unloaded", async () => {
  const status = await lab.client.status();
  assert.ok(status.prometheus, 'still running after the runs');
  assert.equal(status.prometheus!.ruleFiles, [], "each run's rules unloaded when it ended");
  const client = new PrometheusClient({ url: status.prometheus!.url });
  const up = await client.query('up{job="gameday-lab-app"} == 1');
  assert.equal(up.map((sample) => sample.labels.region).sort(), ['eu-west-1', 'us-east-1']);
  const healthy = await client.query('gameday_lab_health_check_healthy');
  assert.equal(healthy.map((sample) => [sample.labels.region, sample.value]).sort(), [
    ['eu-west-1', 1],
    ['us-east-1', 1],
  ]);
  const lag = await client.query('gameday_lab_replication_lag_seconds');
  assert.equal(
    lag.map((sample) => sample.labels.region),
    ['eu-west-1'],
    'one standby, one lag',
  );
  const requests = await client.query('sum by (region) (http_requests_total{route="/orders",method="POST"})');
  assert.ok(requests.find((sample) => sample.labels.region === 'eu-west-1')!.value > 100, 'the drills wrote there');
  // What Prometheus refuses is said in its own words.
  try {
    await client.query('rate(up)');
    assert.unreachable('a range function on an instant vector is refused');
  } catch (error) {
    assert.instance(error, PrometheusApiError);
    assert.match((error as Error).message, /answered query with HTTP 400: bad_data: .*expected type range vector/);
  }
  try {
    await client.query('up[1m]');
    assert.unreachable('a range vector is not an instant answer');
  } catch (error) {
    assert.match((error as Error).message, /"up\[1m\]" is a matrix, not an instant vector or a scalar/);
  }
});

test('your own server, read only: the alerts it raised and its rules, from an endpoints target', async () => {
  const status = await lab.client.status();
  // Stands in for a team's server: a real Prometheus gameday did not start and loads nothing into.
  await lab.client.loadPrometheusRules([
    {
      name: 'always.yml',
      content: 'groups:\n  - name: always\n    rules:\n      - alert: AlwaysOn\n        expr: vector(1) > 0\n',
    },
  ]);
  try {
    // Firing before the drill starts, as a team's standing alert would be: from the first evaluation after the load.
    const server = new PrometheusClient({ url: status.prometheus!.url });
    await eventually(async () => {
      const firing = await server.query('ALERTS{alertname="AlwaysOn",alertstate="firing"}');
      return firing.length > 0 ? true : undefined;
    }, 15_000);
    const app = lab.state.regions.find((region) => region.name === 'eu-west-1')!.appUrl;
    const result = await runInline({
      name: 'read a team server',
      target: { kind: 'endpoints', endpoints: { api: app }, prometheus: { url: status.prometheus!.url } },
      steadyState: { duration: '1s' },
      traffic: { kind: 'http', endpoint: 'api', path: '/health', rate: 10 },
      alerts: {},
      duration: '2s',
    });
    assert.is(result.status, 'passed', result.summary.reason);
    const alerts = result.summary.alerts!;
    assert.is(alerts.source, 'target');
    assert.is(alerts.dataSince, null, "a team's server has its own history");
    assert.is(alerts.reference, 'observation');
    const always = alerts.alerts.find((alert) => alert.alertname === 'AlwaysOn')!;
    assert.ok(always.firingAfterMs !== null && always.firingAfterMs < 0, 'firing since before the drill');
    assert.is(always.activeAtEnd, 'firing');
    const rule = alerts.rules.find((entry) => entry.name === 'AlwaysOn')!;
    assert.is(rule.file.endsWith('always.yml'), true);
    assert.match(rule.explanation.join(' '), /not an error ratio over a window/);
    assert.equal(
      (await lab.client.status()).prometheus!.ruleFiles.map((file) => file.name),
      ['always.yml'],
    );
  } finally {
    await lab.client.loadPrometheusRules([]);
  }
});

test.run();
