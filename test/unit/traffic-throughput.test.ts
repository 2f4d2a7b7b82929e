/**
 * The pure parts of the fast traffic probe: splitting a schedule across worker threads, the
 * deadline queue that replaces a timer per request, the columnar journal rows, the
 * outcome batches workers send, and wrk's report.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SampleRow } from '../../src/core/events';
import { DeadlineQueue } from '../../src/probes/deadlines';
import type { HttpOutcome } from '../../src/probes/http-traffic';
import { OutcomeBatchWriter, readOutcomeBatch } from '../../src/probes/outcome-batch';
import { maxRowsPerBatch, SampleBatcher, SampleColumns } from '../../src/probes/sample-batch';
import { shareOf } from '../../src/probes/shares';
import { workerExecArgv } from '../../src/probes/traffic-workers';
import { httpProbeSchema } from '../../src/probes/http';
import { parseWrk, referenceOf } from '../../bench/traffic';

test('shares: n workers together release exactly the schedule, each evenly spaced', () => {
  for (const [rate, workers] of [
    [1000, 2],
    [30_000, 3],
    [7, 4],
  ]) {
    const interval = 1000 / rate;
    const count = rate; // one second of schedule
    const merged: number[] = [];
    for (let index = 0; index < workers; index++) {
      const share = shareOf(rate, workers, index);
      assert.is(share.rate, rate / workers);
      // Arrivals' own formula for a share: t0 + phase + i / share.rate.
      for (let i = 0; share.phaseMs + i * (1000 / share.rate) < count * interval - 1e-9; i++)
        merged.push(share.phaseMs + i * (1000 / share.rate));
    }
    merged.sort((a, b) => a - b);
    assert.is(merged.length, count, `${workers} shares of ${rate}/s`);
    merged.forEach((due, i) =>
      assert.ok(Math.abs(due - i * interval) < 1e-6, `arrival ${i}: ${due} vs ${i * interval}`),
    );
  }
  assert.equal(shareOf(500, 1, 0), { rate: 500, phaseMs: 0 });
  assert.throws(() => shareOf(100, 0, 0), /workers must be a whole number ≥ 1, got 0/);
  assert.throws(() => shareOf(100, 2, 2), /share index must be 0…1, got 2/);
});

test('workers: a whole number 1–16, default 1, with the field path in the error', () => {
  const base = { kind: 'http' as const, url: 'http://127.0.0.1:9/' };
  assert.is(httpProbeSchema.parse(base).workers, 1);
  assert.is(httpProbeSchema.parse({ ...base, workers: 2 }).workers, 2);
  for (const workers of [0, 1.5, 17, '2']) {
    const result = httpProbeSchema.safeParse({ ...base, workers });
    assert.not.ok(result.success, String(workers));
    assert.equal(result.error!.issues[0].path, ['workers']);
    assert.is(result.error!.issues[0].message, 'expected a whole number of worker threads, 1–16');
  }
});

test('deadline queue: ended exchanges are dropped, running ones expire in order, items are reused', () => {
  const running = new Map<string, number>(); // item → seq of its running exchange
  const isStale = (item: string, seq: number) => running.get(item) !== seq;
  const queue = new DeadlineQueue<string>();
  assert.is(queue.nextDeadline(), null);
  running.set('a', 1);
  queue.push('a', 1, 100);
  running.set('b', 1);
  queue.push('b', 1, 110);
  running.set('c', 1);
  queue.push('c', 1, 120);
  // a ended, and its connection took a new exchange: the old entry is stale, the new one queued behind.
  running.set('a', 2);
  queue.push('a', 2, 130);
  queue.dropSettled(isStale);
  assert.is(queue.nextDeadline(), 110);
  assert.equal(queue.expire(119, isStale), ['b']);
  running.delete('b');
  assert.equal(queue.expire(125, isStale), ['c']);
  running.delete('c');
  assert.is(queue.length, 1);
  assert.equal(queue.expire(129.9, isStale), []);
  assert.equal(queue.expire(130, isStale), ['a']);
  assert.is(queue.nextDeadline(), null);
  assert.throws(() => {
    queue.push('x', 1, 200);
    queue.push('y', 1, 150);
  }, /earlier than the last queued/);
});

test('deadline queue: stays about as long as what is in flight over many exchanges (compaction keeps order)', () => {
  const queue = new DeadlineQueue<number>();
  const live = new Set<number>();
  const isStale = (item: number) => !live.has(item);
  for (let i = 0; i < 10_000; i++) {
    live.add(i);
    queue.push(i, 0, i);
    if (i >= 5) live.delete(i - 5); // five in flight, answered in order
    queue.dropSettled(isStale);
  }
  assert.is(queue.length, 5);
  assert.equal(queue.expire(9_997, isStale), [9_995, 9_996, 9_997]);
});

test('sample columns: rows come out as the journal carries them, in order, across growth and batches', () => {
  const columns = new SampleColumns();
  const expected: SampleRow[] = [];
  for (let i = 0; i < 3_000; i++) {
    const ok = i % 7 !== 0;
    const error = ok ? '' : i % 2 ? 'TIMEOUT' : 'ECONNREFUSED';
    const region = ok ? (i % 3 ? 'us-east-1' : 'eu-west-1') : '';
    columns.push(1_000_000.123 + i, 1.26 + i / 1000, ok ? 200 : 0, ok, error, region);
    expected.push([
      Math.round((1_000_000.123 + i) * 10) / 10,
      Math.round((1.26 + i / 1000) * 10) / 10,
      ok ? 200 : 0,
      ok ? 1 : 0,
      error,
      region,
    ]);
  }
  assert.is(columns.length, 3_000);
  assert.equal(columns.take(), expected);
  assert.is(columns.length, 0);
  assert.equal(columns.take(), []);
  columns.push(5, 1, 503, false, '', 'eu-west-1');
  assert.equal(columns.take(), [[5, 1, 503, 0, '', 'eu-west-1']]);
});

test('sample columns: a flood of distinct regions is kept exactly, and the table does not grow forever', () => {
  const columns = new SampleColumns();
  for (let i = 0; i < 5_000; i++) columns.push(i, 1, 200, true, '', `region-${i}`);
  const rows = columns.take();
  assert.is(rows[4_999][5], 'region-4999');
  columns.push(1, 1, 200, true, '', 'us-east-1');
  assert.equal(columns.take(), [[1, 1, 200, 1, '', 'us-east-1']]);
});

test('sample batches: written at maxRowsPerBatch rows without waiting for the second, the rest on close', () => {
  const batches: SampleRow[][] = [];
  const batcher = new SampleBatcher((rows) => batches.push(rows));
  const total = maxRowsPerBatch * 2 + 10;
  for (let i = 0; i < total; i++) batcher.push(i, 1, 200, true, '', 'us-east-1');
  assert.equal(
    batches.map((rows) => rows.length),
    [maxRowsPerBatch, maxRowsPerBatch],
  );
  batcher.close();
  assert.equal(
    batches.map((rows) => rows.length),
    [maxRowsPerBatch, maxRowsPerBatch, 10],
  );
  assert.equal(
    batches.flat().map((row) => row[0]),
    Array.from({ length: total }, (_, i) => i),
  );
});

test('outcome batches: what a worker packs is what the probe thread reads', () => {
  const outcomes: HttpOutcome[] = [
    { t: 1_796_313_244_310.7778, sendLagMs: 0.81, latencyMs: 42.99, ok: true, status: 200, error: '', region: 'a' },
    { t: 1_796_313_244_311.2, sendLagMs: 3, latencyMs: 2000.5, ok: false, status: 0, error: 'TIMEOUT', region: '' },
    { t: 1_796_313_244_312, sendLagMs: 0, latencyMs: 1, ok: false, status: 503, error: '', region: 'b' },
    { t: 1_796_313_244_313, sendLagMs: 0, latencyMs: 1, ok: true, status: 204, error: '', region: 'a' },
  ];
  const writer = new OutcomeBatchWriter(4);
  for (const outcome of outcomes) writer.push(outcome);
  assert.ok(writer.full);
  assert.throws(() => writer.push(outcomes[0]), /outcome batch full \(4\)/);
  const batch = writer.take();
  assert.is(writer.length, 0);
  assert.equal(batch.strings, ['', 'a', 'TIMEOUT', 'b']);
  assert.equal([...readOutcomeBatch(batch)], outcomes);
  writer.push(outcomes[1]);
  assert.equal([...readOutcomeBatch(writer.take())], [outcomes[1]]);
});

test("wrk's report is parsed; one without a rate is an error", () => {
  const output = `Running 2s test @ http://127.0.0.1:37313/
  1 threads and 50 connections
  Latency Distribution
     50%    2.22ms
     99%  265.81ms
  34857 requests in 2.03s, 4.12MB read
  Socket errors: connect 0, read 3, write 0, timeout 2
  Non-2xx or 3xx responses: 12
Requests/sec:  17204.66
Transfer/sec:      2.03MB
`;
  assert.equal(parseWrk(output, { threads: 1, connections: 50, seconds: 2 }), {
    threads: 1,
    connections: 50,
    seconds: 2,
    rate: 17205,
    total: 34857,
    non2xx3xx: 12,
    socketErrors: 5,
    latencyP99Ms: 265.81,
  });
  assert.is(
    parseWrk(output.replace('265.81ms', '1.02s'), { threads: 1, connections: 50, seconds: 2 }).latencyP99Ms,
    1020,
  );
  assert.throws(() => parseWrk('unable to connect', { threads: 1, connections: 50, seconds: 2 }), /no request rate/);
});

test("the benchmark's closed-model references: the median of the runs, every run kept in order", () => {
  const runs = [{ rate: 39_226 }, { rate: 26_002 }, { rate: 32_562 }];
  assert.equal(referenceOf(runs), { rate: 32_562, runs });
  assert.is(referenceOf([{ rate: 7 }]).rate, 7);
});

test("workers' node options: ts-node only for a TypeScript worker, the parent's other options kept", () => {
  const parent = ['--max-old-space-size=512', '-r', 'ts-node/register/transpile-only', '--cpu-prof'];
  assert.equal(workerExecArgv(parent, false), ['--max-old-space-size=512', '--cpu-prof']);
  assert.equal(workerExecArgv(parent, true), [
    '--max-old-space-size=512',
    '--cpu-prof',
    '-r',
    'ts-node/register/transpile-only',
  ]);
  assert.equal(workerExecArgv(['--require=ts-node/register', '-r', 'source-map-support/register'], false), [
    '-r',
    'source-map-support/register',
  ]);
  assert.equal(workerExecArgv([], true), ['-r', 'ts-node/register/transpile-only']);
});

test.run();
