import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redactor, redactedMarker as R } from '../../src/core/redact';

const redactor = new Redactor({
  SLACK_BOT_TOKEN: 'planted-slack-value-123',
  PGPASSWORD: 'short',
  HOME: '/home/someone-long-path',
});

// [input, expected]: every known shape, and text that must pass untouched.
const texts: Array<[string, string]> = [
  ['key AKIAIOSFODNN7EXAMPLE used', `key ${R} used`],
  ['ASIAY34FZKBOKMUTVV7A', R],
  ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', `aws_secret_access_key = ${R}`],
  ['"secretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"', `"secretAccessKey":"${R}"`],
  ['xoxb-1234567890-abcdefghij', R],
  ['token xoxp-12345-67890-abc def', `token ${R} def`],
  ['https://hooks.slack.com/services/T000/B000/XXXXXXXX', `https://hooks.slack.com/services/${R}`],
  ['postgres://app:s3cr3t@db.example.com:5432/app', `postgres://app:${R}@db.example.com:5432/app`],
  ['curl https://bob:hunter22@api.example.com/x', `curl https://bob:${R}@api.example.com/x`],
  [`curl -H 'Authorization: Bearer abc.def.ghi' http://x`, `curl -H 'Authorization: ${R}' http://x`],
  ['Cookie: session=abcdef', `Cookie: ${R}`],
  ['X-Api-Key: 0123456789', `X-Api-Key: ${R}`],
  ['sent Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc', `sent Bearer ${R}`],
  ['PGPASSWORD=hunter2 psql -h db', `PGPASSWORD=${R} psql -h db`],
  [`DB_TOKEN="two words" ./x`, `DB_TOKEN=${R} ./x`],
  ['mysql --password=hunter2 -u root', `mysql --password=${R} -u root`],
  ['login --token abcdef', `login --token ${R}`],
  ['echo planted-slack-value-123 > out', `echo ${R} > out`],
  // References to secrets are not secrets; ordinary text stays as it is.
  ['PGPASSWORD="$PGPASSWORD" psql', 'PGPASSWORD="$PGPASSWORD" psql'],
  ['http://127.0.0.1:8080/health', 'http://127.0.0.1:8080/health'],
  ['short password value stays: short', 'short password value stays: short'],
  ['touch /tmp/down; rm -f /tmp/down', 'touch /tmp/down; rm -f /tmp/down'],
  ['the key to failover is DNS', 'the key to failover is DNS'],
];

for (const [input, expected] of texts) {
  test(`text: ${input}`, () => {
    assert.is(redactor.text(input), expected);
    assert.is(redactor.text(expected), expected, 'idempotent');
  });
}

test('values: env and headers by name, credential fields anywhere; a copy, the original untouched', () => {
  const event = {
    type: 'fault.injecting',
    rollback: {
      kind: 'exec',
      command: 'rm -f /tmp/x',
      env: { DB_PASSWORD: 'hunter2', API_KEY: 'k', REGION: 'us-east-1', EMPTY_TOKEN: '' },
    },
    spec: {
      traffic: { headers: { Authorization: 'Basic Zm9vOmJhcg==', 'X-Request-Source': 'gameday' } },
      notify: { token: 'abc', keys: ['a'] },
    },
    detail: { rows: [[1, 'ok']] },
  };
  const copy = JSON.parse(JSON.stringify(event));
  assert.equal(redactor.value(event), {
    type: 'fault.injecting',
    rollback: {
      kind: 'exec',
      command: 'rm -f /tmp/x',
      env: { DB_PASSWORD: R, API_KEY: R, REGION: 'us-east-1', EMPTY_TOKEN: '' },
    },
    spec: {
      traffic: { headers: { Authorization: R, 'X-Request-Source': 'gameday' } },
      notify: { token: R, keys: ['a'] },
    },
    detail: { rows: [[1, 'ok']] },
  });
  assert.equal(event, copy);
});

test('a value redacted by name is redacted wherever it turns up later', () => {
  const fresh = new Redactor({});
  fresh.value({ env: { DB_PASSWORD: 'learned-secret-1' } });
  assert.is(fresh.text('pw learned-secret-1 echoed'), `pw ${R} echoed`);
});

test.run();
