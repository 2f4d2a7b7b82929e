import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot, runCli } from '../support/cli';

const corpus = path.join(repoRoot, 'test', 'fixtures', 'invalid');

// Each malformed file states on its first line the message a user must see. Files in
// subfolders (support/) are helpers the corpus imports, not experiments.
const corpusFiles = fs
  .readdirSync(corpus)
  .filter((file) => file.endsWith('.ts'))
  .sort();

test('the hostile-input corpus has at least 50 cases', () => {
  assert.ok(corpusFiles.length >= 50, `${corpusFiles.length} files`);
});

// One `validate` over the whole corpus (a CLI start per file would cost a second each):
// every file gets its own block, `invalid experiment (N problems):` (or `invalid scenario`)
// then its problems. A scenario's block may name only the experiment file a step points
// at, followed by `(in steps[i] of <the scenario>)`.
let corpusRun: { code: number | null; stdout: string; blocks: Map<string, string> } | undefined;
async function validateCorpus() {
  if (corpusRun) return corpusRun;
  const files = corpusFiles.map((name) => path.join('test', 'fixtures', 'invalid', name));
  const result = await runCli(['validate', ...files]);
  const blocks = new Map<string, string>();
  for (const block of result.stderr.split(/^(?=invalid (?:experiment|scenario))/m)) {
    const file = files.find((candidate) => block.includes(`${candidate}:`) || block.includes(`of ${candidate})`));
    if (file) blocks.set(file, (blocks.get(file) ?? '') + block);
  }
  corpusRun = { code: result.code, stdout: result.stdout, blocks };
  return corpusRun;
}

test('validating the corpus exits 2 and prints nothing on stdout', async () => {
  const { code, stdout } = await validateCorpus();
  assert.is(code, 2);
  assert.is(stdout, '');
});

for (const name of corpusFiles) {
  test(`invalid: ${name}`, async () => {
    const file = path.join('test', 'fixtures', 'invalid', name);
    const expected = fs
      .readFileSync(path.join(corpus, name), 'utf8')
      .split('\n')[0]
      .replace(/^\/\/ expect: /, '');
    const block = (await validateCorpus()).blocks.get(file);
    assert.ok(block, `no problem reported for ${file}`);
    assert.ok(block!.includes(expected), `expected ${JSON.stringify(expected)} in:\n${block}`);
    assert.not.match(block!, /\n\s+at .+:\d+:\d+/, 'no stack trace');
  });
}

test('one invalid file alone: exit 2, the message on stderr, nothing on stdout', async () => {
  const result = await runCli(['validate', path.join('test', 'fixtures', 'invalid', 'throws.ts')]);
  assert.is(result.code, 2);
  assert.match(result.stderr, /test\/fixtures\/invalid\/throws\.ts/);
  assert.is(result.stdout, '');
});

// `run` loads through the same function, so a sample of every sort of failure (loading,
// the export, the schema, cross-field checks) shows it refuses before anything starts: no
// run directory, so no journal and no fault.
const refusedByRun = [
  'circular-import.ts',
  'default-is-a-promise.ts',
  'getter-throws.ts',
  'throws.ts',
  'fault-ends-after-experiment.ts',
  'aws-fault-too-long.ts',
  'scenario-experiment-file-invalid.ts',
  'scenario-target-disagrees.ts',
];
test('run refuses invalid files with exit 2 before anything starts', async () => {
  for (const name of refusedByRun) {
    const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-invalid-'));
    fs.rmdirSync(reports);
    const run = await runCli(['run', path.join('test', 'fixtures', 'invalid', name), '--reports', reports, '--yes']);
    assert.is(run.code, 2, `run exit code for ${name}: ${run.stderr}`);
    assert.match(run.stderr, /^invalid (experiment|scenario)/, name);
    assert.not.ok(fs.existsSync(reports), `run of ${name} started nothing`);
  }
});

test('valid example experiments print OK and exit 0', async () => {
  const result = await runCli(['validate', 'experiments/http-outage-exec.ts']);
  assert.is(result.code, 0, result.stderr);
  assert.match(result.stdout, /^OK experiments\/http-outage-exec\.ts: api survives a 5s outage \(1 fault, 15s\)/);
});

test('a name of bidi-override and zero-width characters prints escaped: it cannot reverse or hide a line', async () => {
  for (const command of ['validate', 'plan']) {
    const result = await runCli([command, 'test/fixtures/valid/bidi-name.ts']);
    assert.is(result.code, 0, result.stderr);
    assert.match(result.stdout, /drill \\u202eevil\\u200b name/);
    assert.not.match(result.stdout, /[\u202e\u200b\r]/, 'no raw control, bidi or zero-width character');
  }
});

test('every example experiment users copy is valid', async () => {
  const examples = fs.readdirSync(path.join(repoRoot, 'experiments')).filter((file) => file.endsWith('.ts'));
  assert.ok(examples.length >= 6, examples.join(', '));
  const result = await runCli(['validate', ...examples.map((file) => `experiments/${file}`)]);
  assert.is(result.code, 0, result.stderr);
  assert.is(
    result.stdout
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('OK ')).length,
    examples.length,
  );
});

test('every example scenario is valid, its experiment steps with it', async () => {
  const scenarios = fs.readdirSync(path.join(repoRoot, 'scenarios')).filter((file) => file.endsWith('.ts'));
  assert.ok(scenarios.includes('region-gameday.ts'), scenarios.join(', '));
  const result = await runCli(['validate', ...scenarios.map((file) => `scenarios/${file}`)]);
  assert.is(result.code, 0, result.stderr);
  const steps = '10 steps: 2 notes, 4 experiments, 3 checkpoints, 1 wait';
  assert.ok(
    result.stdout.includes(`OK scenarios/region-gameday.ts: GameDay region failover (${steps}; expected `),
    result.stdout,
  );
});

test('plan of a scenario: the agenda, each experiment with its timeline, the length of the day', async () => {
  const result = await runCli(['plan', 'scenarios/region-gameday.ts', '--json']);
  assert.is(result.code, 0, result.stderr);
  const plan = JSON.parse(result.stdout);
  assert.is(plan.scenario, 'region failover');
  assert.equal(
    plan.steps.map((step: { kind: string }) => step.kind),
    [
      'note',
      'experiment',
      'checkpoint',
      'experiment',
      'checkpoint',
      'experiment',
      'wait',
      'checkpoint',
      'experiment',
      'note',
    ],
  );
  const steps = plan.steps as Array<{ atMs: number; expectedMs: number; timeline?: Array<{ action: string }> }>;
  assert.is(plan.expectedMs, steps.at(-1)!.atMs + steps.at(-1)!.expectedMs);
  assert.ok(steps[8].timeline!.some((line) => line.action.startsWith('inject us-east-1-offline (regionOutage)')));
  const text = await runCli(['plan', 'scenarios/region-gameday.ts']);
  assert.match(text.stdout, /^expected length of the day: \S+, plus however long 3 checkpoint decisions take$/m);
  assert.match(text.stdout, /^target, opened once for the whole day: lab: /m);
});

test('gate and failover take one experiment: a scenario is refused with where it belongs', async () => {
  const result = await runCli(['gate', 'scenarios/region-gameday.ts']);
  assert.is(result.code, 2);
  assert.match(
    result.stderr,
    /scenarios\/region-gameday\.ts: is a GameDay scenario, and this command takes one experiment/,
  );
});

test('several files: every one is reported and the exit code is 2 if any is invalid', async () => {
  const result = await runCli([
    'validate',
    'experiments/http-outage-exec.ts',
    'test/fixtures/invalid/zero-rate.ts',
    'test/fixtures/invalid/missing-name.ts',
  ]);
  assert.is(result.code, 2);
  assert.match(result.stdout, /OK experiments\/http-outage-exec\.ts/);
  assert.match(result.stderr, /zero-rate\.ts: traffic\.rate/);
  assert.match(result.stderr, /missing-name\.ts: name: is required/);
});

test('a missing file is an invalid input, exit 2', async () => {
  const result = await runCli(['validate', 'experiments/nope.ts']);
  assert.is(result.code, 2);
  assert.match(result.stderr, /experiments\/nope\.ts: no such file/);
});

test('usage errors exit 2 and point at --help', async () => {
  const unknown = await runCli(['frobnicate']);
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /gameday --help/);
  const missing = await runCli(['run']);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /Not enough non-option arguments/);
});

test('--help lists the commands and exits 0', async () => {
  const result = await runCli(['--help']);
  assert.is(result.code, 0);
  for (const command of ['validate', 'plan', 'run']) assert.match(result.stdout, new RegExp(`gameday ${command}`));
});

test('plan prints the timeline and runs nothing', async () => {
  const result = await runCli(['plan', 'experiments/http-outage-exec.ts', '--json'], {
    env: { DOWN_FILE: '/tmp/gameday-plan-test/down' },
  });
  assert.is(result.code, 0, result.stderr);
  const plan = JSON.parse(result.stdout);
  const actions = plan.steps.map((step: { action: string }) => step.action).join('\n');
  assert.match(actions, /inject api-returns-503 \(exec\)/);
  assert.match(actions, /revert api-returns-503/);
  assert.equal(plan.steps.find((s: { action: string }) => s.action.startsWith('inject')).atMs, 3000);
  assert.not.ok(fs.existsSync('/tmp/gameday-plan-test/down'), 'plan injected nothing');
});

for (const packageType of ['commonjs', 'module']) {
  test(`a user's own project (package type ${packageType}) imports from 'gameday'`, async () => {
    // As after `npm install gameday`: node_modules/gameday and node_modules/.bin/gameday.
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-user-'));
    try {
      fs.mkdirSync(path.join(project, 'node_modules', '.bin'), { recursive: true });
      fs.mkdirSync(path.join(project, 'experiments'));
      fs.symlinkSync(repoRoot, path.join(project, 'node_modules', 'gameday'));
      fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'user-project', type: packageType }));
      // A typical ESM-flavoured tsconfig must not break loading.
      fs.writeFileSync(
        path.join(project, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { module: 'esnext', moduleResolution: 'bundler' } }),
      );
      fs.writeFileSync(
        path.join(project, 'experiments', 'mine.ts'),
        [
          "import { defineExperiment, faults, probes } from 'gameday';",
          'export default defineExperiment({',
          "  name: 'from a user project',",
          "  traffic: probes.http({ endpoint: 'app' }),",
          "  faults: [faults.healthCheckFailure({ region: 'us-east-1', after: '2s', duration: '5s' })],",
          '});',
        ].join('\n'),
      );
      const bin = path.join(project, 'node_modules', 'gameday', 'bin', 'gameday');
      const result = await runCli(['validate', 'experiments/mine.ts'], { cwd: project, bin });
      assert.is(result.code, 0, result.stderr);
      assert.match(result.stdout, /^OK experiments\/mine\.ts: from a user project \(1 fault, 22s\)/);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
}

test.run();
