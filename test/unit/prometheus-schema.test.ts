import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateExperiment } from '../../src/experiment/validate';
import { judge } from '../../src/probes/prometheus';
import { repoRoot } from '../support/cli';
import { issuesOf } from '../support/validation';

/** What asks Prometheus, validated before anything runs: which target has one, which rules it evaluates, the PromQL. */

const lab = { name: 'x', traffic: { kind: 'http', endpoint: 'app' } };
const endpoints = {
  name: 'x',
  target: { kind: 'endpoints', endpoints: { api: 'http://127.0.0.1:9/' } },
  traffic: { kind: 'http', endpoint: 'api' },
};
const withPrometheus = {
  ...endpoints,
  target: {
    ...endpoints.target,
    prometheus: { url: 'https://mimir.example.com/prometheus', headers: { 'X-Scope-OrgID': 'payments' } },
  },
};
const rules = path.join(repoRoot, 'experiments', 'slo', 'orders-fast-burn.yml');
const slo = { name: 'orders', sli: 'availability', objective: '99.9%' };

test('the lab evaluates the rule files given, relative to the experiment, with the only SLO to compare', () => {
  const experiment = validateExperiment(
    { ...lab, slos: [slo], alerts: { rules: ['slo/orders-fast-burn.yml'] } },
    path.join(repoRoot, 'experiments', 'inline.ts'),
  );
  assert.equal(experiment.alerts, { rules: [rules], slo: 'orders' });
});

test("a team's server is read: its rules and interval are its own", () => {
  assert.equal(issuesOf({ ...withPrometheus, alerts: {} }), []);
  assert.equal(issuesOf({ ...withPrometheus, alerts: { rules: [rules], evaluationInterval: '5s' } }), [
    'alerts.rules: your server evaluates the rules deployed on it; gameday reads them from its /api/v1/rules ' +
      '(leave rules out)',
    "alerts.evaluationInterval: is your server's own (its rule groups' interval); leave it out",
  ]);
});

test('what asks Prometheus needs a target that has one', () => {
  const none = "needs a Prometheus to ask: target 'endpoints' names none (give target.prometheus: { url })";
  assert.equal(
    issuesOf({
      ...endpoints,
      alerts: {},
      probes: [{ kind: 'prometheus', query: 'up' }],
      slos: [{ name: 'a', sli: 'promql', objective: 99, good: 'good_total', total: 'all_total' }],
      stopConditions: [{ kind: 'promql', query: 'up == 0' }],
    }),
    [`probes[0]: ${none}`, `stopConditions[0]: ${none}`, `slos[0].sli: ${none}`, `alerts: ${none}`],
  );
});

test('the lab needs rule files, evaluated at most once a second, and an SLO named when there are several', () => {
  assert.equal(issuesOf({ ...lab, alerts: {} }), [
    "alerts.rules: the lab's Prometheus evaluates the rule files you give: name at least one",
  ]);
  assert.equal(issuesOf({ ...lab, alerts: { rules: [rules], evaluationInterval: '500ms' } }), [
    'alerts.evaluationInterval: must be at least 1s (Prometheus evaluates rules at most once a second)',
  ]);
  assert.equal(issuesOf({ ...lab, slos: [slo, { ...slo, name: 'fast' }], alerts: { rules: [rules] } }), [
    "alerts.slo: name the SLO whose requests gameday evaluates the rules' windows on: one of orders, fast",
  ]);
  assert.equal(issuesOf({ ...lab, slos: [slo], alerts: { rules: [rules], slo: 'nope' } }), [
    'alerts.slo: unknown SLO "nope"; slos has: orders',
  ]);
});

test('a rule file missing, or rejected by promtool, is said at its place in alerts.rules', () => {
  assert.match(
    issuesOf({ ...lab, alerts: { rules: ['no-such.yml'] } })[0],
    /^alerts\.rules\[0\]: no-such\.yml: no such file \(looked for .*no-such\.yml\)$/,
  );
  const rejected = path.join(repoRoot, 'test', 'fixtures', 'invalid', 'support', 'rejected-rules.yml');
  assert.match(
    issuesOf({ ...lab, alerts: { rules: [rejected] } })[0],
    /^alerts\.rules\[0\]: .*rejected-rules\.yml: Prometheus rejects it: .*OrdersFastBurn.*unclosed left parenthesis/,
  );
});

test('PromQL is checked where it is written', () => {
  assert.equal(
    issuesOf({
      ...withPrometheus,
      probes: [{ kind: 'prometheus', query: 'rate(x[5m)' }],
      stopConditions: [{ kind: 'promql', query: 'up ==' }],
    }).map((issue) => issue.replace(/ \(at character.*$/, '')),
    [
      'probes[0].query: not valid PromQL: unexpected ")", expected "]"',
      'stopConditions[0].query: not valid PromQL: unexpected end of the expression',
    ],
  );
});

test('a PromQL SLI: good and total, no probe or threshold; no burnRate guard (Prometheus counts it afterwards)', () => {
  assert.equal(
    issuesOf({
      ...withPrometheus,
      slos: [
        { name: 'a', sli: 'promql', objective: 99, probe: 'traffic', threshold: '1s' },
        { name: 'b', sli: 'availability', objective: 99, good: 'x' },
        { name: 'c', sli: 'promql', objective: 99, good: 'g_total', total: 't_total' },
      ],
      stopConditions: [{ kind: 'burnRate', slo: 'c', above: 10 }],
    }),
    [
      "slos[0].threshold: only a latency SLI takes threshold; use sli: 'latency'",
      'slos[0].good: a PromQL SLI needs good and total: counters of good events and of all events (e.g. ' +
        'http_requests_total{code!~"5.."})',
      'slos[0].total: a PromQL SLI needs good and total: counters of good events and of all events (e.g. ' +
        'http_requests_total)',
      'slos[0].probe: a PromQL SLI counts what Prometheus counts, not a probe; leave probe out',
      "slos[1].good: only sli: 'promql' takes good and total",
      'stopConditions[0].slo: SLO "c" is counted by Prometheus once the run ends; guard the drill with a promql stop ' +
        "condition instead (e.g. { kind: 'promql', query: '<error ratio> > 0.5' })",
    ],
  );
});

test('grafana annotations: url and token required, extra fields refused', () => {
  assert.equal(issuesOf({ ...lab, annotations: { grafana: { url: 'https://grafana.example.com', token: 'x' } } }), []);
  assert.equal(issuesOf({ ...lab, annotations: { grafana: { url: 'grafana', token: '', folder: 'x' } } }), [
    'annotations.grafana.url: expected an http:// or https:// URL',
    'annotations.grafana.token: must not be empty',
    'annotations.grafana: unknown field "folder"; valid fields: url, token, dashboardUID, tags',
  ]);
});

test("the prometheus probe's judgement: every series, at least one unless it expects none", () => {
  const series = (value: number, region: string) => ({ labels: { __name__: 'lag', region }, value });
  assert.equal(judge({ below: 1 }, [series(0.2, 'eu-west-1'), series(0.5, 'ap-southeast-2')]), {
    ok: true,
    value: '{region="eu-west-1"} 0.2, {region="ap-southeast-2"} 0.5',
  });
  assert.equal(judge({ below: 1 }, [series(0.2, 'eu-west-1'), series(3.25, 'ap-southeast-2')]), {
    ok: false,
    error: 'expected below 1: {region="ap-southeast-2"} 3.25',
    value: '{region="eu-west-1"} 0.2, {region="ap-southeast-2"} 3.25',
  });
  assert.equal(judge({ below: 1 }, []), { ok: false, error: 'the query returned no series', value: 'no series' });
  assert.equal(judge({ empty: true }, []), { ok: true, value: 'no series' });
  assert.equal(judge(undefined, [{ labels: {}, value: 2 }]), { ok: true, value: '2' });
  assert.is(judge({ equals: 1 }, [series(1, 'a')]).ok, true);
  assert.is(judge({ above: 1 }, [series(1, 'a')]).ok, false);
});

test.run();
