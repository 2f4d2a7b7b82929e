/**
 * Summarising in bounded memory (README "Long drills"): the journal read a chunk at a
 * time, request outcomes kept as columns, per-second and overall percentiles from sorted
 * latencies instead of a histogram per second. Each figure is checked against the way it
 * was computed before (objects, a LatencyHistogram per second and per probe, a whole-file
 * read), on the captured journals and on a synthetic long drill with out-of-order rows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { digestOfFile } from '../../src/core/digest';
import type { JournalEvent, SampleRow } from '../../src/core/events';
import { forEachJournalEvent, readJournal } from '../../src/core/journal';
import { RunSummarizer, summarize } from '../../src/analysis/summarize';
import { histogramPercentiles, histogramSummary, LatencyHistogram } from '../../src/measure/histogram';
import { summarizeLatency } from '../../src/measure/percentiles';
import { SampleColumns } from '../../src/measure/sample-columns';
import { TimelineBuilder } from '../../src/measure/timeline';
import { regionShareChart, timelineChart } from '../../src/report/html/charts';
import { writePrettyJson } from '../../src/report/json-file';
import { seeded, writeSyntheticJournal } from '../../bench/synthetic-journal';

const fixtureDir = path.join(__dirname, '..', 'fixtures', 'journals');
const fixtures = fs
  .readdirSync(fixtureDir)
  .filter((name) => name.endsWith('.ndjson') && name !== 'gameday-no-go.ndjson')
  .map((name) => path.join(fixtureDir, name));

/** The whole-file reader the summary used before: split on newlines, torn lines skipped. */
function readWhole(file: string): JournalEvent[] {
  const events: JournalEvent[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line) as JournalEvent);
    } catch {
      // as before
    }
  }
  return events;
}

const trafficRows = (events: readonly JournalEvent[], probe: string): SampleRow[] =>
  events.flatMap((event) => (event.type === 'traffic.samples' && event.probe === probe ? event.rows : []));

/** A 10-minute drill at 20 req/s from the bench's generator, its rows shuffled within 3 s as a real run's arrive. */
function shuffledSyntheticJournal(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-long-drills-test-'));
  const { file } = writeSyntheticJournal(dir, { durationMs: 10 * 60_000, rate: 20, seed: 7 });
  const random = seeded(11);
  const lines = fs
    .readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as JournalEvent);
  // Move a row into a batch up to three seconds later: a slow request is journaled after quicker ones due later.
  const batches = lines.filter((event) => event.type === 'traffic.samples');
  for (let i = 0; i < batches.length; i++) {
    const rows = (batches[i] as Extract<JournalEvent, { type: 'traffic.samples' }>).rows;
    for (let r = rows.length - 1; r >= 0; r--) {
      const later = i + Math.floor(random() * 4);
      if (later !== i && later < batches.length && random() < 0.1)
        (batches[later] as Extract<JournalEvent, { type: 'traffic.samples' }>).rows.unshift(...rows.splice(r, 1));
    }
  }
  fs.writeFileSync(file, lines.map((event) => JSON.stringify(event)).join('\n') + '\n');
  return file;
}

const synthetic = shuffledSyntheticJournal();
const scratch: string[] = [path.dirname(synthetic)];
test.after(() => {
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});
const journals = [...fixtures, synthetic];

test('the journal read a chunk at a time gives the events a whole-file read gives, on every journal', () => {
  for (const file of journals) {
    const streamed: JournalEvent[] = [];
    forEachJournalEvent(file, (event) => streamed.push(event));
    assert.equal(streamed, readWhole(file), file);
    assert.equal(readJournal(file), streamed, file);
  }
});

test('chunk boundaries: lines longer than a chunk, characters split across chunks, a torn last line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-journal-chunks-'));
  scratch.push(dir);
  const file = path.join(dir, 'journal.ndjson');
  const long = 'é€'.repeat(700_000); // ~3.5 MB of 2- and 3-byte characters: chunks end inside characters
  const events = [
    { seq: 1, t: 1, type: 'note', text: long },
    { seq: 2, t: 2, type: 'note', text: 'short' },
    { seq: 3, t: 3, type: 'note', text: long.slice(0, 1_048_570) },
  ];
  fs.writeFileSync(file, events.map((event) => JSON.stringify(event)).join('\n') + '\n{"seq":4,"t":4,"ty');
  const streamed: unknown[] = [];
  forEachJournalEvent(file, (event) => streamed.push(event));
  assert.equal(streamed, events);
});

test('mentioning: only lines holding a text are parsed, and every event of those types is among them', () => {
  for (const file of journals) {
    const ends: JournalEvent[] = [];
    forEachJournalEvent(file, (event) => ends.push(event), { mentioning: ['"run.finished"', '"observe.started"'] });
    assert.equal(
      ends.filter((event) => event.type === 'run.finished' || event.type === 'observe.started'),
      readWhole(file).filter((event) => event.type === 'run.finished' || event.type === 'observe.started'),
      file,
    );
  }
});

test('digestOfFile: the SHA-256 and length of the whole file, read in chunks', () => {
  const digest = digestOfFile(synthetic);
  const bytes = fs.readFileSync(synthetic);
  assert.equal(digest, { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
});

test('SampleColumns: out-of-order pushes end in the order a stable sort by due time gives', () => {
  const random = seeded(3);
  const samples = Array.from({ length: 5_000 }, (_, i) => ({
    // Due times repeat (ties keep their arrival order) and arrive up to 40 places late.
    t: Math.floor((i + (random() < 0.2 ? -random() * 40 : 0)) / 2),
    ok: random() < 0.9,
    latencyMs: Math.round(random() * 30_000) / 10,
    region: random() < 0.5 ? 'us-east-1' : random() < 0.5 ? 'eu-west-1' : '',
  }));
  const columns = SampleColumns.from(samples);
  assert.equal(
    [...columns],
    [...samples].sort((a, b) => a.t - b.t),
  );
  assert.is(
    columns.lowerBound(100),
    [...samples].sort((a, b) => a.t - b.t).findIndex((sample) => sample.t >= 100),
  );
  const view = columns.slice(10, 20);
  assert.equal([...view], [...columns].slice(10, 20));
  // A prefix left out is a view; anything else a copy; both hold what a filter would.
  const late = columns.where((i) => columns.t[i] >= 1_000);
  assert.equal(
    [...late],
    [...columns].filter((sample) => sample.t >= 1_000),
  );
  const ok = columns.where((i) => columns.ok[i] === 1);
  assert.equal(
    [...ok],
    [...columns].filter((sample) => sample.ok),
  );
});

test('histogramPercentiles: the figures a LatencyHistogram of the same values gives', () => {
  const random = seeded(5);
  for (let trial = 0; trial < 200; trial++) {
    const count = 1 + Math.floor(random() * (trial % 5 === 0 ? 2_000 : 200));
    // Mostly quick, some timeouts and some far slower: every HDR bucket size is reached.
    const values = Array.from({ length: count }, () =>
      random() < 0.05 ? Math.round(random() * 3_000_000) / 10 : Math.round(random() * 800) / 10,
    );
    const histogram = new LatencyHistogram();
    for (const value of values) histogram.record(value);
    const ps = [0, 1, 33.3, 50, 90, 99, 99.9, 100];
    assert.equal(
      histogramPercentiles(values, ps),
      ps.map((p) => histogram.percentile(p)),
      `trial ${trial}`,
    );
    assert.equal(histogramSummary(values), histogram.summary());
  }
  assert.equal(histogramSummary([]), { p50: null, p90: null, p99: null, max: null });
  // Long enough that the values at the ranks are selected without a sorted copy (order-statistics.ts).
  const many = Float64Array.from({ length: 100_000 }, () =>
    random() < 0.05 ? Math.round(random() * 3_000_000) / 10 : Math.round(random() * 800) / 10,
  );
  const histogram = new LatencyHistogram();
  for (const value of many) histogram.record(value);
  const ps = [0, 1, 33.3, 50, 90, 99, 99.9, 100];
  assert.equal(
    histogramPercentiles(many, ps),
    ps.map((p) => histogram.percentile(p)),
    '100,000 values',
  );
});

test('timeline: a bucket lists its regions in the order they were first served in it, as an object filled then', () => {
  const builder = new TimelineBuilder(0, 1_000, [100], { latency: false });
  builder.add(100, 5, true, 'us-east-1');
  builder.add(1_100, 5, true, 'eu-west-1');
  builder.add(1_200, 5, true, 'us-east-1');
  builder.add(-2_500, 5, true, 'eu-west-1');
  builder.add(1_300, 500, true, 'eu-west-1');
  const points = builder.points();
  assert.equal(
    points.map((point) => [point.offsetMs, Object.keys(point.regions), point.slowOrFailed]),
    [
      [-3_000, ['eu-west-1'], [0]],
      [-2_000, [], [0]],
      [-1_000, [], [0]],
      [0, ['us-east-1'], [0]],
      [1_000, ['eu-west-1', 'us-east-1'], [1]],
    ],
  );
  assert.equal(points[4].regions, { 'eu-west-1': 2, 'us-east-1': 1 });
});

test('release: the summarizer empties the request columns and gives their memory back; the summary stays', () => {
  const summarizer = new RunSummarizer();
  forEachJournalEvent(synthetic, (event) => summarizer.add(event));
  const summary = summarizer.result();
  const columns = (summarizer as unknown as { measuredFrom: SampleColumns[] }).measuredFrom.find(
    (candidate) => candidate.length > 0,
  )!;
  const buffers = [columns.t.buffer, columns.latencyMs.buffer];
  // 12,000 requests: 96 KB a column, below the size whose memory is given back at once, so a larger set is made too.
  const large = new SampleColumns(200_000);
  const largeBuffer = large.t.buffer;
  large.release();
  assert.is(largeBuffer.byteLength, 0, 'a large column is shrunk to nothing');
  summarizer.release();
  assert.is(columns.length, 0);
  assert.ok(buffers.every((buffer) => columns.t.buffer !== buffer && columns.latencyMs.buffer !== buffer));
  assert.equal(summarizer.result(), summary);
  const next = readWhole(synthetic)[0];
  assert.throws(() => summarizer.add(next), /released/);
  // Emptied columns may be filled again.
  large.push(1, true, 2, 'us-east-1');
  assert.equal([...large], [{ t: 1, ok: true, latencyMs: 2, region: 'us-east-1' }]);
});

test('streamed summary: per-second timeline and probe latency as histograms per second and per probe gave them', () => {
  for (const file of journals) {
    const events = readWhole(file);
    const observe = events.find((event) => event.type === 'observe.started');
    const summary = summarize(events);
    for (const series of summary.series) {
      const rows = trafficRows(events, series.probe);
      const builder = new TimelineBuilder(observe!.t0, series.bucketMs);
      for (const [t, latencyMs, , ok, , region] of rows) builder.add(t, latencyMs, ok === 1, region);
      const expected = builder.points().map(({ slowOrFailed: _counts, ...point }) => point);
      assert.equal(series.points, expected, `${file}: ${series.probe}`);
    }
    const rows = trafficRows(events, summary.traffic.probe);
    const histogram = new LatencyHistogram();
    for (const row of rows) histogram.record(row[1]);
    assert.equal(summary.traffic.latencyMs, histogram.summary(), file);
    assert.is(summary.traffic.requests, rows.length, file);
  }
});

test('streamed summary: latency by period and the traffic journey, as filtered arrays of objects gave them', () => {
  for (const file of journals) {
    const events = readWhole(file);
    const summary = summarize(events);
    const rows = trafficRows(events, summary.traffic.probe);
    if (rows.length === 0) continue;
    const samples = rows
      .map(([t, latencyMs, , ok, , region]) => ({ t, latencyMs, ok: ok === 1, region }))
      .sort((a, b) => a.t - b.t);
    const t0 = events.find((event) => event.type === 'observe.started')?.t0 ?? null;
    const { firstInjected, lastReverted } = faultSpan(events);
    const observed = t0 === null ? samples : samples.filter((sample) => sample.t >= t0);
    const period = (keep: (t: number) => boolean) => {
      const latencies = observed.filter((sample) => keep(sample.t)).map((sample) => sample.latencyMs);
      return { ...summarizeLatency(latencies), requests: latencies.length };
    };
    assert.equal(
      summary.traffic.latencyByPeriod.beforeFaults,
      period((t) => t < firstInjected),
      file,
    );
    assert.equal(
      summary.traffic.latencyByPeriod.duringFaults,
      period((t) => t >= firstInjected && t < lastReverted),
      file,
    );
    assert.equal(
      summary.traffic.latencyByPeriod.afterFaults,
      period((t) => t >= lastReverted),
      file,
    );
    const journey = summary.journeys.find((entry) => entry.name === summary.traffic.probe)!;
    assert.is(journey.samples, samples.length, file);
    assert.is(journey.failed, samples.filter((sample) => !sample.ok).length, file);
    assert.equal(journey.latencyMs, summarizeLatency(samples.map((sample) => sample.latencyMs)), file);
  }
});

/**
 * From the first fault acting (its fault.injected, or the fault.injecting before it when earlier) to the last fault
 * reverted; the runbook's own changes (kind 'failover') are not faults. Infinity where there is none.
 */
function faultSpan(events: readonly JournalEvent[]): { firstInjected: number; lastReverted: number } {
  const injecting = new Map<string, number>();
  const kinds = new Map<string, string>();
  let firstInjected = Infinity;
  let lastReverted = -Infinity;
  for (const event of events) {
    if (event.type === 'fault.injecting') {
      injecting.set(event.fault, event.t);
      kinds.set(event.fault, event.kind);
    }
    if (event.type === 'fault.injected') {
      firstInjected = Math.min(firstInjected, event.at, injecting.get(event.fault) ?? event.at);
    }
    if (event.type === 'fault.reverted' && kinds.get(event.fault) !== 'failover')
      lastReverted = Math.max(lastReverted, event.at);
  }
  return { firstInjected, lastReverted: lastReverted === -Infinity ? Infinity : lastReverted };
}

test('the summary fed event by event from the chunked reader is the summary of the whole journal', () => {
  for (const file of journals) {
    const summarizer = new RunSummarizer();
    forEachJournalEvent(file, (event) => summarizer.add(event));
    const whole = summarize(readWhole(file));
    const streamed = summarizer.result();
    assert.equal(streamed, whole, file);
  }
});

test('charts of a day-long drill: two points per pixel at most, requests and errors summed, worst second kept', () => {
  const events = readWhole(synthetic);
  const summary = summarize(events);
  const second = summary.series[0].points;
  // The same drill stretched to a day: each point repeated, offsets a second apart.
  const day = Array.from({ length: 86_400 }, (_, i) => ({ ...second[i % second.length], offsetMs: i * 1_000 }));
  const long = { ...summary, series: [{ ...summary.series[0], points: day }] };
  const chart = timelineChart(long)!;
  const layers = (chart as { vconcat: Array<{ layer: Array<{ data?: { values: unknown[] } }> }> }).vconcat;
  const success = layers[0].layer.at(-1)!.data!.values as Array<{ t: number; success: number }>;
  assert.ok(success.length <= 1_360, `${success.length} points`);
  const group = Math.ceil(day.length / 1_360);
  const first = day.slice(0, group);
  const requests = first.reduce((sum, point) => sum + point.requests, 0);
  const errors = first.reduce((sum, point) => sum + point.errors, 0);
  assert.is(success[0].success, (requests - errors) / requests);
  const latency = layers[1].layer.at(-1)!.data!.values as Array<{ t: number; percentile: string; ms: number }>;
  const worstP99 = Math.max(...first.map((point) => point.p99 ?? -Infinity));
  assert.is(latency.find((point) => point.percentile === 'p99' && point.t === 0)!.ms, worstP99);
  const shares = regionShareChart(long)!;
  const rows = (shares as { layer: Array<{ data?: { values: Array<{ requests: number }> } }> }).layer[0].data!.values;
  assert.is(
    rows.reduce((sum, row) => sum + row.requests, 0),
    day.reduce((sum, point) => sum + point.requests, 0),
  );
  // A drill of an hour or less is drawn a point per second, as before.
  const short = timelineChart(summary)!;
  const shortSuccess = (short as typeof chart & { vconcat: typeof layers }).vconcat[0].layer.at(-1)!.data!.values;
  assert.is(shortSuccess.length, second.filter((point) => point.requests > 0).length);
});

test('summary.json written a piece at a time: the bytes JSON.stringify(summary, null, 2) gives', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-json-file-'));
  scratch.push(dir);
  const file = path.join(dir, 'summary.json');
  const awkward = {
    empty: { list: [], object: {} },
    skipped: undefined,
    fn: () => 1,
    list: [undefined, () => 1, null, Number.NaN, -0, 1e21, 'é"\\\n\u2028'],
    when: new Date(0),
    nested: [[{ a: [{}] }], { toJSON: (key: string) => `key ${key}` }],
  };
  for (const value of [...journals.map((journal) => summarize(readWhole(journal))), awkward, [], {}, 'text', 0, null]) {
    writePrettyJson(file, value);
    assert.is(fs.readFileSync(file, 'utf8'), JSON.stringify(value, null, 2) + '\n');
  }
});

test.run();
