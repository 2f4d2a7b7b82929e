import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computeSlo, defaultAlertPairs, type SloBucket, type SloInput } from '../../src/measure/slo';

const thirtyDays = 30 * 86_400_000;
/** `seconds` one-second buckets of `rate` requests; those where `bad(i)` are entirely bad. */
const buckets = (seconds: number, rate: number, bad: (index: number) => boolean): SloBucket[] =>
  Array.from({ length: seconds }, (_, index) => ({ total: rate, bad: bad(index) ? rate : 0 }));
const input = (overrides: Partial<SloInput>): SloInput => ({
  objective: 0.999,
  windowMs: thirtyDays,
  buckets: buckets(40, 20, () => false),
  bucketMs: 1_000,
  faultOffsetMs: 10_000,
  alerts: defaultAlertPairs,
  burnWindowMs: 60_000,
  ...overrides,
});
const close = (actual: number | null, expected: number, digits = 3) => {
  assert.ok(actual !== null, `expected ${expected}, got null`);
  assert.ok(Math.abs(actual - expected) < 10 ** -digits, `expected ${expected}, got ${actual}`);
};

test('no failure at all: nothing burned, no alert', () => {
  const result = computeSlo(input({}));
  assert.is(result.events, 800);
  assert.is(result.badEvents, 0);
  assert.is(result.errorRatio, 0);
  assert.is(result.budgetConsumedPct, 0);
  assert.is(result.peakBurnRate, 0);
  assert.ok(result.alerts.every((alert) => !alert.fired && alert.firedAfterMs === null));
});

test('a 10 s outage at 20 req/s against 99.9% over 30 days', () => {
  const result = computeSlo(input({ buckets: buckets(40, 20, (i) => i >= 10 && i < 20) }));
  assert.is(result.badEvents, 200);
  close(result.ratePerSecond, 20);
  // 200 bad of a 30-day budget of 0.1% × 20/s × 2,592,000 s = 51,840.
  close(result.budgetConsumedPct, (200 / 51_840) * 100);
  close(result.burnRate, 0.25 / 0.001);
  // A trailing minute always holds 1,200 events (observed plus assumed good before the drill): 200 bad at most.
  close(result.peakBurnRate, 200 / 1_200 / 0.001);
  // 1h/5m x14.4: the 5 minutes burn at 33x but the hour only at 2.8x, so the page does not fire; nor do the slower
  // pairs.
  assert.equal(
    result.alerts.map((alert) => alert.fired),
    [false, false, false, false],
  );
});

test('an alert pair fires when both windows burn faster than the factor, timed from t_fault', () => {
  const result = computeSlo(
    input({
      objective: 0.99,
      buckets: buckets(40, 20, (i) => i >= 10 && i < 30),
      alerts: [{ longMs: 60_000, shortMs: 10_000, factor: 14.4 }],
    }),
  );
  // The minute holds 1,200 events; it burns faster than 14.4x once more than 172.8 are bad: 9 bad seconds, ending at 19
  // s.
  const [alert] = result.alerts;
  assert.is(alert.fired, true);
  assert.is(alert.firedAtMs, 19_000);
  assert.is(alert.firedAfterMs, 9_000);
});

test('never recovered: everything after the fault is bad', () => {
  const result = computeSlo(
    input({
      objective: 0.99,
      buckets: buckets(40, 20, (i) => i >= 10),
      alerts: [{ longMs: 60_000, shortMs: 10_000, factor: 14.4 }],
    }),
  );
  assert.is(result.badEvents, 600);
  close(result.errorRatio, 0.75);
  close(result.burnRate, 75);
  assert.is(result.alerts[0].fired, true);
  close(result.peakBurnRate, 600 / 1_200 / 0.01);
});

test('flapping: budget counts every bad event whatever the pattern; the peak follows the densest window', () => {
  const flapping = computeSlo(
    input({ buckets: buckets(40, 20, (i) => i >= 10 && i < 30 && i % 2 === 0), burnWindowMs: 10_000 }),
  );
  const solid = computeSlo(input({ buckets: buckets(40, 20, (i) => i >= 10 && i < 20), burnWindowMs: 10_000 }));
  assert.is(flapping.badEvents, solid.badEvents);
  close(flapping.budgetConsumedPct, solid.budgetConsumedPct!);
  // Ten solid bad seconds fill a 10 s window; flapping never more than half of one.
  close(solid.peakBurnRate, 1 / 0.001);
  close(flapping.peakBurnRate, 0.5 / 0.001);
});

test('window boundaries: a bucket leaves the trailing window exactly one window after it ended', () => {
  const result = computeSlo(input({ buckets: buckets(20, 10, (i) => i === 0), burnWindowMs: 10_000 }));
  // Window ending at 10 s is [0 s, 10 s): holds the bad second; ending at 11 s it does not.
  // burnRates[i] is the burn at the end of bucket i: burnRates[9] at 10 s.
  close(result.burnRates[9], 10 / 100 / 0.001);
  assert.is(result.burnRates[10], 0);
});

test('before the drill the window is filled with assumed good traffic at the drill rate', () => {
  const result = computeSlo(input({ buckets: buckets(5, 10, () => true), burnWindowMs: 10_000 }));
  // After 1 s: 10 bad observed + 90 assumed good.
  close(result.burnRates[0], 10 / 100 / 0.001);
  close(result.burnRates[4], 50 / 100 / 0.001);
});

test('no events: nothing to measure', () => {
  const result = computeSlo(input({ buckets: [] }));
  assert.is(result.errorRatio, null);
  assert.is(result.budgetConsumedPct, null);
  assert.is(result.peakBurnRate, null);
  assert.ok(result.alerts.every((alert) => !alert.fired));
});

test('objectives outside (0, 1) are refused', () => {
  assert.throws(() => computeSlo(input({ objective: 1 })), /between 0 and 1/);
  assert.throws(() => computeSlo(input({ objective: 99.9 })), /between 0 and 1/);
});

test.run();
