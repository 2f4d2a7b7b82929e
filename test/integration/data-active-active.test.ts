/**
 * data-active-active on one lab of its own: both regions take writes while a partition
 * cuts the link between them (the lab's own cross-region fault, FIS's
 * aws:network:route-table-disrupt-cross-region-connectivity: timeout toxics on every
 * database and replication link between the two), replication catches up when it heals,
 * and the consistency check over both sides' rows (read through the control API as the
 * consistency probe reads them, then measure/consistency.ts) finds the conflicts a test
 * plants — and none in a control round that plants none.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crossRegionBlackhole } from '../../src/lab/aws/fis/executors/cross-region-blackhole';
import { LabClient } from '../../src/lab/client';
import type { Lab } from '../../src/lab/lab';
import { checkConsistency, type ConsistencyReport } from '../../src/measure/consistency';
import { startTestLab } from '../support/lab';

const EAST = 'us-east-1';
const WEST = 'eu-west-1';
const ledgerClient = 'data-aa-test';

let lab: Lab;
let client: LabClient;
let closeLab: (() => Promise<void>) | undefined;
const appUrl: Record<string, string> = {};
/** Every ledger entry a region acknowledged (201), as `client/seq`. */
const acked: string[] = [];
let seq = 0;

test.before(async () => {
  const started = await startTestLab({ strategy: 'data-active-active', regions: [EAST, WEST] });
  ({ lab } = started);
  closeLab = started.close;
  client = new LabClient(started.endpoint);
  for (const region of (await lab.status()).regions) appUrl[region.name] = region.appUrl;
});
test.after(async () => {
  await closeLab?.();
});

/**
 * The cross-region fault as a FIS experiment runs it, between us-east-1's subnet and eu-west-1; resolves with the
 * heal. It must hold both subscriptions' links.
 */
async function partition(): Promise<() => Promise<void>> {
  const subnet = lab.awsResources()[0];
  const execution = crossRegionBlackhole({
    lab,
    region: EAST,
    targets: { Subnets: [{ type: 'aws:ec2:subnet', arn: subnet.subnetArn, region: EAST, tags: {}, attributes: {} }] },
    parameters: { region: WEST, duration: 'PT5M' },
    faultName: 'partition',
  });
  assert.match(execution.summary, `replication-${EAST}`);
  assert.match(execution.summary, `replication-${WEST}`);
  await execution.inject();
  return () => execution.revert();
}

async function writeLedger(region: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const entry = ++seq;
    const answer = await fetch(`${appUrl[region]}/ledger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client: ledgerClient, seq: entry }),
      signal: AbortSignal.timeout(3_000),
    });
    assert.is(answer.status, 201, `${region} acknowledges ledger entry ${entry}: ${await answer.text()}`);
    acked.push(`${ledgerClient}/${entry}`);
  }
}

async function order(region: string): Promise<number> {
  const answer = await fetch(`${appUrl[region]}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ item: `from-${region}`, quantity: 1 }),
    signal: AbortSignal.timeout(3_000),
  });
  assert.is(answer.status, 201, `${region} takes an order`);
  return ((await answer.json()) as { id: number }).id;
}

async function saveCart(region: string, customer: string, items: string): Promise<string> {
  const answer = await fetch(`${appUrl[region]}/carts/${customer}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ items }),
    signal: AbortSignal.timeout(3_000),
  });
  assert.is(answer.status, 200, `${region} saves ${customer}'s cart`);
  return ((await answer.json()) as { writeId: string }).writeId;
}

async function cartIn(region: string, customer: string): Promise<string | null> {
  const answer = await fetch(`${appUrl[region]}/carts/${customer}`, { signal: AbortSignal.timeout(3_000) });
  return answer.status === 200 ? ((await answer.json()) as { writeId: string }).writeId : null;
}

/** Until `region` shows `customer`'s cart at `writeId`: replication carried it there. */
async function untilReplicated(region: string, customer: string, writeId: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await cartIn(region, customer)) !== writeId) {
    if (Date.now() > deadline) assert.unreachable(`${customer}'s cart never reached ${region} at ${writeId}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Both sides read once replication caught up: every acknowledged ledger entry must be in each. */
async function check(): Promise<ConsistencyReport> {
  const snapshot = await client.dataSnapshot();
  for (const side of snapshot.regions) {
    const ledger = new Set(side.tables.ledger.map(([key]) => key));
    assert.equal(
      acked.filter((key) => !ledger.has(key)),
      [],
      `every acknowledged ledger entry is in ${side.region}`,
    );
  }
  return checkConsistency(snapshot);
}

test('control: both sides write through a partition, no row on both: healed, nothing lost, no conflict', async () => {
  // Carts both regions update later: created once, in one region, and replicated before any partition.
  for (const customer of ['ann', 'bob', 'cy', 'dee'])
    await untilReplicated(WEST, customer, await saveCart(EAST, customer, 'espresso-beans'));
  const heal = await partition();
  try {
    // Cut off from each other, both regions keep acknowledging writes: ledger entries, orders, and carts each
    // written on one side only.
    await writeLedger(EAST, 10);
    await writeLedger(WEST, 10);
    const ids = [await order(EAST), await order(WEST), await order(EAST), await order(WEST)];
    assert.is(new Set(ids).size, ids.length, `order ids never collide: ${ids.join(', ')}`);
    const before = await cartIn(WEST, 'ann');
    await saveCart(EAST, 'ann', 'moka-pot');
    await saveCart(WEST, 'bob', 'milk-jug');
    // The partition holds replication too: a moment later, the other region still has ann's cart as it was.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.is(await cartIn(WEST, 'ann'), before, `${WEST} does not see ${EAST}'s write while the link is cut`);
  } finally {
    await heal();
  }
  const report = await check();
  assert.ok(report.caughtUp, JSON.stringify(report.tables));
  assert.is(report.conflicts.length, 0, JSON.stringify(report.conflicts));
  assert.is(report.lostUpdates, 0);
  assert.is(report.divergentRows, 0, JSON.stringify(report.tables));
  assert.ok(report.consistent);
});

test('planted: the same carts updated on both sides during a partition are reported, with who won where', async () => {
  const planted = ['cy', 'dee', 'ann'];
  const written: Record<string, Record<string, string>> = {};
  const heal = await partition();
  try {
    await writeLedger(WEST, 5);
    for (const customer of planted)
      written[customer] = {
        [EAST]: await saveCart(EAST, customer, `${customer} in ${EAST}`),
        [WEST]: await saveCart(WEST, customer, `${customer} in ${WEST}`),
      };
    // Not a conflict: written on one side only.
    await saveCart(WEST, 'bob', 'hand-grinder');
    await writeLedger(EAST, 5);
  } finally {
    await heal();
  }
  const report = await check();
  assert.ok(report.caughtUp);
  assert.equal(
    report.conflicts.map((conflict) => conflict.customer),
    [...planted].sort(),
  );
  for (const conflict of report.conflicts) {
    const ids = written[conflict.customer];
    assert.equal(new Set(conflict.writes.map((write) => write.writeId)), new Set([ids[EAST], ids[WEST]]));
    // PostgreSQL applies the change that arrives: each side ends with the other side's write, and has lost its own.
    assert.equal(conflict.held[EAST], { writeId: ids[WEST], region: WEST }, `${conflict.customer} in ${EAST}`);
    assert.equal(conflict.held[WEST], { writeId: ids[EAST], region: EAST }, `${conflict.customer} in ${WEST}`);
    assert.equal(
      conflict.lost.map((lost) => [lost.region, lost.lostIn]),
      [
        [EAST, [EAST]],
        [WEST, [WEST]],
      ],
    );
  }
  assert.is(report.lostUpdates, planted.length * 2);
  const carts = report.tables.find((table) => table.table === 'carts')!;
  assert.is(carts.divergent, planted.length, 'the planted carts differ between the regions');
  assert.is(report.divergentRows, planted.length, 'nothing else differs');
  assert.not.ok(report.consistent);
});

test.run();
