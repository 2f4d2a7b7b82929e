/**
 * The browser probe on the real lab, in real Chromium: a checkout journey through the
 * storefront every 2 s while us-east-1 goes down and the runbook fails over to eu-west-1.
 * Chromium resolves app.gameday.lab through the lab's DNS (over the DoH front), so its
 * journeys follow the failover as the DNS answers it; they are held against the http probe
 * on the same run and against the promotion. One lab for the file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ExperimentConfig } from '../../src/experiment/schema';
import { startLab, stopLab } from '../../src/lab/manager';
import { runInline } from '../support/run';

let labDir: string;
const every = 2_000;
const ttlMs = 1_000;

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

test.before(async () => {
  labDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-browser-'));
  await startLab({
    labDir,
    ephemeral: false,
    // Detection takes 4-5 s: long enough an outage for journeys every 2 s to meet.
    healthCheck: { requestIntervalMs: 1_000, failureThreshold: 5, timeoutMs: 500 },
    ttl: { app: ttlMs / 1000, writer: 1 },
  });
  console.log(`    lab up at ${elapsed()}`);
});

test.after(async () => {
  await stopLab(labDir);
  fs.rmSync(labDir, { recursive: true, force: true });
});

const checkout: ExperimentConfig['probes'] = [
  {
    kind: 'browser',
    name: 'checkout',
    endpoint: 'app',
    every: `${every}ms`,
    // A journey caught in flight by the outage hangs until this: kept under the RTO the http probe sees.
    timeout: '6s',
    journey: async ({ page, step }) => {
      await step('product list', async () => {
        const response = await page.goto('/shop');
        if (!response?.ok()) throw new Error(`GET /shop answered ${response?.status()}`);
      });
      await step('product', () => page.click('text=Moka pot'));
      await step('add to cart', () => page.click('[data-testid=add-to-cart]'));
      await step('checkout', async () => {
        await page.fill('[data-testid=customer]', 'gameday');
        await page.click('[data-testid=checkout]');
        await page.waitForSelector('[data-testid=order-placed]');
      });
    },
  },
];

test('a region outage with failover: the checkout journey follows the failover as the http probe does', async () => {
  const result = await runInline({
    name: 'browser checkout through a region outage',
    target: { kind: 'lab', dir: labDir, api: 'direct' },
    steadyState: { duration: '1s' },
    hypothesis: { rto: { traffic: '20s', checkout: '20s' }, recovery: { window: '2s' } },
    // The same path the journey's checkout takes: an order written through the writer.
    traffic: {
      kind: 'http',
      endpoint: 'app',
      path: '/orders',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"item":"x","quantity":1}',
      rate: 10,
      timeout: '1s',
    },
    probes: checkout,
    // Its processes die (the direct API's outage): what was in flight fails or hangs, new connections are refused.
    faults: [
      { kind: 'regionOutage', name: 'us-east-1-down', region: 'us-east-1', mode: 'stop', after: '2s', duration: '8s' },
    ],
    failover: { from: 'us-east-1', to: 'eu-west-1', verify: { window: '1s', timeout: '20s' }, failback: false },
    // 16 s after the fault for the journey to recover: 10 s was not enough once in a full suite (a journey caught by
    // the outage waits out its 6 s timeout, and detection alone takes 5 health-check intervals).
    duration: '18s',
  });
  assert.is(result.status, 'passed', result.summary.reason);
  const journeys = Object.fromEntries(result.summary.journeys.map((journey) => [journey.name, journey]));
  const http = journeys.traffic.rto;
  const browser = journeys.checkout.rto;
  assert.ok(
    http.ms !== null && http.ms > 0 && browser.ms !== null && browser.ms > 0 && http.tRecovered && browser.tRecovered,
    JSON.stringify({ http, browser }),
  );
  console.log(`    http probe RTO ${http.ms} ms, checkout journey RTO ${browser.ms} ms; drill done at ${elapsed()}`);

  // A journey is timed from its start, like an http request from its send, but it may wait out a dead region for up
  // to its 6 s timeout (Chromium retries a reset connection, the http probe gives up after 1 s), so how far the two
  // RTOs lie apart depends on how slow the machine is. What does not: no checkout can complete without a writer, and
  // a new session asks DNS afresh, so no journey fails that started a TTL after the http probe had recovered.
  const rows = result.events.flatMap((event) =>
    event.type === 'journey.samples' && event.probe === 'checkout' ? event.rows : [],
  );
  const recoveredAt = Date.parse(browser.tRecovered!);
  const firstSuccess = rows.find(([at, , ok]) => ok === 1 && at >= recoveredAt - 1)!;
  // From the promotion's start: the database may take writes a poll before the step records its success.
  const promotedAt = result.events.flatMap((event) =>
    event.type === 'failover.step' && event.step === 'promote' && event.status === 'started' ? [event.at] : [],
  )[0];
  assert.ok(firstSuccess && promotedAt, 'a successful journey and a promotion in the journal');
  const firstSuccessEnd = firstSuccess[0] + firstSuccess[1];
  assert.ok(
    firstSuccessEnd >= promotedAt,
    `the first successful checkout ended ${Math.round(promotedAt - firstSuccessEnd)} ms ` +
      "before eu-west-1's promotion began",
  );
  assert.is(firstSuccess[4], 'eu-west-1');
  const lastFailureStart = Math.max(...rows.filter(([at, , ok]) => ok === 0 && at < recoveredAt).map(([at]) => at));
  const httpRecoveredAt = Date.parse(http.tRecovered!);
  assert.ok(
    lastFailureStart <= httpRecoveredAt + ttlMs,
    `a journey started ${Math.round(lastFailureStart - httpRecoveredAt)} ms after the http probe recovered ` +
      'still failed',
  );
  assert.equal(browser.cause?.name, 'us-east-1-down');
  assert.ok((journeys.checkout.regions['eu-west-1'] ?? 0) > 0, 'journeys were served by eu-west-1 after the failover');

  // Chromium asked the lab's DNS: nothing else knows app.gameday.lab.
  const line = result.summary.probes.find((probe) => probe.probe === 'checkout')!;
  assert.match(line.detail ?? '', /DNS-over-HTTPS to the target's DNS at 127\.0\.0\.1:\d+/);
  assert.equal(
    line.steps?.map((step) => step.name),
    ['product list', 'product', 'add to cart', 'checkout'],
  );

  // The failed journeys left a screenshot and a Playwright trace in the run directory.
  const failures = line.failures ?? [];
  assert.ok(failures.length > 0, 'the outage failed journeys');
  const failure = failures[0];
  assert.ok(failure.screenshot && failure.trace, JSON.stringify(failure));
  const screenshot = fs.readFileSync(path.join(result.summary.runDir, failure.screenshot));
  assert.equal([...screenshot.subarray(1, 4)], [...Buffer.from('PNG')], 'a PNG');
  const trace = fs.readFileSync(path.join(result.summary.runDir, failure.trace));
  assert.is(trace.subarray(0, 4).toString('latin1'), 'PK\u0003\u0004', 'a zip');
  assert.ok(trace.includes('trace.trace'), "Playwright's trace inside");
});

test('no Chromium: a clear preflight error before the target is opened, nothing injected', async () => {
  const saved = process.env.GAMEDAY_CHROMIUM;
  process.env.GAMEDAY_CHROMIUM = '/nonexistent/chromium';
  try {
    const result = await runInline({
      name: 'no browser',
      target: { kind: 'lab', dir: labDir, api: 'direct' },
      traffic: { kind: 'http', endpoint: 'app', rate: 5 },
      probes: checkout,
      faults: [{ kind: 'regionOutage', region: 'us-east-1', mode: 'stop', after: '1s', duration: '2s' }],
      duration: '3s',
    });
    assert.is(result.status, 'error');
    assert.is(
      result.summary.reason,
      'preflight: checkout: no browser for the browser probe (GAMEDAY_CHROMIUM=/nonexistent/chromium does not ' +
        'exist): install Chromium (apt-get install chromium) or set GAMEDAY_CHROMIUM=/path/to/chromium; nothing ' +
        'was injected',
    );
    const types = new Set(result.events.map((event) => event.type));
    assert.not.ok(types.has('target.opened') || types.has('fault.injecting'), [...types].join(', '));
  } finally {
    if (saved === undefined) delete process.env.GAMEDAY_CHROMIUM;
    else process.env.GAMEDAY_CHROMIUM = saved;
  }
});

test.run();
