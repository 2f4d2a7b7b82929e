import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rtoBounds, rtoPhases } from '../../src/measure/phases';

const sum = (phases: Array<{ ms: number }>) => phases.reduce((total, phase) => total + phase.ms, 0);

test('phases are the intervals between runbook marks and add up to the RTO', () => {
  const phases = rtoPhases(1_000, 9_000, {
    detectedAt: 4_000,
    decidedAt: 4_010,
    fencedAt: 4_200,
    promotedAt: 4_400,
    shiftedAt: 6_000,
  });
  assert.equal(phases, [
    { name: 'detection', ms: 3_000 },
    { name: 'decision', ms: 10 },
    { name: 'fencing', ms: 190 },
    { name: 'promotion', ms: 200 },
    { name: 'traffic shift', ms: 1_600 },
    { name: 'stabilisation', ms: 3_000 },
  ]);
  assert.is(sum(phases), 8_000);
});

test('clients recovering before the runbook finished: later phases are 0, the sum is still the RTO', () => {
  const phases = rtoPhases(0, 2_500, {
    detectedAt: 2_000,
    decidedAt: 2_000,
    fencedAt: 3_000,
    promotedAt: 3_500,
    shiftedAt: 4_000,
  });
  assert.equal(
    phases.map((p) => p.ms),
    [2_000, 0, 500, 0, 0, 0],
  );
  assert.is(sum(phases), 2_500);
});

test('skipped steps (no mark) take no time', () => {
  const phases = rtoPhases(0, 10_000, {
    detectedAt: 3_000,
    decidedAt: null,
    fencedAt: null,
    promotedAt: 5_000,
    shiftedAt: null,
  });
  assert.equal(
    phases.map((p) => p.ms),
    [3_000, 0, 0, 2_000, 0, 5_000],
  );
});

test('marks before the fault (a detector already tripped) clamp to t_fault', () => {
  const phases = rtoPhases(1_000, 4_000, {
    detectedAt: 500,
    decidedAt: 600,
    fencedAt: 2_000,
    promotedAt: 2_500,
    shiftedAt: 3_000,
  });
  assert.equal(
    phases.map((p) => p.ms),
    [0, 0, 1_000, 500, 500, 1_000],
  );
  assert.is(sum(phases), 3_000);
});

test('fractional times still add up exactly to the rounded RTO', () => {
  const phases = rtoPhases(0.4, 1000.9, {
    detectedAt: 100.6,
    decidedAt: 200.5,
    fencedAt: 300.5,
    promotedAt: 400.5,
    shiftedAt: 500.5,
  });
  assert.is(sum(phases), Math.round(1000.9 - 0.4));
});

test('RTO bounds: (threshold − 1) checks + runbook; threshold checks + check timeout + runbook + TTL + timeout', () => {
  const config = {
    healthCheckIntervalMs: 1_000,
    failureThreshold: 3,
    healthCheckTimeoutMs: 1_000,
    runbookMs: 120,
    staleAnswerMs: 5_000,
    clientTimeoutMs: 2_000,
    requestIntervalMs: 50,
  };
  assert.equal(rtoBounds(config), { lowerMs: 2_120, upperMs: 11_170, detectionMinMs: 2_000, detectionMaxMs: 4_000 });
  // Route 53 defaults: 30 s checks, threshold 3, TTL 60 s, a minute to promote Aurora.
  const aws = rtoBounds({
    ...config,
    healthCheckIntervalMs: 30_000,
    healthCheckTimeoutMs: 4_000,
    runbookMs: 60_000,
    staleAnswerMs: 60_000,
    requestIntervalMs: 1_000,
  });
  assert.is(aws.lowerMs, 120_000);
  assert.is(aws.upperMs, 90_000 + 4_000 + 60_000 + 60_000 + 2_000 + 1_000);
});

test('a threshold of 1 can detect at once: the lower bound is the runbook alone', () => {
  const bounds = rtoBounds({
    healthCheckIntervalMs: 10_000,
    failureThreshold: 1,
    healthCheckTimeoutMs: 0,
    runbookMs: 500,
    staleAnswerMs: 0,
    clientTimeoutMs: 0,
    requestIntervalMs: 0,
  });
  assert.is(bounds.lowerMs, 500);
  assert.is(bounds.upperMs, 10_500);
});

test.run();
