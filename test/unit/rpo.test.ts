import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computeRpo, type AckedWrite, type RpoInput, type RpoResult } from '../../src/measure/rpo';

/** 10 writes per second: seq s is due at s × 100 ms and acknowledged 20 ms later. */
const ack = (seq: number, writer = 'A', ackedAt = seq * 100 + 20): AckedWrite => ({
  seq,
  t: seq * 100,
  ackedAt,
  writer,
});
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const acks = (from: number, to: number, writer = 'A') => range(from, to).map((seq) => ack(seq, writer));
const without = (seqs: number[], gone: number[]) => seqs.filter((seq) => !gone.includes(seq));

interface Row {
  name: string;
  input: RpoInput;
  expect: Partial<RpoResult>;
}

const table: Row[] = [
  {
    name: 'no loss: every acknowledged write is there, RPO 0',
    input: { acked: acks(1, 10), unacked: [], readBack: range(1, 10) },
    expect: {
      ackedWrites: 10,
      lostWrites: 0,
      lostSeqs: [],
      rpoMs: 0,
      splitBrain: false,
      duplicateWrites: 0,
      unconfirmedWrites: 0,
      writers: ['A'],
    },
  },
  {
    name: 'loss at the tail: from the last survivor to the last lost ack',
    input: { acked: acks(1, 10), unacked: [], readBack: range(1, 7) },
    // ackedAt(10) − ackedAt(7) = 1020 − 720
    expect: { lostWrites: 3, lostSeqs: [8, 9, 10], rpoMs: 300, splitBrain: false },
  },
  {
    name: 'loss in the middle, non-contiguous: from before the first loss to the last one',
    input: { acked: acks(1, 10), unacked: [], readBack: without(range(1, 10), [4, 5, 7]) },
    // ackedAt(7) − ackedAt(3) = 720 − 320; seq 6 survived but does not shorten the span
    expect: { lostWrites: 3, lostSeqs: [4, 5, 7], rpoMs: 400 },
  },
  {
    name: 'everything lost: counted from the first lost write being sent',
    input: { acked: acks(1, 3), unacked: [], readBack: [] },
    // ackedAt(3) − t(1) = 320 − 100
    expect: { lostWrites: 3, lostSeqs: [1, 2, 3], rpoMs: 220 },
  },
  {
    name: 'duplicates in the read back are split brain, not loss',
    input: { acked: acks(1, 10), unacked: [], readBack: [...range(1, 10), 3, 3, 5] },
    expect: { lostWrites: 0, duplicateWrites: 2, splitBrain: true, staleWriterAcks: 0, rpoMs: 0 },
  },
  {
    name: 'two writers: the old one acknowledges writes sent after the new one took over',
    // B's first ack at 620; seqs 9 and 10 (sent at 900, 1000) are acknowledged by A again.
    input: { acked: [...acks(1, 5, 'A'), ...acks(6, 8, 'B'), ...acks(9, 10, 'A')], unacked: [], readBack: range(1, 8) },
    expect: { staleWriterAcks: 2, splitBrain: true, writers: ['A', 'B'], lostSeqs: [9, 10], rpoMs: 200 },
  },
  {
    name: 'a clean failover: an old write acknowledged late across the switch is not split brain',
    // seq 5 was sent at 500, before B's first ack (820), and acknowledged by A at 850.
    input: {
      acked: [...acks(1, 4, 'A'), ack(5, 'A', 850), ...acks(8, 10, 'B')],
      unacked: [
        { seq: 6, t: 600 },
        { seq: 7, t: 700 },
      ],
      readBack: [1, 2, 3, 4, 5, 8, 9, 10],
    },
    expect: { staleWriterAcks: 0, splitBrain: false, writers: ['A', 'B'], lostWrites: 0, unconfirmedWrites: 0 },
  },
  {
    name: 'writes that errored but are present anyway: unacknowledged but present, never lost',
    input: {
      acked: [...acks(1, 5), ...acks(8, 10)],
      unacked: [
        { seq: 6, t: 600 },
        { seq: 7, t: 700 },
      ],
      readBack: [...range(1, 6), ...range(8, 10)],
    },
    expect: { ackedWrites: 8, lostWrites: 0, unconfirmedWrites: 1, rpoMs: 0 },
  },
  {
    name: 'an errored write that is absent is not lost either',
    input: { acked: acks(1, 3), unacked: [{ seq: 4, t: 400 }], readBack: range(1, 3) },
    expect: { lostWrites: 0, unconfirmedWrites: 0, rpoMs: 0 },
  },
  {
    name: 'acknowledgements without a writer name are left out of split brain',
    input: { acked: [...acks(1, 3, 'A'), ...acks(4, 5, ''), ...acks(6, 7, 'A')], unacked: [], readBack: range(1, 7) },
    expect: { splitBrain: false, writers: ['A'] },
  },
  {
    name: 'empty: no writes, nothing read back',
    input: { acked: [], unacked: [], readBack: [] },
    expect: {
      ackedWrites: 0,
      lostWrites: 0,
      lostSeqs: [],
      duplicateWrites: 0,
      splitBrain: false,
      rpoMs: 0,
      unconfirmedWrites: 0,
      writers: [],
    },
  },
];

for (const row of table) {
  test(row.name, () => {
    const result = computeRpo(row.input);
    for (const [key, value] of Object.entries(row.expect)) assert.equal(result[key as keyof RpoResult], value, key);
  });
}

test('acknowledgements out of order: RPO follows ack times, not seqs', () => {
  // seq 5 was acknowledged last (at 2000) and lost; seq 6 (acked 620) survived.
  const acked = [...acks(1, 4), ack(5, 'A', 2_000), ...acks(6, 8)];
  const result = computeRpo({ acked, unacked: [], readBack: [1, 2, 3, 4, 6, 7, 8] });
  assert.equal(result.lostSeqs, [5]);
  // first (and last) lost ack at 2000; last survivor acknowledged before it: seq 8 at 820
  assert.is(result.rpoMs, 2_000 - 820);
});

test('lostSeqs is bounded and ascending; lostWrites counts them all', () => {
  const acked = acks(1, 250).reverse();
  const result = computeRpo({ acked, unacked: [], readBack: range(1, 50) }, { maxLostSeqs: 100 });
  assert.is(result.lostWrites, 200);
  assert.equal(result.lostSeqs, range(51, 150));
});

test('a failback within one measurement looks like split brain (documented limitation)', () => {
  const acked = [...acks(1, 3, 'A'), ...acks(4, 6, 'B'), ...acks(7, 9, 'A')];
  const result = computeRpo({ acked, unacked: [], readBack: range(1, 9) });
  assert.is(result.staleWriterAcks, 3);
  assert.ok(result.splitBrain);
});

test.run();
