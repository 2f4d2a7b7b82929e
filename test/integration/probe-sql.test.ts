/**
 * The sql probe against the lab's real PostgreSQL: a query on the writer name fails while
 * the primary is down and succeeds again once the runbook has promoted the standby and
 * moved the writer name; passwords never reach the journal.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EventOf, JournalEvent } from '../../src/core/events';
import { validateExperiment } from '../../src/experiment/validate';
import { passwordRedactor, redactUrl } from '../../src/probes/sql-check';
import { summarize } from '../../src/analysis/summarize';
import { runInline } from '../support/run';
import { startFlakyService } from '../support/flaky-service';
import { freePortOn } from '../support/net';

const of = <T extends JournalEvent['type']>(events: JournalEvent[], type: T) =>
  events.filter((event): event is EventOf<T> => event.type === type);

test('schema: connection is a postgres URL or a database the target names; expect has three forms', () => {
  const lab = { name: 'x', target: { kind: 'lab' as const }, traffic: { kind: 'http' as const, endpoint: 'app' } };
  const ok = validateExperiment(
    { ...lab, probes: [{ kind: 'sql', connection: 'writer', expect: { value: false } }] },
    'x.ts',
  );
  assert.equal(ok.probes[0], {
    kind: 'sql',
    name: 'sql',
    connection: 'writer',
    query: 'select 1',
    expect: { value: false },
    every: 1_000,
    timeout: 2_000,
    session: 'new',
  });
  assert.throws(
    () => validateExperiment({ ...lab, probes: [{ kind: 'sql', connection: 'reader' }] }, 'x.ts'),
    new RegExp(
      String.raw`probes\[0\]\.connection: unknown database "reader"; ` +
        'expected a postgres://user@host:port/database URL, ' +
        'or a database the target names: writer, db-us-east-1, db-eu-west-1',
    ),
  );
  assert.throws(
    () =>
      validateExperiment({ ...lab, probes: [{ kind: 'sql', connection: 'writer', expect: { matches: '(' } }] }, 'x.ts'),
    /probes\[0\]\.expect/,
  );
  const endpoints = {
    name: 'x',
    target: { kind: 'endpoints' as const, endpoints: { api: 'http://127.0.0.1:9' } },
    traffic: { kind: 'http' as const, endpoint: 'api' },
  };
  assert.throws(
    () => validateExperiment({ ...endpoints, probes: [{ kind: 'sql', connection: 'writer' }] }, 'x.ts'),
    /this target names no databases/,
  );
});

test('redactUrl and passwordRedactor hide the password, URL-encoded or not', () => {
  assert.is(redactUrl('postgres://u:p%40ss@db.example.com:5432/app'), 'postgres://u:***@db.example.com:5432/app');
  assert.is(redactUrl('postgres://u@db.example.com/app'), 'postgres://u@db.example.com/app');
  assert.is(
    passwordRedactor('postgres://u:p%40ss@h/app')('password authentication failed (p@ss)'),
    'password authentication failed (***)',
  );
});

test('a password in the URL or PGPASSWORD never reaches the journal, the summary or the report', async () => {
  const port = await freePortOn(['127.0.0.1']);
  const service = await startFlakyService();
  process.env.PGPASSWORD = 'env-secret-42';
  try {
    const result = await runInline({
      name: 'sql probe against nothing',
      target: { kind: 'endpoints', endpoints: { api: service.url } },
      traffic: { kind: 'http', endpoint: 'api', rate: 5 },
      steadyState: { duration: '300ms' },
      probes: [
        {
          kind: 'sql',
          name: 'url-password',
          connection: `postgres://gameday:url-secret-17@127.0.0.1:${port}/postgres`,
          every: '100ms',
          timeout: '300ms',
        },
        {
          kind: 'sql',
          name: 'env-password',
          connection: `postgres://gameday@127.0.0.1:${port}/postgres`,
          every: '100ms',
          timeout: '300ms',
        },
      ],
      duration: '1s',
    });
    assert.is(result.status, 'passed', result.summary.reason);
    const journal = fs.readFileSync(path.join(result.runDir, 'journal.ndjson'), 'utf8');
    const everything =
      journal +
      fs.readFileSync(path.join(result.runDir, 'summary.json'), 'utf8') +
      fs.readFileSync(path.join(result.runDir, 'report.md'), 'utf8');
    assert.not.match(everything, 'url-secret-17');
    assert.not.match(everything, 'env-secret-42');
    const probe = result.summary.probes.find((entry) => entry.probe === 'url-password')!;
    // redactUrl puts *** there; the journal's own redaction may mark it its way.
    assert.match(probe.url, /^postgres:\/\/gameday:[^@]+@127\.0\.0\.1:\d+\/postgres$/);
    assert.ok(probe.requests >= 5 && probe.errors === probe.requests, `${probe.errors} of ${probe.requests} failed`);
    assert.match(probe.changes![0].detail, /ECONNREFUSED/);
  } finally {
    delete process.env.PGPASSWORD;
    await service.close();
  }
});

test('lab: pg_is_in_recovery() on the writer fails while the primary is down, works after promotion', async () => {
  const result = await runInline({
    name: 'sql probe on a primary crash',
    target: {
      kind: 'lab',
      api: 'direct',
      healthCheck: { interval: '300ms', failureThreshold: 2 },
      ttl: { app: '1s', writer: '1s' },
      dir: '/nonexistent/so-an-ephemeral-lab-is-used',
    },
    steadyState: { duration: '1s' },
    hypothesis: { recovery: { window: '1s' } },
    traffic: { kind: 'http', endpoint: 'app', path: '/health', rate: 10, timeout: '1s' },
    probes: [
      {
        kind: 'sql',
        name: 'writer-is-primary',
        connection: 'writer',
        query: 'select pg_is_in_recovery()',
        expect: { value: false },
        every: '200ms',
        timeout: '1s',
      },
      {
        kind: 'sql',
        name: 'kept',
        connection: 'writer',
        query: 'select 1',
        expect: { rows: 1 },
        every: '200ms',
        timeout: '1s',
        session: 'keep-alive',
      },
    ],
    faults: [{ kind: 'dbStop', name: 'crash-us-east-1-db', region: 'us-east-1', mode: 'immediate', after: '1s' }],
    failover: {
      from: 'us-east-1',
      to: 'eu-west-1',
      kind: 'unplanned',
      verify: { window: '1s', timeout: '20s' },
      failback: false,
    },
    duration: '12s',
  });
  assert.not.equal(result.status, 'error', result.summary.reason);
  assert.is(result.summary.failover?.ok, true, result.summary.failover?.reason ?? 'no failover');
  const probe = result.summary.probes.find((entry) => entry.probe === 'writer-is-primary')!;
  assert.ok(probe, JSON.stringify(result.summary.probes));
  assert.match(probe.url, /^postgres:\/\/postgres@writer\.db\.gameday\.lab:\d+\/postgres$/);
  const changes = probe.changes!;
  assert.equal(
    changes.slice(0, 3).map((change) => change.ok),
    [true, false, true],
    JSON.stringify(changes),
  );
  assert.is(changes[0].detail, 'false', 'the writer answers it is not in recovery');
  const fault = result.summary.faults[0];
  assert.ok(
    changes[1].fromMs! >= fault.injectedAtMs! - 250 && changes[1].fromMs! < fault.injectedAtMs! + 1_000,
    `failing from +${changes[1].fromMs} ms, fault at +${fault.injectedAtMs} ms`,
  );
  const promote = result.summary.failover!.steps.find((step) => step.name === 'promote')!;
  // Only the new writer can answer again, so the first answer after the failures ends after promotion began. It may be
  // due before: a query due 364 ms before promotion spent 498 ms connecting and was answered by the promoted writer.
  const t0 = of(result.events, 'observe.started')[0].t0;
  const rows = of(result.events, 'check.samples')
    .filter((event) => event.probe === 'writer-is-primary')
    .flatMap((event) => event.rows);
  const firstOkAgain = rows.find((row) => row[2] === 1 && row[0] - t0 >= changes[2].fromMs! - 1)!;
  const answeredMs = Math.round(firstOkAgain[0] + firstOkAgain[1] - t0);
  assert.ok(
    answeredMs >= promote.startedAtMs!,
    `ok again from +${changes[2].fromMs} ms (answered at +${answeredMs} ms), promotion started at ` +
      `+${promote.startedAtMs} ms: ${JSON.stringify(changes)}`,
  );
  assert.is(changes.length, 3, 'ok for good after promotion');

  const kept = result.summary.probes.find((entry) => entry.probe === 'kept')!;
  assert.ok(kept.errors > 0 && kept.changes!.at(-1)!.ok, `kept connection: ${JSON.stringify(kept.changes)}`);
  assert.equal(summarize(result.events), result.summary);
  assert.ok(
    of(result.events, 'check.samples').some((event) =>
      event.rows.some((row) => row[2] === 0 && /writer|ECONN|terminat|shut|timed out/i.test(row[3])),
    ),
  );
  const told = changes.map(
    (change) => `+${change.fromMs} ms ${change.ok ? 'ok' : 'FAILED'} (${change.detail}) ×${change.samples}`,
  );
  console.log(`sql probe: ${told.join('; ')}; promote at +${promote.startedAtMs} ms`);
});

test.run();
