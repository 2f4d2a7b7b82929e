/**
 * The k6 JSON-output parser on real k6 output (test/fixtures/k6/, each with its SOURCE.md):
 * every figure is checked against what the test reads from the raw lines itself, one JSON
 * line at a time, without the parser.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { K6PointParser, parseK6Time, type K6Record } from '../../src/probes/k6-points';

const fixtures = path.join(__dirname, '..', 'fixtures', 'k6');
const read = (name: string) => fs.readFileSync(path.join(fixtures, name, 'points.ndjson'), 'utf8');
const twoScenarios = read('xk6-dashboard-camel-snake');

interface RawPoint {
  type: string;
  metric: string;
  data: { time: string; value: number; tags: Record<string, string> | null; name?: string; thresholds?: string[] };
}
const rawLines = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as RawPoint);

function parseAll(text: string, chunk = text.length, regionTag = 'region'): K6Record[] {
  const parser = new K6PointParser({ regionTag });
  const records: K6Record[] = [];
  for (let at = 0; at < text.length; at += chunk) records.push(...parser.write(text.slice(at, at + chunk)));
  return [...records, ...parser.end()];
}
const requestsOf = (records: K6Record[]) =>
  records.filter((record): record is Extract<K6Record, { kind: 'request' }> => record.kind === 'request');

test('every http_reqs point is one request, with the scenario, name and group of its tags', () => {
  const raw = rawLines(twoScenarios).filter((line) => line.type === 'Point' && line.metric === 'http_reqs');
  const requests = requestsOf(parseAll(twoScenarios));
  assert.is(requests.length, raw.length);
  assert.is(requests.length, 32);
  requests.forEach((request, index) => {
    const tags = raw[index].data.tags!;
    assert.is(request.scenario, tags.scenario);
    assert.is(request.name, tags.name);
    assert.is(request.group, tags.group);
    assert.is(request.status, Number(tags.status));
    assert.is(request.error, tags.error_code ?? '');
  });
  assert.equal([...new Set(requests.map((request) => request.scenario))].sort(), ['camel', 'snake']);
});

test("ok is the request's http_req_failed point; the one the file cuts off before it is judged by its tags", () => {
  const failedByTime = new Map<string, number>();
  const raw = rawLines(twoScenarios).filter((line) => line.type === 'Point');
  for (const line of raw) if (line.metric === 'http_req_failed') failedByTime.set(line.data.time, line.data.value);
  const requests = requestsOf(parseAll(twoScenarios));
  const reqs = raw.filter((line) => line.metric === 'http_reqs');
  let judgedByFailed = 0;
  requests.forEach((request, index) => {
    const failed = failedByTime.get(reqs[index].data.time);
    if (failed !== undefined) {
      judgedByFailed++;
      assert.is(request.ok, failed === 0, `request ${index}`);
    } else assert.is(request.ok, reqs[index].data.tags!.expected_response === 'true');
  });
  assert.is(judgedByFailed, 31, 'the last request lost its http_req_failed point to the cut');
  assert.is(requests.filter((request) => !request.ok).length, 10);
  assert.ok(
    requests.filter((request) => !request.ok).every((request) => request.status === 404 && request.error === '1404'),
  );
});

test('latency is http_req_duration; a request starts its blocked and duration times before its points', () => {
  const raw = rawLines(twoScenarios).filter((line) => line.type === 'Point');
  const valueOf = (metric: string, time: string) =>
    raw.find((line) => line.metric === metric && line.data.time === time)!.data.value;
  const reqs = raw.filter((line) => line.metric === 'http_reqs');
  requestsOf(parseAll(twoScenarios)).forEach((request, index) => {
    const time = reqs[index].data.time;
    const duration = valueOf('http_req_duration', time);
    assert.is(request.latencyMs, duration);
    assert.is(request.endedAt, parseK6Time(time));
    assert.ok(Math.abs(request.startedAt - (request.endedAt - valueOf('http_req_blocked', time) - duration)) < 1e-6);
  });
});

test('read in pieces of any size, split inside lines and characters, the records are the same', () => {
  const whole = parseAll(twoScenarios);
  for (const chunk of [1, 7, 100, 4096]) assert.equal(parseAll(twoScenarios, chunk), whole, `pieces of ${chunk}`);
});

test('a line being written is kept until its newline arrives', () => {
  const parser = new K6PointParser();
  const firstRequest = twoScenarios.indexOf('{"metric":"http_reqs"');
  const cut = twoScenarios.indexOf('"value"', firstRequest);
  const before = parser.write(twoScenarios.slice(0, cut));
  assert.is(requestsOf(before).length, 0);
  assert.not.ok(before.some((record) => record.kind === 'malformed'));
  const after = [...parser.write(twoScenarios.slice(cut)), ...parser.end()];
  assert.is(requestsOf(after).length, 32);
});

test('the thresholds each Metric line declares', () => {
  const metrics = parseAll(twoScenarios).filter((record) => record.kind === 'metric');
  const declared = metrics.filter((metric) => metric.thresholds.length > 0);
  const raw = rawLines(twoScenarios).filter((line) => line.type === 'Metric' && line.data.thresholds!.length > 0);
  assert.equal(
    declared.map(({ metric, thresholds }) => [metric, thresholds]),
    raw.map((line) => [line.metric, line.data.thresholds]),
  );
  assert.equal(declared.map((metric) => metric.metric).sort(), ['http_req_duration', 'iteration_duration']);
});

test("k6's documented lines: the older key order, null tags, a lone http_req_duration ignored", () => {
  const records = parseAll(read('k6-docs'));
  assert.equal(records, [
    { kind: 'metric', metric: 'vus', thresholds: [] },
    { kind: 'metric', metric: 'http_req_duration', thresholds: ['avg<1000'] },
  ]);
});

test('a check shares its request’s time (Windows clock) and is still read apart from it', () => {
  const records = parseAll(read('keycloak-token-check'));
  const requests = requestsOf(records);
  assert.is(requests.length, 1);
  assert.is(requests[0].ok, true);
  assert.is(requests[0].latencyMs, 57.0746);
  assert.is(requests[0].scenario, 'default');
  const checks = records.filter((record) => record.kind === 'check');
  assert.equal(checks, [
    {
      kind: 'check',
      at: parseK6Time('2025-06-02T18:44:55.8795741+02:00')!,
      ok: true,
      check: 'status is 200',
      scenario: 'default',
      group: '',
    },
  ]);
});

test("the region is the request's region tag, when the script sets one", () => {
  const requests = requestsOf(parseAll(read('keycloak-token-check'), 4096, 'myTag'));
  assert.is(requests[0].region, 'authorize');
  assert.is(requestsOf(parseAll(read('keycloak-token-check')))[0].region, '');
});

test('a torn or foreign line is reported with its number, and the lines around it still read', () => {
  const lines = twoScenarios.split('\n');
  const torn = [lines[0], lines[1].slice(0, 40), ...lines.slice(2)].join('\n');
  const records = parseAll(torn);
  assert.equal(
    records.filter((record) => record.kind === 'malformed'),
    [{ kind: 'malformed', line: 2, reason: 'not JSON' }],
  );
  assert.is(requestsOf(records).length, 31, 'the torn line was the first request: 31 remain');
});

test('k6 times: nanoseconds and offsets kept, anything else refused', () => {
  assert.is(parseK6Time('2023-08-31T16:45:55.756998753+02:00'), Date.UTC(2023, 7, 31, 14, 45, 55) + 756.998753);
  assert.is(parseK6Time('2025-06-02T18:44:55.8795741+02:00'), Date.UTC(2025, 5, 2, 16, 44, 55) + 879.5741);
  assert.is(parseK6Time('2026-01-01T00:00:00Z'), Date.UTC(2026, 0, 1));
  assert.is(parseK6Time('yesterday'), null);
  assert.is(parseK6Time('2026-01-01 00:00:00'), null);
});

test.run();
