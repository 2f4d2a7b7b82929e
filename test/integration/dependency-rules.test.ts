/**
 * The layering holds itself: the dependency check passes on src/, and fails — naming the
 * rule — on a tree where every rule is broken once by a planted wrong-way import. And the
 * analysis and the reports load without the AWS SDK (reading a journal needs no cloud), and validating or planning
 * an experiment — one with FIS and Route 53 faults too — loads none of it until something calls AWS.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from '../support/cli';

const run = promisify(execFile);
const config = path.join(repoRoot, '.dependency-cruiser.cjs');

interface Checked {
  dir: string;
  exitCode: number;
  output: string;
}

/**
 * The dependency check over src/ and every planted tree, in one process (a Node start and a load of
 * dependency-cruiser per tree would cost seconds each): asked for once, read by each test.
 */
let checked: Promise<Map<string, Checked>> | undefined;
function checkAll(): Promise<Map<string, Checked>> {
  checked ??= (async () => {
    const { stdout } = await run(process.execPath, [
      path.join(repoRoot, 'test', 'support', 'dependency-check.js'),
      config,
      repoRoot,
      ...Object.values(trees),
    ]);
    return new Map((JSON.parse(stdout) as Checked[]).map((result) => [result.dir, result]));
  })();
  return checked;
}

test('src/ keeps every rule', async () => {
  const { exitCode, output } = (await checkAll()).get(repoRoot)!;
  assert.is(exitCode, 0, output);
  assert.match(output, /no dependency violations found/);
});

/** Files of a small tree, each importing what breaks one rule; every other import in it is allowed. */
const planted: Record<string, { files: Record<string, string> }> = {
  'no-circular': { files: { 'src/probes/a.ts': "import './b';", 'src/probes/b.ts': "import './a';" } },
  'core-is-the-ground': { files: { 'src/core/journal.ts': "import '../engine/run';", 'src/engine/run.ts': '' } },
  'measure-is-pure': { files: { 'src/measure/rto.ts': "import '../core/clock';", 'src/core/clock.ts': '' } },
  'lab-stands-alone': { files: { 'src/lab/lab.ts': "import '../targets/lab';", 'src/targets/lab.ts': '' } },
  'aws-stands-alone': { files: { 'src/aws/clients.ts': "import '../targets/session';", 'src/targets/session.ts': '' } },
  'prometheus-stands-alone': {
    files: { 'src/prometheus/client.ts': "import '../probes/periodic';", 'src/probes/periodic.ts': '' },
  },
  'lab-behind-targets': { files: { 'src/probes/sql.ts': "import '../lab/topology';", 'src/lab/topology.ts': '' } },
  'faults-use-only-the-lab-client': {
    files: { 'src/faults/direct.ts': "import '../lab/manager';", 'src/lab/manager.ts': '' },
  },
  'targets-below-kinds': {
    files: { 'src/targets/lab.ts': "import '../probes/resolver';", 'src/probes/resolver.ts': '' },
  },
  'kinds-below-experiment': {
    files: { 'src/faults/exec.ts': "import '../experiment/schema';", 'src/experiment/schema.ts': '' },
  },
  'faults-probes-apart': { files: { 'src/probes/http.ts': "import '../failover/spec';", 'src/failover/spec.ts': '' } },
  'experiment-below-analysis': {
    files: { 'src/experiment/validate.ts': "import '../analysis/judge';", 'src/analysis/judge.ts': '' },
  },
  'analysis-below-report': {
    files: { 'src/analysis/summarize.ts': "import '../report/files';", 'src/report/files.ts': '' },
  },
  'report-below-engine': { files: { 'src/report/files.ts': "import '../engine/run';", 'src/engine/run.ts': '' } },
  'report-below-notify': { files: { 'src/report/files.ts': "import '../notify/slack';", 'src/notify/slack.ts': '' } },
  'notify-below-engine': { files: { 'src/notify/slack.ts': "import '../engine/run';", 'src/engine/run.ts': '' } },
  'scenario-above-engine': {
    files: { 'src/engine/run.ts': "import '../scenario/run';", 'src/scenario/run.ts': '' },
  },
  'compare-above-engine': {
    files: { 'src/report/files.ts': "import '../compare/run';", 'src/compare/run.ts': '' },
  },
  'schedule-above-scenario': {
    files: { 'src/scenario/run.ts': "import '../schedule/scheduler';", 'src/schedule/scheduler.ts': '' },
  },
  'cli-is-the-top': { files: { 'src/engine/run.ts': "import '../cli/output';", 'src/cli/output.ts': '' } },
  'yargs-only-in-cli': { files: { 'src/engine/run.ts': "import 'yargs';" } },
};

/** Each rule's tree, written before the tests (the check reads them all at once) and removed after. */
const trees: Record<string, string> = {};
test.before(() => {
  for (const [rule, { files }] of Object.entries(planted)) {
    const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-deps-'));
    trees[rule] = tree;
    fs.writeFileSync(
      path.join(tree, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'commonjs', moduleResolution: 'node' }, include: ['src'] }),
    );
    // yargs resolves from the repo, as the real tree's would.
    fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(tree, 'node_modules'));
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(tree, file)), { recursive: true });
      fs.writeFileSync(path.join(tree, file), `${text}\nexport {};\n`);
    }
  }
});
test.after(() => {
  for (const tree of Object.values(trees)) fs.rmSync(tree, { recursive: true, force: true });
});

for (const rule of Object.keys(planted)) {
  test(`a planted wrong-way import breaks ${rule}, and the check says so`, async () => {
    const { exitCode, output } = (await checkAll()).get(trees[rule])!;
    assert.is.not(exitCode, 0, output);
    assert.match(output, new RegExp(`error ${rule}:`), output);
    const broken = new Set([...output.matchAll(/error ([\w-]+):/g)].map((match) => match[1]));
    assert.equal([...broken], [rule], `only ${rule} is broken:\n${output}`);
  });
}

test('the analysis and the reports load without the AWS SDK or the lab', async () => {
  const modules = [
    'analysis/summarize',
    'analysis/judge',
    'analysis/summarize-scenario',
    'report/markdown',
    'report/junit',
    'report/rerender',
    'report/scenario/rerender',
    'notify/run-messages',
    'notify/day-messages',
  ];
  const script = `
    for (const module of ${JSON.stringify(modules)}) require('./src/' + module);
    const loaded = Object.keys(require.cache);
    const sdk = loaded.filter((m) => m.includes('@aws-sdk'));
    const lab = loaded.filter((m) => /src\\/lab\\/(?!state)/.test(m));
    console.log(JSON.stringify({ sdk, lab }));
  `;
  const { stdout } = await run(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
    cwd: repoRoot,
  });
  assert.equal(JSON.parse(stdout), { sdk: [], lab: [] });
});

test('validate and plan load no AWS SDK package, even for an experiment with FIS and Route 53 faults', async () => {
  const examples = fs
    .readdirSync(path.join(repoRoot, 'experiments'))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => `experiments/${file}`);
  assert.ok(examples.includes('experiments/aws-region-failover.ts'), 'an AWS experiment among them');
  const script = `
    const { main } = require('./src/cli/main');
    (async () => {
      const validated = await main(['validate', ...${JSON.stringify(examples)}]);
      const planned = await main(['plan', 'experiments/aws-region-failover.ts', '--json']);
      const sdk = Object.keys(require.cache).filter((m) => m.includes('@aws-sdk'));
      // The SDK does load on its first use.
      require('./src/aws/sdk').sdk.route53.GetHealthCheckCommand;
      const route53 = Object.keys(require.cache).some((m) => m.includes('@aws-sdk/client-route-53'));
      process.stderr.write(JSON.stringify({ validated, planned, sdk, route53 }));
    })();
  `;
  const { stderr } = await run(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
  });
  assert.equal(JSON.parse(stderr.trim().split('\n').at(-1)!), { validated: 0, planned: 0, sdk: [], route53: true });
});

test.run();
