/**
 * The SQL write ledger against the real lab: INSERTs straight into the writer, read back
 * with a SELECT, through the same recorder and RPO code as the HTTP ledger. A lost write
 * is one the promoted database really does not have.
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
const acknowledged = (events: JournalEvent[]) =>
  of(events, 'ledger.samples')
    .flatMap((event) => event.rows)
    .filter((row) => row[4] === 1);

/** A lab the test holds on to, so each region's database can be read after the run. */
async function withLab(
  prefix: string,
  body: (lab: RunningLab, labDir: string, db: (region: string) => Client) => Promise<void>,
): Promise<void> {
  const labDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const lab = await startLab({
    ephemeral: true,
    labDir,
    healthCheck: { requestIntervalMs: 300, failureThreshold: 2, timeoutMs: 500 },
    ttl: { app: 1, writer: 1, regional: 1 },
  });
  const clients: Client[] = [];
  const db = (region: string) => {
    const client = new Client({
      host: lab.state.regions.find((candidate) => candidate.name === region)!.address,
      port: lab.state.layout.ports.pg,
      user: 'postgres',
      database: 'postgres',
    });
    clients.push(client);
    return client;
  };
  try {
    await body(lab, labDir, db);
  } finally {
    for (const client of clients) await client.end().catch(() => undefined);
    await lab.stop();
    fs.rmSync(labDir, { recursive: true, force: true });
  }
}

/** What a region's database holds for the ledger's client, read directly. */
async function seqsOn(client: Client, table: string, ledgerClient: string): Promise<Set<number>> {
  await client.connect();
  const { rows } = await client.query<{ seq: string }>(`SELECT seq FROM "${table}" WHERE client = $1`, [ledgerClient]);
  return new Set(rows.map((row) => Number(row.seq)));
}

test('planned switchover: every write the SQL ledger got acknowledged is on the new writer', () =>
  withLab('gameday-ledger-sql-planned-', async (lab, labDir, db) => {
    const config: ExperimentConfig = {
      name: 'sql ledger switchover',
      target: { kind: 'lab', api: 'direct', dir: labDir },
      hypothesis: { rpo: '0ms', recovery: { window: '1s' } },
      traffic: { kind: 'http', endpoint: 'app', path: '/health', rate: 10, connection: 'new' },
      probes: [
        { kind: 'ledger', sql: 'writer', table: 'switch_ledger', rate: 20, timeout: '1s', session: 'keep-alive' },
      ],
      failover: { kind: 'planned', from: 'us-east-1', to: 'eu-west-1', verify: { window: '1s', timeout: '20s' } },
    };
    const result = await runInline(config, { failoverOnly: true });
    assert.is(result.status, 'passed', result.summary.reason);
    const rpo = result.summary.rpo!;
    assert.ok(rpo.readBack?.ok, JSON.stringify(rpo.readBack));
    // Enough writes across the switchover for "none lost" to mean something (fewer on a loaded machine).
    assert.ok(rpo.ackedWrites >= 10, `acknowledged ${rpo.ackedWrites}`);
    assert.is(rpo.lostWrites, 0, `lost: ${JSON.stringify(rpo.lostSeqs)}`);
    assert.is(rpo.met, true);
    assert.is(rpo.splitBrain, false);
    // Both writers acknowledged: the old primary, then the promoted standby on a new timeline.
    assert.is(rpo.writers.length, 2, JSON.stringify(rpo.writers));
    assert.match(rpo.writers[0], /^127\.0\.0\.2:\d+ \(timeline 1\)$/);
    assert.match(rpo.writers[1], /^127\.0\.0\.3:\d+ \(timeline [2-9]\)$/);
    assert.is(rpo.readBack!.writer, rpo.writers[1]);
    assert.is(rpo.readBack!.region, 'eu-west-1');
    assert.ok(
      rpo.url.startsWith('postgres://postgres@writer.db.gameday.lab:') && rpo.url.endsWith(' table switch_ledger'),
      rpo.url,
    );

    // Ground truth: the new writer holds every acknowledged seq.
    const present = await seqsOn(db('eu-west-1'), 'switch_ledger', rpo.client);
    const acked = acknowledged(result.events);
    assert.is(acked.length, rpo.ackedWrites);
    assert.equal(
      acked.filter(([seq]) => !present.has(seq)),
      [],
    );
    assert.ok(
      acked.some((row) => row[7] === 'us-east-1') && acked.some((row) => row[7] === 'eu-west-1'),
      'writes acknowledged in both regions',
    );
    assert.equal(summarize(result.events), result.summary);
  }));

test(
  'ground truth: replication held back, primary crashed, unplanned failover — the SQL ledger ' +
    'loses exactly what the promoted database lacks',
  () =>
    withLab('gameday-ledger-sql-unplanned-', async (lab, labDir, db) => {
      const config: ExperimentConfig = {
        name: 'sql ledger ground truth',
        target: { kind: 'lab', api: 'direct', dir: labDir },
        steadyState: { duration: '1s' },
        hypothesis: { rpo: '100ms' },
        traffic: { kind: 'http', endpoint: 'app', path: '/health', rate: 10, connection: 'new' },
        probes: [{ kind: 'ledger', sql: 'writer', rate: 20, timeout: '1s', session: 'new' }],
        faults: [
          // WAL into eu-west-1 is held back: from here on us-east-1 commits rows eu-west-1 does not get.
          { kind: 'latency', name: 'hold-wal', region: 'eu-west-1', link: 'replication', latency: '30s', after: '1s' },
          { kind: 'dbStop', name: 'crash-primary', region: 'us-east-1', mode: 'immediate', after: '3s' },
        ],
        failover: {
          kind: 'unplanned',
          from: 'us-east-1',
          to: 'eu-west-1',
          verify: { window: '1s', timeout: '20s' },
          failback: false,
        },
        duration: '8s',
      };
      const result = await runInline(config);
      const rpo = result.summary.rpo!;
      assert.is(result.summary.failover?.ok, true, result.summary.failover?.reason ?? 'no runbook');
      assert.is(result.status, 'failed', result.summary.reason);
      assert.match(result.summary.reason, /RPO \d+ ms > objective 100 ms/);
      assert.ok(rpo.readBack?.ok, JSON.stringify(rpo.readBack));
      assert.match(rpo.readBack!.writer, /^127\.0\.0\.3:/, 'read back from eu-west-1, the promoted database');

      // Ground truth, read straight from the promoted database.
      const present = await seqsOn(db('eu-west-1'), 'gameday_ledger', rpo.client);
      const acked = acknowledged(result.events);
      const absent = acked
        .filter(([seq]) => !present.has(seq))
        .map(([seq]) => seq)
        .sort((a, b) => a - b);
      assert.ok(absent.length > 0, 'writes were lost');
      assert.ok(absent.length <= 100, 'all of them fit in lostSeqs');
      assert.is(rpo.lostWrites, absent.length);
      assert.equal(rpo.lostSeqs, absent);
      assert.is(rpo.writers.length, 2, JSON.stringify(rpo.writers));
      assert.match(rpo.writers[0], /^127\.0\.0\.2:\d+ \(timeline 1\)$/);
      assert.match(rpo.writers[1], /^127\.0\.0\.3:\d+ \(timeline [2-9]\)$/);
      assert.is(rpo.splitBrain, false);

      // They are the rows us-east-1 committed while WAL was held back, and no others.
      const at = (fault: string) => of(result.events, 'fault.injected').find((event) => event.fault === fault)!.at;
      const [heldAt, crashedAt] = [at('hold-wal'), at('crash-primary')];
      for (const [seq, t, latency, , , , writer, region] of acked.filter(([seq]) => absent.includes(seq))) {
        assert.is(writer, rpo.writers[0], `seq ${seq} acknowledged by ${writer}`);
        assert.is(region, 'us-east-1');
        assert.ok(
          t + latency >= heldAt - 200 && t + latency <= crashedAt,
          `seq ${seq} acknowledged ${t + latency - heldAt} ms after WAL was held`,
        );
      }
      assert.ok(
        acked.every(([seq, t, latency]) => t + latency > heldAt - 200 || present.has(seq)),
        'what was acknowledged before WAL was held survived',
      );
      assert.ok(
        Math.abs(rpo.ms! - (crashedAt - heldAt)) < 500,
        `RPO ${rpo.ms} ms vs ${Math.round(crashedAt - heldAt)} ms between holding WAL and the crash`,
      );
      assert.equal(summarize(result.events), result.summary);
    }),
);

test.run();
