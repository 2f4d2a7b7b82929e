/**
 * The write ledger and RPO against the real lab: real PostgreSQL streaming replication,
 * so a lost write is one the promoted database really does not have. One lab for the file,
 * held by the test so the promoted database can be read after the run: the run without a
 * fault first, then the one that crashes the primary and leaves the lab failed over.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EventOf, JournalEvent } from '../../src/core/events';
import type { ExperimentConfig } from '../../src/experiment/schema';
import { startLab, type RunningLab } from '../../src/lab/manager';
import { summarize } from '../../src/analysis/summarize';
import { runInline } from '../support/run';

const of = <T extends JournalEvent['type']>(events: JournalEvent[], type: T) =>
  events.filter((event): event is EventOf<T> => event.type === type);

let labDir: string;
let lab: RunningLab;
test.before(async () => {
  labDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-lab-ledger-'));
  lab = await startLab({
    ephemeral: true,
    labDir,
    healthCheck: { requestIntervalMs: 300, failureThreshold: 2, timeoutMs: 500 },
    ttl: { app: 1, writer: 1, regional: 1 },
  });
});
test.after(async () => {
  await lab?.stop();
  fs.rmSync(labDir, { recursive: true, force: true });
});

test('no fault: every acknowledged write is read back, RPO 0, objective met', async () => {
  const result = await runInline({
    name: 'ledger without faults',
    target: { kind: 'lab', dir: labDir },
    steadyState: { duration: '1s' },
    hypothesis: { rpo: '1s' },
    traffic: { kind: 'http', endpoint: 'app', path: '/health', rate: 10 },
    probes: [{ kind: 'ledger', endpoint: 'app', rate: 20 }],
    duration: '3s',
  });
  assert.is(result.status, 'passed', result.summary.reason);
  const rpo = result.summary.rpo!;
  assert.ok(rpo.ackedWrites >= 50, `acknowledged ${rpo.ackedWrites}`);
  assert.is(rpo.ackedWrites, rpo.writes, 'every write was acknowledged');
  assert.is(rpo.lostWrites, 0);
  assert.is(rpo.ms, 0);
  assert.is(rpo.met, true);
  assert.is(rpo.splitBrain, false);
  assert.is(rpo.writers.length, 1);
  assert.match(result.summary.reason, /RPO 0 ms ≤ 1000 ms/);

  // The read back closes the observation, before any rollback, and the journal alone rebuilds the summary.
  const types = result.events.map((event) => (event.type === 'phase' ? `phase ${event.phase}` : event.type));
  assert.ok(types.indexOf('ledger.readback') < types.indexOf('phase rollback'), 'read back before rollback');
  assert.ok(of(result.events, 'ledger.samples').length >= 2, 'batched once a second');
  assert.equal(summarize(result.events), result.summary);
  const report = fs.readFileSync(path.join(result.runDir, 'report.md'), 'utf8');
  assert.match(report, /\| RPO \(write ledger\) \| 0ms \| 1s \| yes \|/);
  assert.match(report, /## Write ledger/);
});

test(
  'ground truth: replication held back, primary crashed, unplanned failover by the runbook — the ' +
    'lost writes are exactly those the promoted database lacks',
  async () => {
    const db = new Client({
      host: lab.state.regions.find((region) => region.name === 'eu-west-1')!.address,
      port: lab.state.layout.ports.pg,
      user: 'postgres',
      database: 'postgres',
    });
    try {
      const config: ExperimentConfig = {
        name: 'ledger ground truth',
        target: { kind: 'lab', api: 'direct', dir: labDir },
        steadyState: { duration: '1s' },
        hypothesis: { rpo: '100ms' },
        traffic: { kind: 'http', endpoint: 'app', path: '/health', rate: 10, connection: 'new' },
        probes: [{ kind: 'ledger', endpoint: 'app', rate: 20, timeout: '1s' }],
        faults: [
          // WAL into eu-west-1 is held back: from here on us-east-1 acknowledges writes eu-west-1 does not get.
          { kind: 'latency', name: 'hold-wal', region: 'eu-west-1', link: 'replication', latency: '30s', after: '1s' },
          { kind: 'dbStop', name: 'crash-primary', region: 'us-east-1', mode: 'immediate', after: '3s' },
        ],
        // The built-in runbook detects the crash (us-east-1's health check fails) and fails over, data loss allowed.
        failover: {
          kind: 'unplanned',
          from: 'us-east-1',
          to: 'eu-west-1',
          verify: { window: '1s', timeout: '20s' },
          failback: false,
        },
        duration: '9s',
      };
      const result = await runInline(config);
      const rpo = result.summary.rpo!;
      assert.is(result.summary.failover?.ok, true, result.summary.failover?.reason ?? 'no runbook');
      assert.is(result.status, 'failed', result.summary.reason);
      assert.match(result.summary.reason, /RPO \d+ ms > objective 100 ms/);
      assert.ok(rpo.readBack?.ok, JSON.stringify(rpo.readBack));
      assert.ok(
        rpo.readBack!.writer.startsWith('127.0.0.3:'),
        `read back from eu-west-1's database, got ${rpo.readBack!.writer}`,
      );

      // Ground truth, read straight from the promoted database.
      await db.connect();
      const { rows } = await db.query<{ seq: string }>('SELECT seq FROM ledger WHERE client = $1', [rpo.client]);
      const present = new Set(rows.map((row) => Number(row.seq)));
      const acked = of(result.events, 'ledger.samples')
        .flatMap((event) => event.rows)
        .filter((row) => row[4] === 1);
      const absent = acked
        .filter(([seq]) => !present.has(seq))
        .map(([seq]) => seq)
        .sort((a, b) => a - b);
      assert.ok(absent.length > 0, 'writes were lost');
      assert.ok(absent.length <= 100, 'all of them fit in lostSeqs');
      assert.is(rpo.lostWrites, absent.length);
      assert.equal(rpo.lostSeqs, absent);
      assert.equal(rpo.writers, ['127.0.0.2', '127.0.0.3']);
      assert.is(rpo.splitBrain, false);

      // And they are the writes us-east-1 acknowledged while WAL was held back, no others.
      const at = (fault: string) => of(result.events, 'fault.injected').find((event) => event.fault === fault)!.at;
      const [heldAt, crashedAt] = [at('hold-wal'), at('crash-primary')];
      for (const [seq, t, latency, , , , writer] of acked.filter(([seq]) => absent.includes(seq))) {
        assert.ok(writer.startsWith('127.0.0.2:'), `seq ${seq} acknowledged by ${writer}`);
        assert.ok(
          t + latency >= heldAt - 200 && t + latency <= crashedAt,
          `seq ${seq} acknowledged at ${t + latency - heldAt} ms after WAL was held`,
        );
      }
      assert.ok(
        acked.every(([seq, t, latency]) => t + latency > heldAt - 200 || present.has(seq)),
        'what was acknowledged before WAL was held survived',
      );
      // The RPO is the acknowledged history the promoted database lacks, from its own rows: the last lost write's
      // acknowledgement back to that of the last one kept before the first loss. It cannot span more than the time
      // WAL was held; how much of that time the ledger got acknowledgements in depends on how fast the machine is.
      const ackOf = ([, t, latency]: (typeof acked)[number]) => t + latency;
      const lost = acked.filter(([seq]) => !present.has(seq));
      const firstLostAck = Math.min(...lost.map(ackOf));
      const lastKeptAck = Math.max(
        ...acked.filter((row) => present.has(row[0]) && ackOf(row) < firstLostAck).map(ackOf),
      );
      const truth = Math.max(...lost.map(ackOf)) - lastKeptAck;
      assert.ok(Math.abs(rpo.ms! - truth) <= 1, `RPO ${rpo.ms} ms; the promoted database's rows say ${truth} ms`);
      const window = crashedAt - heldAt;
      assert.ok(
        rpo.ms! > 0 && rpo.ms! <= window + 200,
        `RPO ${rpo.ms} ms vs ${Math.round(window)} ms between holding WAL and the crash`,
      );
    } finally {
      await db.end().catch(() => undefined);
    }
  },
);

test.run();
