/**
 * The acceptance of the k6 probe's measurements, no k6 and no lab: the real k6 output of
 * test/fixtures/k6/xk6-dashboard-camel-snake goes through the probe's own parser and
 * encoder into a journal, and the summary folded from that journal must give the RTO and
 * error counts a hand count of the same fixture gives — each k6 scenario, each request
 * name and the probe as a whole. The hand count reads the raw lines with JSON.parse, builds
 * each request from its points itself, and finds each recovery by brute force from the
 * definition (measure/rto.ts): the first success after which every window of W anchored at
 * a sample keeps the success ratio.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ExperimentRecord, JournalEvent, JournalEventInput, K6ThresholdRecord } from '../../src/core/events';
import { K6SampleEncoder } from '../../src/probes/k6-encoder';
import { K6PointParser } from '../../src/probes/k6-points';
import { thresholdsOfSummaryExport } from '../../src/probes/k6-summary-export';
import { judge, objectivesOf, renderMarkdown, summarize, type RunSummary } from '../support/analysis';

const fixtures = path.join(__dirname, '..', 'fixtures', 'k6');
const text = fs.readFileSync(path.join(fixtures, 'xk6-dashboard-camel-snake', 'points.ndjson'), 'utf8');
const criteria = { successRatio: 0.95, window: 1000 };

// ---- the hand count: the raw lines, read without the probe's code ----

interface HandRequest {
  start: number;
  ok: boolean;
  scenario: string;
  name: string;
}

/** '2023-08-31T16:45:55.756998753+02:00' → ms, the digits past the millisecond added by hand. */
function wallMs(time: string): number {
  const [, head, digits, zone] = /^(.*\.)(\d+)(.*)$/.exec(time)!;
  return Date.parse(`${head}${digits.slice(0, 3)}${zone}`) + Number(`0.${digits.slice(3) || '0'}`);
}

function handRequests(): HandRequest[] {
  const points = text
    .split('\n')
    .filter((line) => line.includes('"type":"Point"'))
    .map((line) => JSON.parse(line));
  const requests: HandRequest[] = [];
  for (const point of points.filter((p) => p.metric === 'http_reqs')) {
    const same = (metric: string) => points.find((p) => p.metric === metric && p.data.time === point.data.time);
    const failed = same('http_req_failed');
    requests.push({
      start: wallMs(point.data.time) - same('http_req_blocked').data.value - same('http_req_duration').data.value,
      ok: failed ? failed.data.value === 0 : point.data.tags.expected_response === 'true',
      scenario: point.data.tags.scenario,
      name: point.data.tags.name,
    });
  }
  return requests;
}

/** The definition, by brute force: the first success at or after the fault after which every judged window holds. */
function handRto(requests: HandRequest[], tFault: number, end: number) {
  const samples = requests.filter((r) => r.start >= tFault).sort((a, b) => a.start - b.start);
  const holds = (anchor: number) => {
    if (anchor + criteria.window > end) return true; // windows running past the observation are not judged
    const inWindow = samples.filter((s) => s.start >= anchor && s.start < anchor + criteria.window);
    return inWindow.filter((s) => s.ok).length / inWindow.length >= criteria.successRatio;
  };
  const failed = samples.filter((s) => !s.ok).length;
  if (samples.length === 0) return { ms: null, recovered: null, failed };
  if (samples.every((s) => holds(s.start))) return { ms: 0, recovered: true, failed };
  for (const [index, candidate] of samples.entries())
    if (candidate.ok && samples.slice(index).every((s) => holds(s.start)))
      return { ms: candidate.start - tFault, recovered: true, failed };
  return { ms: null, recovered: false, atLeastMs: samples.at(-1)!.start - tFault, failed };
}

// ---- the journal the probe would write, through its own parser and encoder ----

const hand = handRequests();
const firstStart = Math.min(...hand.map((r) => r.start));
const lastStart = Math.max(...hand.map((r) => r.start));
// A fault a second into the recording, before the first 404; the observation ends a window past the last request.
const tFault = firstStart + 1000;
const t0 = firstStart - 100;
const end = lastStart + criteria.window;

function journal(finished: Partial<Extract<JournalEventInput, { type: 'k6.finished' }>> = {}): JournalEvent[] {
  const spec: ExperimentRecord = {
    recordVersion: 1,
    name: 'k6-fixture',
    hypothesis: { recovery: criteria },
    traffic: { name: 'traffic', rate: 20 },
    slos: [],
    duration: end - t0,
  };
  const inputs: Array<[number, JournalEventInput]> = [
    [
      t0 - 1000,
      {
        type: 'run.started',
        runId: 'k6-fixture',
        runDir: '/tmp/k6-fixture',
        experiment: 'k6-fixture',
        file: 'k6-fixture.ts',
        description: '',
        target: { kind: 'endpoints' },
        gamedayVersion: 'test',
        pid: 1,
        host: 'test',
        spec,
      },
    ],
    [t0 - 900, { type: 'probe.started', probe: 'shop', kind: 'k6', url: '/scripts/script.js', rate: 0 }],
    [t0, { type: 'observe.started', t0, durationMs: end - t0 }],
  ];
  const parser = new K6PointParser();
  // k6's wall clock is the test's clock here: no offset, so the hand count's times are the journal's.
  const encoder = new K6SampleEncoder(0);
  // Read as the probe reads k6's file as it grows: a piece at a time, one k6.samples event per piece.
  const piece = 8192;
  for (let at = 0; at <= text.length; at += piece) {
    const records =
      at + piece > text.length
        ? [...parser.write(text.slice(at)), ...parser.end()]
        : parser.write(text.slice(at, at + piece));
    const requests = records.flatMap((record) => (record.kind === 'request' ? [encoder.request(record).row] : []));
    if (requests.length === 0) continue;
    inputs.push([
      requests.at(-1)![0],
      { type: 'k6.samples', probe: 'shop', tagSets: encoder.takeNewTagSets(), requests, checks: [] },
    ]);
  }
  inputs.push([
    tFault - 10,
    {
      type: 'fault.injecting',
      fault: 'outage',
      kind: 'exec',
      detail: {},
      rollback: { kind: 'exec', command: 'true', timeoutMs: 1000 },
    },
  ]);
  inputs.push([tFault, { type: 'fault.injected', fault: 'outage', kind: 'exec', at: tFault }]);
  inputs.push([
    end + 50,
    {
      type: 'k6.finished',
      probe: 'shop',
      exitCode: 105,
      signal: null,
      stoppedBy: 'gameday',
      thresholds: [],
      declared: [],
      malformedLines: 0,
      note: null,
      ...finished,
    },
  ]);
  inputs.push([end + 100, { type: 'run.finished', status: 'passed', reason: 'test' }]);
  return inputs
    .sort((a, b) => a[0] - b[0])
    .map(([t, event], index) => ({ ...event, seq: index + 1, t }) as JournalEvent);
}

function k6Of(summary: RunSummary) {
  const probe = summary.probes.find((candidate) => candidate.probe === 'shop');
  assert.ok(probe?.k6, JSON.stringify(summary.probes));
  return { probe: probe!, k6: probe!.k6! };
}

/**
 * The analysis measures a journey's RTO as the headline's: impact episodes, each recovering at the first success after
 * its last violating window, the longest one a fault caused. The hand count is the first success after which every
 * window holds, which is that when all the failures after the fault are one episode — checked here from the raw
 * lines: after each failure, the next failure comes less than a window after the first success following it.
 */
function assertOneEpisode(requests: HandRequest[], journey: string) {
  const after = requests.filter((r) => r.start >= tFault).sort((a, b) => a.start - b.start);
  after.forEach((request, index) => {
    if (request.ok) return;
    const nextFailure = after.slice(index + 1).find((r) => !r.ok);
    const nextSuccess = after.slice(index + 1).find((r) => r.ok);
    if (nextFailure && nextSuccess)
      assert.ok(nextFailure.start < nextSuccess.start + criteria.window, `${journey}: one episode`);
  });
}

function assertJourney(summary: RunSummary, journey: string, requests: HandRequest[]) {
  const found = summary.journeys.find((candidate) => candidate.name === journey);
  assert.ok(found, `journey ${journey} in ${summary.journeys.map((j) => j.name).join(', ')}`);
  assert.is(found!.probe, 'shop');
  assertOneEpisode(requests, journey);
  const expected = handRto(requests, tFault, end);
  assert.is(found!.samples, requests.length, `${journey}: requests`);
  assert.is(found!.failed, requests.filter((r) => !r.ok).length, `${journey}: failed requests`);
  assert.is(found!.rto.recovered, expected.recovered, `${journey}: recovered`);
  if (expected.recovered !== null && expected.ms !== 0)
    assert.is(found!.rto.failedRequests, expected.failed, `${journey}: failed in its outage`);
  // The journal keeps times to 0.1 ms and the summary rounds to the ms: within 1 ms of the hand count.
  if (expected.recovered === null) assert.is(found!.rto.note, 'no samples after the fault', journey);
  else if (expected.recovered)
    assert.ok(Math.abs(found!.rto.ms! - expected.ms!) <= 1, `${journey}: RTO ${found!.rto.ms} vs ${expected.ms}`);
  else
    assert.ok(
      Math.abs(found!.rto.atLeastMs! - expected.atLeastMs!) <= 1,
      `${journey}: at least ${found!.rto.atLeastMs}`,
    );
  return { found: found!, expected };
}

test('the probe as a whole: its requests and errors, and its RTO, as the hand count gives them', () => {
  const summary = summarize(journal());
  const { probe } = k6Of(summary);
  assert.is(probe.requests, 32);
  assert.is(probe.errors, hand.filter((r) => !r.ok).length);
  assert.is(probe.errors, 10);
  const { expected } = assertJourney(summary, 'shop', hand);
  assert.ok(expected.recovered && expected.ms! > 1000, 'the fixture does recover, seconds after the fault');
});

test('each k6 scenario is a journey <probe>.<scenario>: its requests, errors and RTO, as the hand count gives', () => {
  const summary = summarize(journal());
  const scenarios = [...new Set(hand.map((r) => r.scenario))].sort();
  assert.equal(scenarios, ['camel', 'snake']);
  for (const scenario of scenarios) {
    const { expected } = assertJourney(
      summary,
      `shop.${scenario}`,
      hand.filter((r) => r.scenario === scenario),
    );
    assert.ok(expected.failed === 5 && expected.recovered, `${scenario}: five 404s, then recovered`);
  }
});

test('each request name is a journey: the misspelt URL never recovers before the file ends, others never fail', () => {
  const summary = summarize(journal());
  const names = [...new Set(hand.map((r) => r.name))];
  assert.is(names.length, 5);
  for (const name of names)
    assertJourney(
      summary,
      `shop.${name}`,
      hand.filter((r) => r.name === name),
    );
  const misspelt = summary.journeys.find((j) => j.name === 'shop.http://test-api.k6.io/public/crocodiels/${}')!;
  assert.is(misspelt.rto.recovered, false);
  assert.is(misspelt.failed, 10);
  const home = summary.journeys.find((j) => j.name === 'shop.https://test-api.k6.io/')!;
  assert.equal([home.failed, home.rto.ms], [0, 0]);
});

test('the journeys in summary.json order: the traffic, the probe, its scenarios, request names by frequency', () => {
  const names = summarize(journal()).journeys.map((journey) => journey.name);
  assert.equal(names.slice(0, 5), [
    'traffic',
    'shop',
    'shop.camel',
    'shop.snake',
    'shop.http://test-api.k6.io/public/crocodiels/${}',
  ]);
});

test('an RTO objective on a k6 scenario judges that journey', () => {
  const events = journal().map((event) =>
    event.type === 'run.started'
      ? {
          ...event,
          spec: { ...event.spec, hypothesis: { ...event.spec.hypothesis, rtoByJourney: { 'shop.camel': 1000 } } },
        }
      : event,
  ) as JournalEvent[];
  const summary = summarize(events);
  const camel = summary.journeys.find((journey) => journey.name === 'shop.camel')!;
  assert.equal([camel.rto.objectiveMs, camel.rto.met], [1000, false]);
  assert.is(judge(summary).status, 'failed');
  assert.match(judge(summary).reason, /shop\.camel/);
});

test("k6's own verdict: stopped by gameday with its thresholds held is met; crossed ones fail the run, named", () => {
  const held = summarize(
    journal({ thresholds: [{ metric: 'http_req_duration', threshold: 'p(90) < 400', ok: true }] }),
  );
  assert.is(k6Of(held).k6.met, true);
  assert.is(judge(held).status, 'passed');
  const objective = objectivesOf(held).find((candidate) => candidate.id === 'k6.shop');
  assert.equal(
    [objective?.met, objective?.measured],
    [true, 'stopped by gameday at the end of the observation; 1 held'],
  );

  const exported = JSON.parse(fs.readFileSync(path.join(fixtures, 'k6-summary-export', 'summary-export.json'), 'utf8'));
  const thresholds: K6ThresholdRecord[] = thresholdsOfSummaryExport(exported);
  const crossed = summarize(journal({ exitCode: 99, stoppedBy: 'k6', thresholds }));
  const verdict = judge(crossed);
  assert.is(verdict.status, 'failed');
  assert.is(
    verdict.reason,
    'k6 shop: thresholds crossed: http_reqs rate<100, my_trend my_trend<1000 (k6 exit 99: thresholds crossed)',
  );
  assert.match(renderMarkdown(crossed), /\| k6 shop: thresholds and exit \| thresholds crossed: http_reqs rate<100/);
});

test('report.md lists every journey of the k6 probe with its RTO', () => {
  const markdown = renderMarkdown(summarize(journal()));
  assert.match(markdown, /\| shop\.camel \| 16 \| 5 \| 68\.8% \| [\d.]+ ms \| 4\.0\ds \| — \|/);
  assert.match(
    markdown,
    new RegExp(
      String.raw`\| shop\.http://test-api\.k6\.io/public/crocodiels/\$\{\} \| 20 \| 10 \| 50\.0% \| .* \| ` +
        String.raw`not recovered \(≥ [\d.]+s\) \| — \|`,
    ),
  );
});

test.run();
