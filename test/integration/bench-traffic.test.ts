import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { probeCeilingsOf, probeModules, runClosedModel, runOpenModel, startTrivialServer } from '../../bench/traffic';
import type { HttpOutcome } from '../../src/probes/http-traffic';
import { percentile } from '../../src/measure/percentiles';

// The benchmark's figures must be counts of real outcomes: recomputed here from every
// outcome the probe reported, they must match the report.
test('bench/traffic: the open-model report is computed from the outcomes; autocannon runs', async () => {
  const server = await startTrivialServer();
  const journalsBefore = fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('gameday-bench-traffic-')).length;
  try {
    const outcomes: HttpOutcome[] = [];
    const report = await runOpenModel(probeModules(path.resolve(__dirname, '..', '..', 'src')), server.url, {
      rate: 200,
      durationMs: 3_000,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    const t0 = Math.min(...outcomes.map((o) => o.t));
    const inWindow = outcomes.filter((o) => o.t < t0 + 3_000);
    assert.is(report.target, 600);
    assert.is(report.sent, inWindow.length);
    // How many went out on time is the benchmark's figure (npm run bench:traffic), not this test's: a loaded
    // machine sends late. Here every count must be a count of the outcomes.
    assert.ok(report.sent > 0 && report.sent <= 600, `sent ${report.sent} of 600`);
    assert.is(report.ok, inWindow.filter((o) => o.ok).length);
    assert.is(report.completed, inWindow.filter((o) => o.status > 0).length);
    assert.is(report.errors, report.sent - report.ok);
    assert.is(report.onTime, inWindow.filter((o) => o.sendLagMs <= 10).length);
    assert.is(report.achievedRate, Math.round((report.ok / 3) * 10) / 10);
    assert.is(report.achievedRatio, Math.round((report.ok / 3 / 200) * 10_000) / 10_000);
    const lags = inWindow.map((o) => o.sendLagMs).sort((a, b) => a - b);
    assert.is(report.sendLagMs.p99, Math.round(percentile(lags, 99)! * 100) / 100);
    assert.is(report.latencyMs.max, Math.round(Math.max(...inWindow.map((o) => o.latencyMs)) * 100) / 100);
    // Its journal directory is removed.
    assert.is(
      fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('gameday-bench-traffic-')).length,
      journalsBefore,
    );

    const closed = await runClosedModel(server.url, { connections: 4, pipelining: 1, seconds: 1 });
    assert.ok(closed.ok2xx > 0 && closed.rate > 0, JSON.stringify(closed));
    assert.is(closed.non2xx + closed.errors, 0);
  } finally {
    await server.close();
  }
});

test('bench/traffic: a warm-up runs the schedule first and no figure counts it', async () => {
  const server = await startTrivialServer();
  try {
    const outcomes: HttpOutcome[] = [];
    const report = await runOpenModel(probeModules(path.resolve(__dirname, '..', '..', 'src')), server.url, {
      rate: 200,
      durationMs: 2_000,
      warmupMs: 1_000,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    const firstDue = Math.min(...outcomes.map((o) => o.t));
    const warmup = outcomes.filter((o) => o.t < firstDue + 1_000);
    const inWindow = outcomes.filter((o) => o.t >= firstDue + 1_000 && o.t < firstDue + 3_000);
    assert.ok(warmup.length > 100, `${warmup.length} requests in the warm-up`);
    assert.is(report.warmupMs, 1_000);
    assert.is(report.target, 400);
    assert.is(report.sent, inWindow.length);
    assert.is(report.ok, inWindow.filter((o) => o.ok).length);
    assert.is(report.latencyMs.max, Math.round(Math.max(...inWindow.map((o) => o.latencyMs)) * 100) / 100);

    // autocannon's rate is the mean of its seconds after the warm-up; its total counts every second.
    const closed = await runClosedModel(server.url, { connections: 4, pipelining: 1, seconds: 1, warmupSeconds: 1 });
    assert.is(closed.warmupSeconds, 1);
    assert.ok(closed.rate > 0 && closed.total > closed.rate, JSON.stringify(closed));
    assert.ok(closed.perSecond.length >= 2, JSON.stringify(closed.perSecond));
    assert.is(closed.rate, closed.perSecond[1], 'the second after the warm-up, the warm-up left out');
  } finally {
    await server.close();
  }
});

test("bench/traffic: the probe's ceiling is the median of its rounds' searches", () => {
  const search = (ceiling: number) => ({ ceiling, steps: [] });
  const rounds = [search(28_000), search(15_000), search(36_000)];
  assert.equal(probeCeilingsOf(rounds), { ceiling: 28_000, runs: rounds });
  assert.is(probeCeilingsOf([search(0)]).ceiling, 0);
});

test.run();
