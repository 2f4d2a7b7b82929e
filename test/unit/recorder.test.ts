import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Journal } from '../../src/core/journal';
import { LatencyHistogram } from '../../src/measure/histogram';
import { TimelineBuilder } from '../../src/measure/timeline';
import { retainedMs, TrafficRecorder } from '../../src/probes/recorder';

const journaled: unknown[] = [];
const journal = { append: (event: unknown) => journaled.push(event) } as unknown as Journal;
const outcome = (t: number, ok: boolean, latencyMs = 10, region = 'us-east-1') => ({
  t,
  sendLagMs: 0,
  latencyMs,
  ok,
  status: ok ? 200 : 0,
  error: ok ? '' : 'ECONNREFUSED',
  region: ok ? region : '',
});

test('windows count requests by due time, to 100 ms', () => {
  const recorder = new TrafficRecorder(journal, 'traffic');
  for (let t = 10_000; t < 20_000; t += 50) recorder.add(outcome(t, t < 15_000 || t >= 16_000));
  assert.equal(recorder.ratioBetween(10_000, 15_000), { ratio: 1, count: 100 });
  assert.equal(recorder.ratioBetween(15_000, 16_000), { ratio: 0, count: 20 });
  assert.equal(recorder.ratioBetween(14_000, 16_000), { ratio: 0.5, count: 40 });
  assert.equal(recorder.ratioBetween(30_000, 40_000), { ratio: null, count: 0 });
  recorder.close();
});

test('counts and ratio agree, whichever region served', () => {
  const recorder = new TrafficRecorder(journal, 'traffic');
  recorder.add(outcome(1_000, true, 10, 'us-east-1'));
  recorder.add(outcome(1_010, true, 10, 'eu-west-1'));
  recorder.add(outcome(1_020, false));
  assert.equal(recorder.countsBetween(1_000, 1_100), { count: 3, failed: 1 });
  assert.equal(recorder.ratioBetween(1_000, 1_100), { ratio: 2 / 3, count: 3 });
  recorder.close();
});

test('failures are kept by kind per window: a transport code, or the HTTP status', () => {
  const recorder = new TrafficRecorder(journal, 'traffic');
  recorder.add(outcome(1_000, false));
  recorder.add({ ...outcome(1_010, false), status: 503, error: '' });
  recorder.add({ ...outcome(1_150, false), status: 503, error: '' });
  recorder.add({ ...outcome(1_160, false), error: 'TIMEOUT' });
  recorder.add(outcome(1_170, true));
  assert.equal(recorder.failuresBetween(1_000, 1_200), { ECONNREFUSED: 1, 'HTTP 503': 2, TIMEOUT: 1 });
  assert.equal(recorder.failuresBetween(1_100, 1_200), { 'HTTP 503': 1, TIMEOUT: 1 });
  assert.equal(recorder.failuresBetween(2_000, 3_000), {});
  // A recycled bucket forgets its old failures with its counts.
  recorder.add(outcome(retainedMs + 1_000, true));
  assert.equal(recorder.failuresBetween(retainedMs + 1_000, retainedMs + 1_100), {});
  recorder.close();
});

test('latency thresholds count failures and slower requests; untracked thresholds are an error', () => {
  const recorder = new TrafficRecorder(journal, 'traffic', [100]);
  recorder.add(outcome(0, true, 50));
  recorder.add(outcome(10, true, 150));
  recorder.add(outcome(20, false, 5));
  assert.equal(recorder.slowerThanBetween(100, 0, 100), { slowOrFailed: 2, count: 3 });
  assert.throws(() => recorder.slowerThanBetween(200, 0, 100), /not tracked/);
  recorder.close();
});

test('memory is bounded: buckets older than the retained span are recycled', () => {
  const recorder = new TrafficRecorder(journal, 'traffic');
  recorder.add(outcome(0, false));
  recorder.add(outcome(retainedMs + 50, true));
  // The old failure's slot now holds the newer success; the old window is gone, not wrong.
  assert.equal(recorder.ratioBetween(0, 100), { ratio: null, count: 0 });
  assert.equal(recorder.ratioBetween(retainedMs, retainedMs + 100), { ratio: 1, count: 1 });
  // A late outcome older than the ring does not overwrite newer data.
  recorder.add(outcome(10, false));
  assert.equal(recorder.ratioBetween(retainedMs, retainedMs + 100), { ratio: 1, count: 1 });
  recorder.close();
});

test('HDR percentiles match nearest rank within 0.1%', () => {
  const histogram = new LatencyHistogram();
  const values = Array.from({ length: 10_000 }, (_, i) => 1 + ((i * 7919) % 10_000) / 10);
  for (const value of values) histogram.record(value);
  const sorted = [...values].sort((a, b) => a - b);
  for (const p of [50, 90, 99]) {
    const exact = sorted[Math.ceil((p / 100) * sorted.length) - 1];
    const approx = histogram.percentile(p)!;
    assert.ok(Math.abs(approx - exact) / exact < 0.001 + 0.1 / exact, `p${p}: ${approx} vs ${exact}`);
  }
  assert.is(histogram.percentile(100), sorted[sorted.length - 1]);
  assert.is(new LatencyHistogram().percentile(50), null);
});

test('timeline: per-second buckets from t0, gaps filled, out-of-order outcomes placed by due time', () => {
  const builder = new TimelineBuilder(10_000, 1_000, [100]);
  builder.add(12_500, 50, true, 'eu-west-1');
  builder.add(9_500, 20, true, 'us-east-1');
  builder.add(12_900, 500, true, 'eu-west-1');
  builder.add(12_100, 5, false, '');
  const points = builder.points();
  assert.equal(
    points.map((point) => point.offsetMs),
    [-1_000, 0, 1_000, 2_000],
  );
  assert.equal(
    points.map((point) => point.requests),
    [1, 0, 0, 3],
  );
  assert.equal(points[3].errors, 1);
  assert.equal(points[3].regions, { 'eu-west-1': 2 });
  assert.equal(points[3].slowOrFailed, [2]);
  assert.is(points[1].p50, null);
  assert.is(points[0].p99, 20);
});

test.run();
