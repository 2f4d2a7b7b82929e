/**
 * The data-active-active consistency check on synthetic snapshots: linear histories agree;
 * writes from two regions replacing the same write are one conflict each, with who won
 * where and what each side lost; a row only one side has is divergent; writes of one
 * region racing each other are not a cross-region conflict.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CartWrite, DataSnapshot, RegionData } from '../../src/core/data-snapshot';
import { checkConsistency } from '../../src/measure/consistency';

const EAST = 'us-east-1';
const WEST = 'eu-west-1';

const write = (writeId: string, customer: string, basedOn: string | null, second: number): CartWrite => ({
  writeId,
  customer,
  region: writeId.startsWith('e') ? EAST : WEST,
  basedOn,
  writtenAt: `2026-12-03T10:00:${String(second).padStart(2, '0')}.000Z`,
});

/** One side: its carts (customer → write held), the history it knows, and its other rows. */
function side(
  region: string,
  carts: Record<string, string>,
  writes: CartWrite[],
  ledger: Array<[string, string]> = [
    ['c/1', 'a'],
    ['c/2', 'b'],
  ],
): RegionData {
  return {
    region,
    tables: {
      ledger,
      carts: Object.entries(carts).map(([customer, writeId]) => [customer, `digest of ${writeId}`]),
      cart_writes: writes.map((entry) => [entry.writeId, `digest of ${entry.writeId}`]),
    },
    carts: Object.entries(carts).map(([customer, writeId]) => ({ customer, writeId })),
    cartWrites: writes,
  };
}

const snapshot = (regions: RegionData[], caughtUp = true): DataSnapshot => ({
  cutoff: '2026-12-03T10:01:00.000Z',
  regions,
  replication: [
    { subscriber: WEST, publisher: EAST, caughtUp, waitedMs: 12, behindBytes: caughtUp ? 0 : 4096 },
    { subscriber: EAST, publisher: WEST, caughtUp: true, waitedMs: 9, behindBytes: 0 },
  ],
});

test('a linear history both sides hold: consistent, nothing lost', () => {
  const history = [write('e1', 'ann', null, 1), write('w2', 'ann', 'e1', 2), write('e3', 'ann', 'w2', 3)];
  const report = checkConsistency(snapshot([side(EAST, { ann: 'e3' }, history), side(WEST, { ann: 'e3' }, history)]));
  assert.equal(report.conflicts, []);
  assert.is(report.lostUpdates, 0);
  assert.is(report.divergentRows, 0);
  assert.ok(report.consistent);
});

test("two regions replacing the same write: one conflict, each side holding the other's write", () => {
  const history = [write('e1', 'ann', null, 1), write('e2', 'ann', 'e1', 5), write('w3', 'ann', 'e1', 6)];
  const report = checkConsistency(snapshot([side(EAST, { ann: 'w3' }, history), side(WEST, { ann: 'e2' }, history)]));
  assert.equal(report.conflicts, [
    {
      customer: 'ann',
      basedOn: 'e1',
      writes: [
        { writeId: 'e2', region: EAST, writtenAt: '2026-12-03T10:00:05.000Z' },
        { writeId: 'w3', region: WEST, writtenAt: '2026-12-03T10:00:06.000Z' },
      ],
      held: { [EAST]: { writeId: 'w3', region: WEST }, [WEST]: { writeId: 'e2', region: EAST } },
      lost: [
        { writeId: 'e2', region: EAST, lostIn: [EAST] },
        { writeId: 'w3', region: WEST, lostIn: [WEST] },
      ],
    },
  ]);
  assert.is(report.lostUpdates, 2);
  assert.is(report.divergentRows, 1);
  assert.equal(report.tables.find((table) => table.table === 'carts')!.sampleKeys, ['ann']);
  assert.not.ok(report.consistent);
});

test('a conflict both sides later wrote over knowingly: the racing write nobody built on is lost everywhere', () => {
  const history = [
    write('e1', 'bob', null, 1),
    write('e2', 'bob', 'e1', 5),
    write('w3', 'bob', 'e1', 6),
    // After the heal, east writes on top of what it holds (w3): e2 is gone from both sides.
    write('e4', 'bob', 'w3', 9),
  ];
  const report = checkConsistency(snapshot([side(EAST, { bob: 'e4' }, history), side(WEST, { bob: 'e4' }, history)]));
  assert.is(report.conflicts.length, 1);
  assert.equal(report.conflicts[0].lost, [{ writeId: 'e2', region: EAST, lostIn: [EAST, WEST] }]);
  assert.is(report.lostUpdates, 1);
  assert.is(report.divergentRows, 0, 'the sides agree again: on the write that won');
  assert.not.ok(report.consistent, 'a conflict happened all the same');
});

test('both regions creating the same cart is a conflict; one region racing itself is not', () => {
  const history = [
    write('e1', 'cy', null, 1),
    write('w2', 'cy', null, 2),
    write('e3', 'dee', null, 1),
    write('e4', 'dee', 'e3', 2),
    write('e5', 'dee', 'e3', 3),
  ];
  const carts = { cy: 'w2', dee: 'e5' };
  const report = checkConsistency(snapshot([side(EAST, carts, history), side(WEST, carts, history)]));
  assert.equal(
    report.conflicts.map((conflict) => [conflict.customer, conflict.basedOn]),
    [['cy', null]],
  );
});

test('a row one side lacks is divergent, and a lagging subscription keeps the check from calling it consistent', () => {
  const history = [write('e1', 'ann', null, 1)];
  const report = checkConsistency(
    snapshot(
      [
        side(EAST, { ann: 'e1' }, history, [
          ['c/1', 'a'],
          ['c/2', 'b'],
          ['c/3', 'c'],
        ]),
        side(WEST, { ann: 'e1' }, history),
      ],
      false,
    ),
  );
  const ledger = report.tables.find((table) => table.table === 'ledger')!;
  assert.equal(ledger.missing, { [EAST]: 0, [WEST]: 1 });
  assert.equal(ledger.sampleKeys, ['c/3']);
  assert.is(report.divergentRows, 1);
  assert.is(report.conflicts.length, 0);
  assert.not.ok(report.caughtUp);
  assert.not.ok(report.consistent);
});

test.run();
