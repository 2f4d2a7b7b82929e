import fs from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EventOf } from '../../src/core/events';
import type { ExperimentConfig } from '../../src/experiment/schema';
import { flakyServicePerTest } from '../support/flaky-service';
import { runInline } from '../support/run';

/**
 * Stop conditions abort a real run within one window (plus the 250 ms check interval)
 * of their breach, and the fault is rolled back; SLO thresholds decide the verdict.
 */

const service = flakyServicePerTest(test);

const faultAt = 1_000;
function drill(fault: 'down' | 'slow', overrides: Partial<ExperimentConfig> = {}): ExperimentConfig {
  const file = fault === 'down' ? service().downFile : service().slowFile;
  return {
    name: `guard-${fault}`,
    target: { kind: 'endpoints', endpoints: { api: service().url } },
    traffic: { kind: 'http', endpoint: 'api', rate: 40, timeout: '1s' },
    steadyState: { duration: '500ms' },
    hypothesis: { recovery: { successRatio: 0.95, window: '1s' } },
    faults: [
      {
        kind: 'exec',
        name: fault,
        after: `${faultAt}ms`,
        duration: '4s',
        inject: `touch ${file}`,
        rollback: `rm -f ${file}`,
      },
    ],
    duration: '6s',
    ...overrides,
  };
}

function breachOf(result: Awaited<ReturnType<typeof runInline>>) {
  const breach = result.events.find(
    (event): event is EventOf<'stop-condition.breached'> => event.type === 'stop-condition.breached',
  );
  const injected = result.events.find((event): event is EventOf<'fault.injected'> => event.type === 'fault.injected');
  assert.ok(breach, 'a stop condition was breached');
  assert.ok(injected, 'the fault was injected');
  return { breach: breach!, afterFaultMs: breach!.t - injected!.at };
}

test('latency guard: p99 above the bound aborts within one window of the slowdown', async () => {
  const result = await runInline(
    drill('slow', { stopConditions: [{ kind: 'latency', above: '200ms', percentile: 99, window: '1s' }] }),
  );
  assert.is(result.status, 'aborted', result.summary.reason);
  const { breach, afterFaultMs } = breachOf(result);
  assert.match(breach.detail, /p99 latency over the last 1000 ms > 200 ms/);
  // A window must hold enough slow requests: the first slow answers land 300 ms after the fault.
  assert.ok(afterFaultMs <= 1_000 + 300 + 250 + 100, `breached ${afterFaultMs} ms after the fault`);
  assert.not.ok(fs.existsSync(service().slowFile), 'rolled back');
});

test('burn-rate guard: an SLO burning faster than allowed aborts the drill', async () => {
  const result = await runInline(
    drill('down', {
      slos: [{ name: 'available', sli: 'availability', objective: 99.9 }],
      stopConditions: [{ kind: 'burnRate', slo: 'available', above: 100, window: '1s' }],
    }),
  );
  assert.is(result.status, 'aborted', result.summary.reason);
  const { breach, afterFaultMs } = breachOf(result);
  assert.match(breach.detail, /SLO available burned \d+(\.\d)?x its budget rate over the last 1000 ms > 100x/);
  // 100x of a 0.1% budget is a 10% error ratio: reached well within one window of the outage.
  assert.ok(afterFaultMs <= 1_000 + 250 + 100, `breached ${afterFaultMs} ms after the fault`);
  assert.not.ok(fs.existsSync(service().downFile), 'rolled back');
});

test('duration cap: a drill that outlasts its cap is aborted at the cap', async () => {
  const result = await runInline(drill('down', { stopConditions: [{ kind: 'duration', max: '2s' }] }));
  assert.is(result.status, 'aborted');
  const observe = result.events.find((event): event is EventOf<'observe.started'> => event.type === 'observe.started')!;
  const { breach } = breachOf(result);
  // Journal times and timers are both on the monotonic clock; timers may fire a millisecond early.
  const at = breach.t - observe.t0;
  assert.ok(at >= 1_990 && at < 2_300, `aborted ${at} ms into the observation`);
  assert.not.ok(fs.existsSync(service().downFile), 'rolled back');
});

test('SLO thresholds decide the verdict from the measured budget', async () => {
  // Two SLOs on the one traffic of one run: the budget it burns is within one's threshold and far beyond the
  // other's. (A run whose every threshold is met passes: the failover-passed journal fixture, in the unit tests.)
  const slo = (name: string, expect: string) => ({
    name,
    sli: 'availability' as const,
    objective: 99.9,
    window: '1h',
    expect,
  });
  const result = await runInline(
    drill('down', { slos: [slo('generous', 'budget<1000%'), slo('strict', 'budget<1%')] }),
  );
  const [generous, strict] = result.summary.slos;
  // 4 s of 503s at 40/s against a 1 h budget of 0.1%: about 160 bad of an allowance of 0.001 × 40 × 3600 = 144.
  assert.ok(generous.badEvents >= 140 && generous.badEvents <= 180, `${generous.badEvents} bad events`);
  const rate = generous.events / Math.ceil((result.summary.series[0].points.at(-1)!.offsetMs + 1) / 1000);
  assert.ok(
    Math.abs(generous.budgetConsumedPct! - (generous.badEvents / (0.001 * rate * 3600)) * 100) < 1,
    'budget = bad ÷ (allowed × rate × window)',
  );
  assert.is(strict.budgetConsumedPct, generous.budgetConsumedPct, 'the same traffic, the same budget');
  // Over 100% of an hour's budget: within 1000%, far beyond 1%.
  assert.is(generous.thresholds[0].met, true);
  assert.is(strict.thresholds[0].met, false);
  assert.is(result.status, 'failed');
  assert.match(result.summary.reason, /SLO strict: budget<1% not met/);
  assert.not.match(result.summary.reason, /SLO generous/, 'the met threshold is not why it failed');
});

test.run();
