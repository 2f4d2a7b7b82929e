import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planExperiment } from '../../src/engine/plan';
import { validateExperiment } from '../../src/experiment/validate';
import { issuesOf } from '../support/validation';

const lab = { name: 'ledger', target: { kind: 'lab' }, traffic: { kind: 'http', endpoint: 'app' } };
const endpoints = {
  name: 'ledger',
  target: { kind: 'endpoints', endpoints: { app: 'http://127.0.0.1:9/' } },
  traffic: { kind: 'http', endpoint: 'app' },
};
const withLedger = (base: object, ledger: object, extra: object = {}) => ({
  ...base,
  probes: [{ kind: 'ledger', ...ledger }],
  ...extra,
});

test('a SQL ledger on the lab writer with an RPO objective is valid; its fields stay as given', () => {
  const experiment = validateExperiment(
    withLedger(
      lab,
      { sql: 'writer', rate: 50, session: 'new', table: 'Drill_Ledger_2' },
      { hypothesis: { rpo: '1s' } },
    ),
    'x.ts',
  );
  const probe = experiment.probes[0];
  assert.is(probe.kind, 'ledger');
  if (probe.kind !== 'ledger') return;
  assert.is(probe.sql, 'writer');
  assert.is(probe.table, 'Drill_Ledger_2');
  assert.is(probe.session, 'new');
  assert.is(probe.url, undefined);
  assert.is(probe.endpoint, undefined);
  assert.is(experiment.hypothesis.rpo, 1_000);
});

test('a SQL ledger by URL anywhere, a region database on the lab, and the short rpo form are valid', () => {
  assert.equal(
    issuesOf(
      withLedger(
        endpoints,
        { sql: 'postgres://app@db.example.com:5432/app?sslmode=require' },
        { hypothesis: ['rpo<=1s'] },
      ),
    ),
    [],
  );
  assert.equal(issuesOf(withLedger(lab, { sql: 'db-eu-west-1' })), []);
});

const invalid: Array<[string, object, object, RegExp]> = [
  [
    'sql and url',
    lab,
    { sql: 'writer', url: 'http://127.0.0.1:9/ledger' },
    /^probes\[0\]\.url: give either sql or url, not both/,
  ],
  [
    'sql and endpoint',
    lab,
    { sql: 'writer', endpoint: 'app' },
    /^probes\[0\]\.endpoint: give either sql or endpoint, not both/,
  ],
  ['path with sql', lab, { sql: 'writer', path: '/ledger' }, /^probes\[0\]\.path: only applies to an HTTP ledger/],
  [
    'connection with sql',
    lab,
    { sql: 'writer', connection: 'new' },
    /^probes\[0\]\.connection: only applies to an HTTP ledger; a SQL ledger takes session/,
  ],
  [
    'readBackFrom with sql',
    lab,
    { sql: 'writer', readBackFrom: 'app-eu-west-1' },
    /^probes\[0\]\.readBackFrom: only applies to an HTTP ledger/,
  ],
  [
    'session without sql',
    lab,
    { endpoint: 'app', session: 'new' },
    /^probes\[0\]\.session: only applies to a SQL ledger/,
  ],
  ['table without sql', lab, { endpoint: 'app', table: 'ledger' }, /^probes\[0\]\.table: only applies to a SQL ledger/],
  [
    'an unknown lab database',
    lab,
    { sql: 'primary' },
    /^probes\[0\]\.sql: unknown database "primary".*writer, db-us-east-1, db-eu-west-1$/,
  ],
  [
    'a database name on a target that names none',
    endpoints,
    { sql: 'writer' },
    /^probes\[0\]\.sql: unknown database "writer".*this target names no databases/,
  ],
  ['a broken URL', lab, { sql: 'postgres://' }, /^probes\[0\]\.sql: not a valid URL/],
  ['an empty sql', lab, { sql: '' }, /^probes\[0\]\.sql: must not be empty/],
  [
    'a table starting with a digit',
    lab,
    { sql: 'writer', table: '2ledger' },
    /^probes\[0\]\.table: expected a plain SQL identifier/,
  ],
  [
    'a table with a quote',
    lab,
    { sql: 'writer', table: 'x"; drop table orders; --' },
    /^probes\[0\]\.table: expected a plain SQL identifier/,
  ],
  [
    'a schema-qualified table',
    lab,
    { sql: 'writer', table: 'public.ledger' },
    /^probes\[0\]\.table: expected a plain SQL identifier/,
  ],
  [
    'a table longer than PostgreSQL keeps',
    lab,
    { sql: 'writer', table: 'l'.repeat(64) },
    /^probes\[0\]\.table: expected a plain SQL identifier/,
  ],
  ['an unknown session', lab, { sql: 'writer', session: 'pooled' }, /^probes\[0\]\.session: /],
];
for (const [what, base, ledger, expected] of invalid) {
  test(`invalid SQL ledger: ${what}`, () => {
    const issues = issuesOf(withLedger(base, ledger));
    assert.is(issues.length, 1, issues.join('\n'));
    assert.match(issues[0], expected);
  });
}

test('the longest identifier PostgreSQL keeps (63) is accepted', () => {
  assert.equal(issuesOf(withLedger(lab, { sql: 'writer', table: `_${'l'.repeat(62)}` })), []);
});

test("the plan names the SQL ledger's table and database, never its password", () => {
  const experiment = validateExperiment(
    withLedger(endpoints, { sql: 'postgres://app:s3cret@db.example.com/app', table: 'drill' }),
    'x.ts',
  );
  const line = planExperiment(experiment).find((step) => step.action.startsWith('start write ledger'))!.action;
  assert.match(
    line,
    new RegExp(
      String.raw`create table drill if missing, then INSERT INTO drill \(client, seq\) ` +
        String.raw`on postgres://app:\*\*\*@db\.example\.com/app at 10/s \(kept connections, timeout 2000 ms\)`,
    ),
  );
  assert.not.match(line, /s3cret/);
});

test.run();
