/**
 * Strategies that change what happens to writes while the writer is lost, on a lab of
 * their own, measured by a real run of the drill (us-east-1 drops off the network, the
 * runbook promotes eu-west-1):
 * - queue-buffered: eu-west-1's own clients keep writing; it acknowledges the writes it
 *   cannot send into its durable queue; after the promotion they are replayed in the
 *   order acknowledged, none lost.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ExperimentConfig } from '../../src/experiment/schema';
import { runInline } from '../support/run';
import { strategyOutage } from '../support/strategy-outage';

let scratch: string;
test.before(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-strategy-writes-'));
});
test.after(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** The strategies' drill, with eu-west-1's own clients writing and a 3 s timeout (queued writes answer later). */
const outage = (strategy: string): ExperimentConfig => {
  const base = strategyOutage(scratch, strategy);
  return {
    ...base,
    traffic: { ...base.traffic, timeout: '3s' } as ExperimentConfig['traffic'],
    // eu-west-1's own clients write: from the moment the writer's region drops off until eu-west-1 is promoted (and
    // its app sees the new writer), every one of their writes needs the queue.
    probes: [{ kind: 'ledger', endpoint: 'app-eu-west-1', rate: 20 }] as ExperimentConfig['probes'],
  };
};

test('queue-buffered: writes queued while the writer is lost, replayed in the order taken, none lost', async () => {
  const result = await runInline(outage('queue-buffered'));
  const { summary } = result;
  assert.is(result.status, 'passed', summary.reason);
  const drain = summary.failover!.steps.find((step) => step.name === 'drain-queue')!;
  assert.is(drain.status, 'succeeded', JSON.stringify(drain));
  const detail = drain.detail as {
    queued: number;
    ledgerEntries: number;
    replayed: number;
    missing: number;
    inOrder: boolean;
    replayLagMs: { p50: number; max: number };
  };
  // eu-west-1 took writes while the writer was unreachable, before it was promoted: the queue held them, at
  // 20 a second for more than a second.
  assert.ok(detail.ledgerEntries > 20, `no ledger entry queued: ${JSON.stringify(detail)}`);
  assert.is(detail.replayed, detail.queued, 'every queued write replayed');
  assert.is(detail.missing, 0, 'every queued ledger entry on the new writer');
  // What the replay wrote, in the order acknowledged (an entry its own late first attempt committed is counted apart).
  assert.ok(detail.inOrder, `committed in the order acknowledged: ${JSON.stringify(detail)}`);
  assert.ok(detail.replayLagMs.max > 0, JSON.stringify(detail.replayLagMs));
  // The ledger's own measurement, from its acknowledgements and what the writer holds after the run: none lost.
  const rpo = summary.rpo!;
  assert.ok(rpo.ackedWrites > detail.ledgerEntries, `${rpo.ackedWrites} acknowledged`);
  assert.is(rpo.lostWrites, 0, `lost ${rpo.lostWrites} of ${rpo.ackedWrites}`);
});

test.run();
