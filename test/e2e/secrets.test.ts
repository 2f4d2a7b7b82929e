/**
 * Planted fake secrets — in gameday's environment, in an exec fault's env and commands,
 * in probe headers and a probe URL — must not appear in any file of the run directory or
 * anywhere gameday prints, through validate, plan, run and recover; and recover must still
 * undo an exec fault whose env carried a secret.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot, runCli, spawnCli, waitForOutput, type CliResult } from '../support/cli';
import { startFlakyService } from '../support/flaky-service';

const planted = {
  AWS_ACCESS_KEY_ID: 'AKIAPLANTEDFAKE12345',
  AWS_SECRET_ACCESS_KEY: 'plantedFAKEsecretKEY/0123456789abcdefghij',
  SLACK_BOT_TOKEN: 'xoxb-000000000-plantedslackbot',
  PGPASSWORD: 'planted-pg-password-4242',
};
const inFile = {
  envPassword: 'planted-env-password-555',
  webhook: 'https://hooks.slack.com/services/TPLANTED/BPLANTED/plantedwebhook666',
  bearer: 'planted-bearer-token-777',
  apiKey: 'planted-api-key-888',
  urlPassword: 'planted-url-password-999',
  inlinePassword: 'planted-inline-pw-111',
  inlineBearer: 'planted-inline-bearer-222',
  wrongField: 'xoxp-planted-in-a-wrong-field',
};
const secrets = [...Object.values(planted), ...Object.values(inFile)];

let dir: string;
let service: Awaited<ReturnType<typeof startFlakyService>>;
let env: Record<string, string>;
const outputs: Array<{ what: string; text: string }> = [];

test.before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-secrets-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(repoRoot, path.join(dir, 'node_modules', 'gameday'));
  service = await startFlakyService();
  env = { ...planted, GAMEDAY_LOCKS_DIR: path.join(dir, 'locks') };
});

test.after(async () => {
  await service.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function record(what: string, result: CliResult): CliResult {
  outputs.push({ what: `${what} stdout`, text: result.stdout }, { what: `${what} stderr`, text: result.stderr });
  return result;
}

function assertNoSecretIn(what: string, text: string): void {
  for (const secret of secrets) assert.not.ok(text.includes(secret), `${what} shows the planted secret ${secret}`);
}

function experimentWithSecrets(): string {
  const file = path.join(dir, 'secrets.ts');
  const withPassword = service.url.replace('http://', `http://probe:${inFile.urlPassword}@`);
  fs.writeFileSync(
    file,
    `import { defineExperiment, faults, probes } from 'gameday';
export default defineExperiment({
  name: 'carries secrets',
  target: { kind: 'endpoints', endpoints: { api: ${JSON.stringify(service.url)} } },
  steadyState: { duration: '300ms' },
  traffic: probes.http({
    url: ${JSON.stringify(withPassword + '/health')},
    rate: 10,
    headers: { Authorization: 'Bearer ${inFile.bearer}', 'X-Api-Key': '${inFile.apiKey}' },
  }),
  faults: [
    faults.exec({
      name: 'down-with-secrets',
      after: '100ms',
      duration: '500ms',
      env: { DB_PASSWORD: '${inFile.envPassword}', SLACK_WEBHOOK: '${inFile.webhook}' },
      inject: "PGPASSWORD=${inFile.inlinePassword} touch '${service.downFile}' " +
        "&& echo \\"curl -H 'Authorization: Bearer ${inFile.inlineBearer}'\\" && echo token $SLACK_BOT_TOKEN key " +
        "$AWS_SECRET_ACCESS_KEY pw $DB_PASSWORD $SLACK_WEBHOOK",
      rollback: "rm -f '${service.downFile}'",
    }),
  ],
  duration: '2s',
});
`,
  );
  return file;
}

test('validate, plan and run print no secret, and no file of the run directory holds one', async () => {
  const file = experimentWithSecrets();
  assert.is(record('validate', await runCli(['validate', file], { env })).code, 0);
  const plan = record('plan', await runCli(['plan', file], { env }));
  assert.is(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /inject down-with-secrets/, 'the plan is still shown');
  const runDir = path.join(dir, 'run');
  const run = record('run', await runCli(['run', file, '--out', runDir], { env }));
  assert.is(run.code, 0, run.stderr + run.stdout);
  assert.not.ok(fs.existsSync(service.downFile), 'the fault was injected and rolled back with its real values');

  const journal = fs.readFileSync(path.join(runDir, 'journal.ndjson'), 'utf8');
  assert.match(journal, /"DB_PASSWORD":"\[REDACTED\]"/, 'the env value is redacted, its name kept for recover');
  assert.match(journal, /token \[REDACTED\] key \[REDACTED\]/, 'what the inject command echoed is redacted too');
  const files = fs.readdirSync(runDir);
  for (const expected of ['journal.ndjson', 'summary.json', 'report.md']) assert.ok(files.includes(expected), expected);
  for (const name of files)
    assertNoSecretIn(`${name} in the run directory`, fs.readFileSync(path.join(runDir, name), 'utf8'));
});

test('a validation error quoting a secret does not print it', async () => {
  const file = path.join(dir, 'wrong-field.ts');
  fs.writeFileSync(
    file,
    `export default { name: 'x', target: { kind: 'endpoints', endpoints: { api: 'http://127.0.0.1:9' ` +
      `} }, traffic: { kind: 'http', endpoint: 'api', timeout: '${inFile.wrongField}' } };\n`,
  );
  const result = record('validate (invalid)', await runCli(['validate', file], { env }));
  assert.is(result.code, 2);
  assert.match(result.stderr, /traffic\.timeout: expected a duration like .+, got "\[REDACTED\]"/);
});

test('recover after kill -9 undoes an exec fault whose env had a secret, read from its own env', async () => {
  const expected = path.join(dir, 'expected-password');
  fs.writeFileSync(expected, planted.PGPASSWORD);
  const file = path.join(dir, 'recover-secret.ts');
  fs.writeFileSync(
    file,
    `import { defineExperiment, faults, probes } from 'gameday';
export default defineExperiment({
  name: 'secret rollback',
  target: { kind: 'endpoints', endpoints: { api: ${JSON.stringify(service.url)} } },
  steadyState: { duration: '300ms' },
  traffic: probes.http({ endpoint: 'api', rate: 10 }),
  faults: [
    faults.exec({
      name: 'held',
      after: '100ms',
      duration: '5m',
      env: { PGPASSWORD: process.env.PGPASSWORD! },
      inject: "touch '${service.downFile}'",
      // Only the real password undoes it: proof that recover supplied it.
      rollback: "[ \\"$PGPASSWORD\\" = \\"$(cat '${expected}')\\" ] && rm -f '${service.downFile}'",
    }),
  ],
  duration: '10m',
});
`,
  );
  const runDir = path.join(dir, 'killed');
  const run = spawnCli(['run', file, '--out', runDir], { env });
  await waitForOutput(run.child, (text) => text.includes('fault held injected'), 30_000);
  run.child.kill('SIGKILL');
  record('killed run', await run.done);
  assert.ok(fs.existsSync(service.downFile), 'the killed run left its fault');
  assertNoSecretIn('journal of the killed run', fs.readFileSync(path.join(runDir, 'journal.ndjson'), 'utf8'));

  const { PGPASSWORD: _omitted, ...withoutPassword } = env;
  const without = record('recover without the secret', await runCli(['recover', runDir], { env: withoutPassword }));
  assert.is(without.code, 4, without.stdout + without.stderr);
  assert.match(
    without.stdout,
    new RegExp(
      String.raw`FAILED to revert held .*needs PGPASSWORD from the environment ` +
        String.raw`\(secret values are never written to the journal\); set it and run gameday recover again`,
    ),
  );
  assert.ok(fs.existsSync(service.downFile), 'nothing was run with a missing secret');

  const recovered = record('recover', await runCli(['recover', runDir], { env }));
  assert.is(recovered.code, 0, recovered.stdout + recovered.stderr);
  assert.match(recovered.stdout, /reverted held/);
  assert.not.ok(fs.existsSync(service.downFile), 'the rollback got the real password');
  for (const name of fs.readdirSync(runDir))
    assertNoSecretIn(`${name} after recover`, fs.readFileSync(path.join(runDir, name), 'utf8'));
});

test('nothing gameday printed, in any of these commands, shows a secret', () => {
  assert.ok(outputs.length >= 12, `${outputs.length} outputs recorded`);
  for (const { what, text } of outputs) assertNoSecretIn(what, text);
});

test.run();
