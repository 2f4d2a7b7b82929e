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
import { readWriteQueue, WriteQueue } from '../../src/lab/app/write-queue';

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
  reopened.replayed(last);
  assert.is(reopened.pending, 0);
  reopened.close();
  const { writes, replays } = readWriteQueue(file);
  assert.equal(
    writes.map((write) => write.n),
    [1, 2, 3],
  );
  assert.equal(
    replays.map((replay) => replay.n),
    [1, 2, 3],
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

test.run();
