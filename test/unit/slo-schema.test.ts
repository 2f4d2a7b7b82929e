import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseThreshold, thresholdMet } from '../../src/experiment/thresholds';
import { validateExperiment } from '../../src/experiment/validate';
import { issuesOf } from '../support/validation';

const base = {
  name: 'slo',
  target: { kind: 'endpoints', endpoints: { app: 'http://127.0.0.1:9/' } },
  traffic: { kind: 'http', endpoint: 'app' },
};

const thresholds: Array<[string, { metric: string; op: string; value: number } | RegExp]> = [
  ['budget<5%', { metric: 'budget', op: '<', value: 5 }],
  [' budget <= 0.5% ', { metric: 'budget', op: '<=', value: 0.5 }],
  ['burn<14.4', { metric: 'burn', op: '<', value: 14.4 }],
  ['burn<6x', { metric: 'burn', op: '<', value: 6 }],
  ['alerts<1', { metric: 'alerts', op: '<', value: 1 }],
  ['rto<30s', { metric: 'rto', op: '<', value: 30_000 }],
  ['rpo<=1s', { metric: 'rpo', op: '<=', value: 1_000 }],
  ['budget<5', /percentage/],
  ['burn<0', /above 0/],
  ['alerts<0', /at least 1/],
  ['rto<soon', /duration/],
  ['budget>5%', /expected a threshold/],
  ['latency<5%', /expected a threshold/],
  ['', /expected a threshold/],
];
for (const [text, expected] of thresholds) {
  test(`threshold ${JSON.stringify(text)}`, () => {
    const parsed = parseThreshold(text);
    if (expected instanceof RegExp) {
      assert.type(parsed, 'string');
      assert.match(parsed as string, expected);
    } else {
      assert.type(parsed, 'object');
      const { metric, op, value } = parsed as { metric: string; op: string; value: number };
      assert.equal({ metric, op, value }, expected);
    }
  });
}

test('strict and inclusive comparisons', () => {
  assert.is(thresholdMet({ op: '<', value: 5 }, 5), false);
  assert.is(thresholdMet({ op: '<=', value: 5 }, 5), true);
  assert.is(thresholdMet({ op: '<', value: 5 }, 4.99), true);
});

test('SLOs resolve: percent objective, window and threshold in ms, short and object thresholds', () => {
  const experiment = validateExperiment(
    {
      ...base,
      slos: [
        { name: 'available', sli: 'availability', objective: 99.9, expect: 'budget<5%' },
        {
          name: 'fast',
          sli: 'latency',
          objective: 99,
          threshold: '300ms',
          window: '7d',
          expect: { budget: '10%', burn: 14.4, alerts: false },
        },
      ],
    },
    'x.ts',
  );
  const [available, fast] = experiment.slos;
  assert.is(available.window, 30 * 86_400_000);
  assert.equal(
    available.expect?.map((t) => t.text),
    ['budget<5%'],
  );
  assert.is(fast.threshold, 300);
  assert.equal(
    fast.expect?.map((t) => t.text),
    ['budget<10%', 'burn<14.4', 'alerts<1'],
  );
});

test(
  'hypothesis as a list of short thresholds: rto and rpo become objectives (strict = one ms ' +
    'less), the rest SLO defaults',
  () => {
    const experiment = validateExperiment(
      {
        ...base,
        target: { kind: 'lab' },
        traffic: { kind: 'http', endpoint: 'app' },
        probes: [{ kind: 'ledger', endpoint: 'app' }],
        hypothesis: ['rto<30s', 'rpo<=1s', 'budget<5%', 'burn<14.4'],
        slos: [{ name: 'available', sli: 'availability', objective: 99.9 }],
      },
      'x.ts',
    );
    assert.is(experiment.hypothesis.rto, 29_999);
    assert.is(experiment.hypothesis.rpo, 1_000);
    assert.equal(
      experiment.hypothesis.slo?.map((t) => t.text),
      ['budget<5%', 'burn<14.4'],
    );
  },
);

const invalid: Array<[string, unknown, RegExp]> = [
  [
    'a latency SLI without a threshold',
    { slos: [{ name: 'fast', sli: 'latency', objective: 99 }] },
    /slos\[0\]\.threshold: a latency SLI needs threshold/,
  ],
  [
    'an availability SLI with a threshold',
    { slos: [{ name: 'a', sli: 'availability', objective: 99, threshold: '1s' }] },
    /only a latency SLI takes threshold/,
  ],
  [
    'objective as a fraction of 100 exactly',
    { slos: [{ name: 'a', sli: 'availability', objective: 100 }] },
    /slos\[0\]\.objective: expected the objective as a percentage/,
  ],
  [
    'an unknown SLI',
    { slos: [{ name: 'a', sli: 'throughput', objective: 99 }] },
    /slos\[0\]\.sli: expected one of "availability", "latency", "promql", got "throughput"/,
  ],
  [
    'a bad short threshold',
    { slos: [{ name: 'a', sli: 'availability', objective: 99, expect: ['budget<5%', 'budget>5%'] }] },
    /slos\[0\]\.expect\[1\]: expected a threshold/,
  ],
  [
    'rto as an SLO threshold',
    { slos: [{ name: 'a', sli: 'availability', objective: 99, expect: 'rto<5s' }] },
    /rto is not an SLO threshold/,
  ],
  [
    'an SLO on an unknown probe',
    { slos: [{ name: 'a', sli: 'availability', objective: 99, probe: 'nope' }] },
    /slos\[0\]\.probe: unknown http or k6 probe "nope"; the experiment has: traffic/,
  ],
  [
    'duplicate SLO names',
    {
      slos: [
        { name: 'a', sli: 'availability', objective: 99 },
        { name: 'a', sli: 'availability', objective: 99.9 },
      ],
    },
    /slos\[1\]\.name: duplicate SLO name/,
  ],
  [
    'an alert pair with the short window longer',
    { slos: [{ name: 'a', sli: 'availability', objective: 99, alerts: [{ long: '5m', short: '1h', factor: 14.4 }] }] },
    /alerts\[0\]\.short: the short window must be shorter/,
  ],
  [
    'a burn-rate guard on an unknown SLO',
    { stopConditions: [{ kind: 'burnRate', slo: 'nope', above: 14.4 }] },
    /stopConditions\[0\]\.slo: unknown SLO "nope"; define it in slos/,
  ],
  [
    'a latency guard with percentile 100',
    { stopConditions: [{ kind: 'latency', above: '1s', percentile: 100 }] },
    /stopConditions\[0\]\.percentile: expected a percentile/,
  ],
  ['a duration cap without max', { stopConditions: [{ kind: 'duration' }] }, /stopConditions\[0\]\.max/],
  ['a bad hypothesis list entry', { hypothesis: ['rto<30s', 'uptime>99%'] }, /hypothesis\[1\]: expected a threshold/],
  ['rto twice in the list', { hypothesis: ['rto<30s', 'rto<20s'] }, /hypothesis\[1\]: rto is given twice/],
];
for (const [name, extra, expected] of invalid) {
  test(`invalid: ${name}`, () => {
    const issues = issuesOf({ ...base, ...(extra as object) });
    assert.ok(
      issues.some((issue) => expected.test(issue)),
      `expected ${expected}, got:\n${issues.join('\n')}`,
    );
  });
}

test.run();
