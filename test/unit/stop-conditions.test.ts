import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Journal } from '../../src/core/journal';
import { trackedLatencyThresholds, watchStopConditions } from '../../src/engine/phases/stop-conditions';
import { PrometheusClient } from '../../src/prometheus/client';
import { errorRatioAbove } from '../../src/probes/recorder';
import type { Slo } from '../../src/experiment/slos';
import type { StopCondition } from '../../src/experiment/stop-conditions';
import { TrafficRecorder } from '../../src/probes/recorder';
import { probePort } from '../support/net';

const slos = [
  { name: 'fast', sli: 'latency', objective: 99, window: 86_400_000, threshold: 300, burnWindow: 60_000 },
  {
    name: 'fast-api',
    sli: 'latency',
    objective: 99,
    window: 86_400_000,
    threshold: 800,
    probe: 'api',
    burnWindow: 60_000,
  },
  { name: 'up', sli: 'availability', objective: 99.9, window: 86_400_000, burnWindow: 60_000 },
] as Slo[];
const conditions = [
  { kind: 'latency', above: 500, percentile: 99, window: 10_000 },
  { kind: 'latency', above: 500, percentile: 90, window: 5_000 },
  { kind: 'latency', above: 900, percentile: 99, window: 10_000, probe: 'api' },
  { kind: 'burnRate', slo: 'fast', above: 14.4, window: 60_000 },
  { kind: 'burnRate', slo: 'fast-api', above: 6, window: 60_000 },
  { kind: 'burnRate', slo: 'up', above: 6, window: 60_000 },
  { kind: 'errorRatio', above: 0.5, window: 5_000 },
] as StopCondition[];

test('each probe tracks the bounds of the guards on it, once each; availability SLOs need none', () => {
  assert.equal(trackedLatencyThresholds(conditions, slos, 'traffic', 'traffic').sort(), [300, 500]);
  assert.equal(trackedLatencyThresholds(conditions, slos, 'api', 'traffic').sort(), [800, 900]);
  assert.equal(trackedLatencyThresholds([], slos, 'traffic', 'traffic'), []);
});

test('error ratio guard: above the bound with enough requests; never on fewer than 5', () => {
  const recorder = new TrafficRecorder({ append: () => undefined } as unknown as Journal, 'traffic');
  const add = (t: number, ok: boolean) =>
    recorder.add({ t, sendLagMs: 0, latencyMs: 1, ok, status: ok ? 200 : 503, error: '', region: '' });
  for (const t of [9_000, 9_100, 9_200, 9_300]) add(t, false);
  assert.is(errorRatioAbove(recorder, 5_000, 0.5, 10_000), null, 'four failures are noise');
  add(9_400, true);
  assert.equal(errorRatioAbove(recorder, 5_000, 0.5, 10_000), { errorRatio: 0.8, count: 5 });
  assert.is(errorRatioAbove(recorder, 5_000, 0.8, 10_000), null, 'not above: equal');
  recorder.close();
});

test('a promql guard that cannot be read stops the drill after three failures in a row, saying why', async () => {
  // A port just released: nothing listens there, so every query is refused at once.
  const port = await probePort('127.0.0.1', 0);
  const breaches: Array<{ condition: string; detail: string; at: number }> = [];
  const started = performance.now();
  const stop = watchStopConditions([{ kind: 'promql', query: 'up == 0', every: 50, timeout: 500 } as StopCondition], {
    recorderFor: () => {
      throw new Error('not an http guard');
    },
    slos: [],
    prometheus: new PrometheusClient({ url: `http://127.0.0.1:${port}` }),
    t0: 0,
    signal: new AbortController().signal,
    onBreach: (condition, detail) => breaches.push({ condition, detail, at: performance.now() - started }),
  });
  try {
    for (let waited = 0; breaches.length === 0 && waited < 5_000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    stop();
  }
  assert.is(breaches.length, 1);
  assert.is(breaches[0].condition, 'stopConditions[0] promql');
  assert.match(
    breaches[0].detail,
    /^`up == 0` could not be evaluated 3 times in a row: Prometheus at http:\/\/127\.0\.0\.1:\d+ unreachable: ECONNREF/,
  );
  assert.ok(breaches[0].at >= 150, `after three evaluations 50 ms apart, not before (${breaches[0].at} ms)`);
});

test.run();
