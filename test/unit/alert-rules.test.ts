import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PrometheusRuleRecord } from '../../src/core/events';
import { alertInstances } from '../../src/engine/phases/prometheus';
import { evaluateRule } from '../../src/measure/alert-rules';
import { increasesPerStep } from '../../src/measure/counters';
import type { SloBucket } from '../../src/measure/slo';
import { analyseAlertingRule } from '../../src/prometheus/rules';

const rule = (fields: Partial<PrometheusRuleRecord> & Pick<PrometheusRuleRecord, 'name' | 'query'>) =>
  ({
    group: 'g',
    file: 'rules.yml',
    intervalMs: 1_000,
    type: 'alerting',
    forMs: 0,
    keepFiringForMs: 0,
    labels: {},
    ...fields,
  }) as PrometheusRuleRecord;
const recording = (name: string, query: string, labels: Record<string, string> = {}) =>
  rule({ type: 'recording', name, query, labels });

// ---------------------------------------------------------------- reading the rule

test("Sloth's page: two alternatives, windows read through its recording rules (labels pick the right ones)", () => {
  const rules = [
    recording('slo:sli_error:ratio_rate5m', 'sum(rate(errors{job="a"}[5m])) / sum(rate(total{job="a"}[5m]))', {
      sloth_id: 'a',
    }),
    recording('slo:sli_error:ratio_rate5m', 'sum(rate(errors{job="b"}[2m])) / sum(rate(total{job="b"}[2m]))', {
      sloth_id: 'b',
    }),
    recording('slo:sli_error:ratio_rate1h', 'sum(rate(errors[1h])) / sum(rate(total[1h]))', { sloth_id: 'a' }),
    recording('slo:sli_error:ratio_rate30m', 'sum(rate(errors[30m])) / sum(rate(total[30m]))', { sloth_id: 'a' }),
    recording('slo:sli_error:ratio_rate6h', 'sum(rate(errors[6h])) / sum(rate(total[6h]))', { sloth_id: 'a' }),
  ];
  const page = rule({
    name: 'SlothPage',
    query:
      '(max(slo:sli_error:ratio_rate5m{sloth_id="a"} > (14.4 * 0.001)) without (sloth_window) and ' +
      'max(slo:sli_error:ratio_rate1h{sloth_id="a"} > (14.4 * 0.001)) without (sloth_window)) or ' +
      '(max(slo:sli_error:ratio_rate30m{sloth_id="a"} > (6 * 0.001)) without (sloth_window) and ' +
      'max(slo:sli_error:ratio_rate6h{sloth_id="a"} > (6 * 0.001)) without (sloth_window))',
  });
  const analysis = analyseAlertingRule(page, [...rules, page]);
  assert.is(analysis.note, null);
  assert.equal(
    analysis.alternatives.map((alternative) =>
      alternative.conditions.map((condition) => [condition.windowMs, +condition.threshold.toFixed(4)]),
    ),
    [
      [
        [300_000, 0.0144],
        [3_600_000, 0.0144],
      ],
      [
        [1_800_000, 0.006],
        [21_600_000, 0.006],
      ],
    ],
  );
  assert.is(analysis.alternatives[0].conditions[0].lhs, 'slo:sli_error:ratio_rate5m{sloth_id="a"}');
  assert.equal(analysis.windowsMs, [21_600_000, 3_600_000, 1_800_000, 300_000]);
});

test('Pyrra/slo-libsonnet: sum() around the recording, `for:` kept; a constant on the left is turned round', () => {
  const rules = [
    recording('x:burnrate5m', 'sum(rate(x_errors[5m])) / sum(rate(x_total[5m]))'),
    recording('x:burnrate1h', 'sum(rate(x_errors[1h])) / sum(rate(x_total[1h]))'),
  ];
  const analysis = analyseAlertingRule(
    rule({
      name: 'ErrorBudgetBurn',
      forMs: 120_000,
      query:
        'sum(x:burnrate5m{job="p"}) > (14.40 * (1-0.99900)) and (14.40 * (1-0.99900)) < sum(x:burnrate1h{job="p"})',
    }),
    rules,
  );
  assert.equal(
    analysis.alternatives[0].conditions.map((condition) => [condition.windowMs, condition.lhs]),
    [
      [300_000, 'sum(x:burnrate5m{job="p"})'],
      [3_600_000, 'sum(x:burnrate1h{job="p"})'],
    ],
  );
});

test('the ratio written out in the alert, with a minimum-traffic guard kept as text (taken to hold)', () => {
  const query =
    '1 - (sum(sum_over_time(probe_success[5m])) / sum(count_over_time(probe_success[5m]))) > (14.4 * (1 - 0.9995)) ' +
    'and sum(count_over_time(probe_success[5m])) > 5';
  const analysis = analyseAlertingRule(rule({ name: 'ProbeBurn', query }), []);
  assert.is(analysis.alternatives.length, 1);
  assert.is(analysis.alternatives[0].conditions.length, 1);
  assert.is(analysis.alternatives[0].conditions[0].windowMs, 300_000);
  assert.equal(analysis.alternatives[0].unevaluated, ['sum(count_over_time(probe_success[5m])) > 5']);
});

test('what is not an error ratio over a window is said so, and so is what does not parse', () => {
  assert.match(analyseAlertingRule(rule({ name: 'Down', query: 'up == 0' }), []).note!, /not an error ratio/);
  assert.match(
    analyseAlertingRule(rule({ name: 'Lag', query: 'max(replication_lag_seconds) > 5' }), []).note!,
    /not an error ratio/,
  );
  assert.match(analyseAlertingRule(rule({ name: 'Bad', query: 'sum(' }), []).note!, /could not read its expression/);
});

// ---------------------------------------------------------------- gameday's evaluation

/** 20 requests a second; `bad` seconds (by index) all failed. */
function buckets(seconds: number, bad: (second: number) => boolean): SloBucket[] {
  return Array.from({ length: seconds }, (_, second) => ({ total: 20, bad: bad(second) ? 20 : 0 }));
}

test('a 10 s outage: the short-window pair goes pending in its first second and fires `for` later', () => {
  const evaluation = evaluateRule({
    buckets: buckets(30, (second) => second >= 5 && second < 15),
    bucketMs: 1_000,
    faultOffsetMs: 5_000,
    alternatives: [
      [
        { windowMs: 60_000, threshold: 0.0144, inclusive: false },
        { windowMs: 10_000, threshold: 0.0144, inclusive: false },
      ],
    ],
    forMs: 3_000,
  });
  assert.is(evaluation.pendingAtMs, 1_000);
  assert.is(evaluation.firingAtMs, 4_000);
  assert.is(evaluation.firingAfterDrill, false);
  // The 10 s window holds failures until 10 s after the last one: 15 + 10 = 25 s from the start, 20 s after the fault.
  assert.is(evaluation.resolvedAtMs, 20_000);
  assert.is(evaluation.heldMs, 19_000);
  assert.is(evaluation.conditions[0][1].peakRatio, 1);
  // Over a minute, 10 bad seconds of 60 (the 50 before the drill assumed good): 1/6.
  assert.ok(Math.abs(evaluation.conditions[0][0].peakRatio - 10 / 60) < 1e-9);
});

test('the standard 1h/5m pair never holds for a 10 s outage: an hour at the drill rate dilutes it', () => {
  const evaluation = evaluateRule({
    buckets: buckets(30, (second) => second >= 5 && second < 15),
    bucketMs: 1_000,
    faultOffsetMs: 5_000,
    alternatives: [
      [
        { windowMs: 3_600_000, threshold: 0.0144, inclusive: false },
        { windowMs: 300_000, threshold: 0.0144, inclusive: false },
      ],
    ],
    forMs: 120_000,
  });
  assert.is(evaluation.pendingAtMs, null);
  assert.is(evaluation.firingAtMs, null);
  assert.ok(Math.abs(evaluation.conditions[0][0].peakRatio - 10 / 3600) < 1e-9);
  assert.ok(Math.abs(evaluation.conditions[0][1].peakRatio - 10 / 300) < 1e-9);
});

test('a `for:` longer than the condition holds: pending, never firing, resolved when the windows drain', () => {
  const evaluation = evaluateRule({
    buckets: buckets(20, (second) => second >= 5 && second < 8),
    bucketMs: 1_000,
    faultOffsetMs: 5_000,
    alternatives: [[{ windowMs: 5_000, threshold: 0.1, inclusive: false }]],
    forMs: 30_000,
  });
  assert.is(evaluation.pendingAtMs, 1_000);
  assert.is(evaluation.firingAtMs, null);
  // 3 bad seconds in a 5 s window exceed 10% until the last leaves it.
  assert.is(evaluation.resolvedAtMs, 8_000);
  assert.is(evaluation.heldMs, 7_000);
});

test('followed past the drill: a `for:` ending while the long window still burns fires after the drill', () => {
  const evaluation = evaluateRule({
    buckets: buckets(20, (second) => second >= 5),
    bucketMs: 1_000,
    faultOffsetMs: 5_000,
    alternatives: [[{ windowMs: 60_000, threshold: 0.05, inclusive: false }]],
    forMs: 30_000,
  });
  assert.is(evaluation.pendingAtMs, 4_000);
  assert.is(evaluation.firingAtMs, 34_000);
  assert.is(evaluation.firingAfterDrill, true);
});

test('either alternative fires the rule; a pending that lets go before `for` starts afresh', () => {
  const evaluation = evaluateRule({
    buckets: buckets(40, (second) => (second >= 2 && second < 4) || (second >= 10 && second < 30)),
    bucketMs: 1_000,
    faultOffsetMs: 0,
    alternatives: [
      [{ windowMs: 2_000, threshold: 0.9, inclusive: true }],
      [{ windowMs: 1_000_000, threshold: 0.99, inclusive: false }],
    ],
    forMs: 5_000,
  });
  // The 2 s window is all bad at the end of second 4 only: held 1 s (< 5 s). The second activation begins at 12 s
  // and fires 5 s later; the other alternative (99% of 1000 s) never holds.
  assert.is(evaluation.pendingAtMs, 4_000);
  assert.is(evaluation.firingAtMs, 17_000);
  assert.is(evaluation.resolvedAtMs, 31_000);
});

// ---------------------------------------------------------------- reading Prometheus's answers

test('counter increases per step: resets count from zero, gaps give their increase where the series returns', () => {
  const steps = [0, 1000, 2000, 3000, 4000, 5000];
  const totals = increasesPerStep(
    [
      [
        [0, 100],
        [1000, 110],
        [2000, 130],
        [4000, 5], // restarted: missing at 3000, then counting from zero
        [5000, 9],
      ],
      // Born during the window: its first value counts.
      [
        [3000, 7],
        [4000, 8],
      ],
      // Present at the first step: its value there is only the base.
      [
        [0, 50],
        [5000, 50],
      ],
    ],
    steps,
  );
  assert.equal(totals, [0, 10, 20, 7, 6, 4]);
});

test('ALERTS samples folded into one record per alert: runs of evaluations, and where each activation began', () => {
  const labels = { alertname: 'OrdersFastBurn', severity: 'page' };
  const instances = alertInstances(
    [
      {
        labels: { __name__: 'ALERTS', alertstate: 'pending', ...labels },
        points: [
          [1000, 1],
          [2000, 1],
          [3000, 1],
        ],
      },
      {
        labels: { __name__: 'ALERTS', alertstate: 'firing', ...labels },
        points: [
          [4000, 1],
          [5000, 1],
          [9000, 1],
        ],
      },
      {
        labels: { __name__: 'ALERTS', alertstate: 'pending', alertname: 'Other', severity: 'ticket' },
        points: [],
      },
    ],
    [
      // Its value is the activation time to the second; its first sample of each value is the activation exactly.
      {
        labels: { __name__: 'ALERTS_FOR_STATE', ...labels },
        points: [
          [1000, 0],
          [2000, 0],
          [3000, 0],
          [4000, 0],
          [5000, 0],
          [9000, 9],
        ],
      },
    ],
    1_000,
  );
  assert.equal(instances, [
    {
      alertname: 'OrdersFastBurn',
      labels: { severity: 'page' },
      pending: [[1000, 3000]],
      firing: [
        [4000, 5000],
        [9000, 9000],
      ],
      activeSince: [1000, 9000],
    },
  ]);
});

test.run();
