/**
 * A queue-buffered region's durable write queue, on a scratch directory: writes kept in the
 * order acknowledged, replayed one after another, a reopened queue resuming where the last
 * replay stopped, and a line a crash cut short (never acknowledged) left out.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ledgerReplayOrder, readWriteQueue, WriteQueue } from '../../src/lab/app/write-queue';

let dir: string;
test.before.each(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-write-queue-'));
});
test.after.each(() => fs.rmSync(dir, { recursive: true, force: true }));

const entry = (seq: number) => ({ kind: 'ledger' as const, client: 'c', seq, region: 'eu-west-1' });

test('writes queue in order, replay oldest first, and a reopened queue resumes after the last replayed', () => {
  const file = path.join(dir, 'eu-west-1.ndjson');
  const queue = WriteQueue.open(file);
  assert.is(queue.pending, 0);
  assert.is(queue.next(), undefined);
  const first = queue.enqueue(entry(7));
  queue.enqueue({ kind: 'order', item: 'x', quantity: 2, customer: null, region: 'eu-west-1' });
  queue.enqueue(entry(8));
  assert.is(first.n, 1);
  assert.is(queue.pending, 3);
  assert.equal(queue.next(), first);
  queue.replayed(first);
  assert.throws(() => queue.replayed(first), /replayed 1 out of order/);
  queue.close();

  const reopened = WriteQueue.open(file);
  assert.is(reopened.pending, 2);
  assert.is(reopened.next()!.kind, 'order');
  reopened.replayed(reopened.next()!);
  const last = reopened.next()!;
  assert.equal([last.n, last.kind === 'ledger' && last.seq], [3, 8]);
  // Its first attempt had committed it after all: the replay found it there.
  reopened.replayed(last, true);
  assert.is(reopened.pending, 0);
  reopened.close();
  const { writes, replays } = readWriteQueue(file);
  assert.equal(
    writes.map((write) => write.n),
    [1, 2, 3],
  );
  assert.equal(
    replays.map((replay) => [replay.n, replay.found ?? false]),
    [
      [1, false],
      [2, false],
      [3, true],
    ],
  );
  assert.ok(replays.every((replay, index) => replay.replayedAt >= writes[index].queuedAt));
});

test('a last line cut short by a crash was never acknowledged: left out; no files yet is an empty queue', () => {
  const file = path.join(dir, 'q.ndjson');
  assert.equal(readWriteQueue(file), { writes: [], replays: [] });
  const queue = WriteQueue.open(file);
  queue.enqueue(entry(1));
  queue.close();
  fs.appendFileSync(file, '{"n":2,"queuedAt":1,"kind":"led');
  assert.is(readWriteQueue(file).writes.length, 1);
  const reopened = WriteQueue.open(file);
  assert.is(reopened.pending, 1);
  reopened.close();
});

test("the replay's order: what it wrote, in the order acknowledged; one its late first attempt committed apart", () => {
  const queued = (n: number, seq: number) => ({ n, queuedAt: n, ...entry(seq) });
  const writes = [
    queued(1, 10),
    { n: 2, queuedAt: 2, kind: 'order' as const, item: 'x', quantity: 1, customer: null, region: 'eu-west-1' },
    queued(3, 11),
    queued(4, 12),
  ];
  const replays = [1, 2, 3, 4].map((n) => ({ n, replayedAt: 100 + n }));
  const rows = (...seqs: number[]) => seqs.map((seq) => ({ client: 'c', seq: String(seq) }));
  // Entry 12 committed by its own first attempt before the replay reached 10 and 11: out of the queue's order.
  assert.equal(ledgerReplayOrder({ writes, replays }, rows(12, 10, 11)), {
    ledgerEntries: 3,
    missing: 0,
    committedByFirstAttempt: 0,
    inOrder: false,
  });
  // The replay found it there: what the replay wrote is in order; 12 is counted apart.
  const found = replays.map((replay) => (replay.n === 4 ? { ...replay, found: true as const } : replay));
  assert.equal(ledgerReplayOrder({ writes, replays: found }, rows(12, 10, 11)), {
    ledgerEntries: 3,
    missing: 0,
    committedByFirstAttempt: 1,
    inOrder: true,
  });
  // A replayed entry committed out of order is still caught, and one the writer lacks is missing.
  assert.equal(ledgerReplayOrder({ writes, replays: found }, rows(11, 10)), {
    ledgerEntries: 3,
    missing: 1,
    committedByFirstAttempt: 1,
    inOrder: false,
  });
});

test.run();
