import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  constantValue,
  describePromqlError,
  parsePromql,
  PromqlSyntaxError,
  walkPromql,
  type PromqlNode,
} from '../../src/prometheus/promql';

/**
 * Expressions as teams write them — Sloth's, Pyrra's and slo-libsonnet's generated rules,
 * kube-prometheus mixins, the Prometheus docs' examples — must all parse: validation may
 * never refuse a query Prometheus would take.
 */
const valid = [
  'up',
  'up == 0',
  'http_requests_total{job="api",code=~"5.."}',
  '{__name__="up", job!=""}',
  'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
  '(sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[5m])))\n/\n' +
    '(sum(rate(http_request_duration_seconds_count{job="myservice"}[5m])))',
  '(max(slo:sli_error:ratio_rate5m{sloth_id="x", sloth_service="y", sloth_slo="z"} > (14.4 * 0.001)) without ' +
    '(sloth_window) and max(slo:sli_error:ratio_rate1h{sloth_id="x"} > (14.4 * 0.001)) without (sloth_window)) or ' +
    '(max(slo:sli_error:ratio_rate30m{sloth_id="x"} > (6 * 0.001)) without (sloth_window) and ' +
    'max(slo:sli_error:ratio_rate6h{sloth_id="x"} > (6 * 0.001)) without (sloth_window))',
  'sum_over_time(slo:sli_error:ratio_rate5m{sloth_id="x"}[30d]) / ignoring (sloth_window) ' +
    'count_over_time(slo:sli_error:ratio_rate5m{sloth_id="x"}[30d])',
  'sum(myapp_request_seconds_count:burnrate5m{job="prometheus"}) > (14.40 * (1-0.99900)) and ' +
    'sum(myapp_request_seconds_count:burnrate1h{job="prometheus"}) > (14.40 * (1-0.99900))',
  '1 - (sum by (probe_url) (sum_over_time(probe_success{}[5m])) / sum by (probe_url) ' +
    '(count_over_time(probe_success{}[5m]))) > (14.4 * (1 - 0.9995)) and sum by (probe_url) ' +
    '(count_over_time(probe_success{}[5m])) > 5',
  'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))',
  'topk(5, sum by (a, b) (x))',
  'sum(x) by (a)',
  'count_values("version", build_version)',
  'quantile(0.9, x) without (instance)',
  'rate(x[5m] offset 1h)',
  'rate(x[5m] offset -1h)',
  'max_over_time(deriv(rate(x[1m])[5m:1m])[10m:])',
  'x @ 1609746000',
  'x[5m] @ end()',
  'a * on(foo) group_left(bar) b',
  'a / ignoring(code) group_right b',
  'a + on() group_left sum(b)',
  'x > bool 1',
  'label_replace(up, "foo", "$1", "job", "(.*)")',
  'absent(up{job=`raw\\string`})',
  "up{job='single'}",
  'sum without (instance) (rate(x[1h30m]))',
  'x unless on() y',
  'atan2(x, 1) or vector(0)',
  'x atan2 y',
  '-2 ^ 2',
  '2 ^ 3 ^ 2',
  'up == 0 # a comment\n',
  ':recording:rule',
  'Inf',
  '-Inf',
  'NaN',
  '0x1F',
  '1e-3',
  '.5',
  'x{a=~"(?i)foo"}',
  'x{"quoted.label"="v"}',
  'predict_linear(node_filesystem_free_bytes[6h], 4 * 3600) < 0',
];

for (const query of valid)
  test(`parses: ${query.replace(/\s+/g, ' ').slice(0, 70)}`, () => {
    parsePromql(query);
  });

const invalid: Array<[string, RegExp]> = [
  ['', /empty expression/],
  ['sum(', /unexpected end of the expression/],
  ['rate(x[5m)', /unexpected "\)", expected "\]"/],
  ['x{a=b}', /expected "a quoted label value"/],
  ['{}', /at least one non-empty matcher/],
  ['{a=""}', /at least one non-empty matcher/],
  ['x[5m][1h]', /ranges only allowed for vector selectors/],
  ['x and bool y', /bool modifier can only be used on comparison operators/],
  ['5m', /unexpected "5m"/],
  ['a +', /unexpected end of the expression/],
  ['(a', /expected "\)"/],
  ['x{a=~"("}', /invalid regular expression/],
  ['"abc', /unterminated string/],
  ['a and group_left b', /no grouping allowed for "and" operation/],
  ['topk(x)', /topk needs a parameter/],
  ['sum(1, x)', /sum takes one expression/],
  ['x $ y', /unexpected character "\$"/],
  ['rate(x[5min])', /expected "a duration like 5m"/],
];

for (const [query, message] of invalid)
  test(`refuses: ${JSON.stringify(query)}`, () => {
    try {
      parsePromql(query);
    } catch (error) {
      assert.instance(error, PromqlSyntaxError);
      assert.match((error as Error).message, message);
      return;
    }
    assert.unreachable(`${query} parsed`);
  });

test('precedence: comparison below arithmetic, and below or, ^ right-associative, unary below ^', () => {
  const shape = (node: PromqlNode): unknown => {
    switch (node.type) {
      case 'binary':
        return [node.op, shape(node.lhs), shape(node.rhs)];
      case 'unary':
        return [`u${node.op}`, shape(node.expr)];
      case 'paren':
        return shape(node.expr);
      case 'number':
        return node.value;
      case 'vector':
        return node.name;
      default:
        return node.type;
    }
  };
  assert.equal(shape(parsePromql('a > 1 * 2 and b or c')), ['or', ['and', ['>', 'a', ['*', 1, 2]], 'b'], 'c']);
  assert.equal(shape(parsePromql('2 ^ 3 ^ 2')), ['^', 2, ['^', 3, 2]]);
  assert.equal(shape(parsePromql('-a ^ 2')), ['u-', ['^', 'a', 2]]);
  assert.equal(shape(parsePromql('a - b - c')), ['-', ['-', 'a', 'b'], 'c']);
  assert.equal(shape(parsePromql('a unless b and c')), ['and', ['unless', 'a', 'b'], 'c']);
});

test('ranges, subqueries and offsets are read in milliseconds', () => {
  const ranges = [...walkPromql(parsePromql('max_over_time(rate(x[1h30m] offset 5m)[1d:10s])'))]
    .filter((node) => node.type === 'matrix' || node.type === 'subquery')
    .map((node) => (node.type === 'matrix' ? ['matrix', node.rangeMs, node.offsetMs] : ['subquery', node.rangeMs]));
  assert.equal(ranges, [
    ['subquery', 86_400_000],
    ['matrix', 5_400_000, 300_000],
  ]);
});

test("a node's span is its text in the source, so a part can be queried alone", () => {
  const query = 'sum(rate(x{code=~"5.."}[5m])) / sum(rate(x[5m])) > (14.4 * (1 - 0.999))';
  const tree = parsePromql(query);
  assert.is(tree.type, 'binary');
  if (tree.type !== 'binary') return;
  assert.is(query.slice(...tree.lhs.span), 'sum(rate(x{code=~"5.."}[5m])) / sum(rate(x[5m]))');
  assert.is(query.slice(...tree.rhs.span), '(14.4 * (1 - 0.999))');
  const trailing = parsePromql('sum(rate(x[5m])) by (job)');
  assert.is('sum(rate(x[5m])) by (job)'.slice(...trailing.span), 'sum(rate(x[5m])) by (job)');
});

test('constants fold; anything reading a series is not one', () => {
  assert.is(constantValue(parsePromql('(14.4 * (1 - 0.999))'))!.toFixed(6), '0.014400');
  assert.is(constantValue(parsePromql('14.4 * 0.001')), 14.4 * 0.001);
  assert.is(constantValue(parsePromql('-(2 ^ 3) + 10 % 4')), -6);
  assert.is(constantValue(parsePromql('scalar(0.5)')), 0.5);
  assert.is(constantValue(parsePromql('x * 2')), null);
  assert.is(constantValue(parsePromql('2 > 1')), null);
});

test('strings unescape as Go does; raw strings keep backslashes', () => {
  const matcher = (query: string) => {
    const node = parsePromql(query);
    return node.type === 'vector' ? node.matchers[0].value : null;
  };
  assert.is(matcher('x{a="tab\\there \\u00e9 \\x41 \\101"}'), 'tab\there é A A');
  assert.is(matcher('x{a=`a\\b`}'), 'a\\b');
});

test('the error message says where, with the text around it', () => {
  const query = 'max(gameday_lab_replication_lag_seconds';
  try {
    parsePromql(query);
  } catch (error) {
    assert.match(
      describePromqlError(error as PromqlSyntaxError, query),
      /^not valid PromQL: unexpected end of the expression, expected "\)" \(at character 40, near "/,
    );
    return;
  }
  assert.unreachable();
});

test.run();
