/**
 * The k6 probe through the real engine, with the k6 stand-in (test/support/k6-stand-in.js)
 * as the k6 on PATH: it replays a real k6 run's `--out json` lines
 * (test/fixtures/k6/xk6-dashboard-camel-snake) paced by their timestamps and checks the
 * flags gameday passes as k6 would. What is tested is gameday's side: the invocation and
 * what reaches the script, the output read while k6 writes it, the stop at the end of the
 * observation, the summary kept, the verdict, and that k6 does not outlive a killed gameday.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EventOf, JournalEvent } from '../../src/core/events';
import type { ExperimentConfig } from '../../src/experiment/schema';
import { waitUntil } from '../support/eventually';
import { flakyServicePerTest } from '../support/flaky-service';
import { runInline } from '../support/run';
import { tempDir } from '../support/temp-dir';

const service = flakyServicePerTest(test);
const root = path.join(__dirname, '..', '..');
const fixture = path.join(root, 'test', 'fixtures', 'k6', 'xk6-dashboard-camel-snake');
const standInDir = path.join(root, 'test', 'support', 'k6');
const script = path.join(fixture, 'script.js');

const of = <T extends JournalEvent['type']>(events: JournalEvent[], type: T) =>
  events.filter((event): event is EventOf<T> => event.type === type);

/** Runs with the stand-in as `k6` on PATH replaying the fixture at `speed`, and a gameday secret in the environment. */
async function withStandIn<T>(speed: number, run: (record: string) => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  const record = path.join(tempDir('k6-stand-in-'), 'invocation.json');
  Object.assign(process.env, {
    PATH: `${standInDir}${path.delimiter}${process.env.PATH}`,
    K6_STANDIN_FIXTURE: path.join(fixture, 'points.ndjson'),
    K6_STANDIN_SPEED: String(speed),
    K6_STANDIN_RECORD: record,
    AWS_SECRET_ACCESS_KEY: 'gameday-own-secret',
  });
  delete process.env.K6_BIN;
  try {
    return await run(record);
  } finally {
    process.env = saved;
  }
}

function shop(overrides: Partial<ExperimentConfig> = {}): ExperimentConfig {
  return {
    name: 'k6 probe',
    target: { kind: 'endpoints', endpoints: { api: service().url } },
    traffic: { kind: 'http', endpoint: 'api', path: '/health', rate: 20, timeout: '1s' },
    steadyState: { duration: '500ms' },
    hypothesis: { recovery: { successRatio: 0.95, window: '1s' } },
    probes: [{ kind: 'k6', name: 'shop', script, env: { SHOP_USER: 'drill' } }],
    faults: [
      {
        kind: 'exec',
        name: 'down',
        after: '1s',
        duration: '1s',
        inject: `touch ${service().downFile}`,
        rollback: `rm -f ${service().downFile}`,
      },
    ],
    duration: '3s',
    ...overrides,
  };
}

/** The requests k6 wrote to its --out json file, counted from the file itself. */
function requestsInOutput(runDir: string): number {
  return fs
    .readFileSync(path.join(runDir, 'k6', 'shop', 'points.json'), 'utf8')
    .split('\n')
    .filter((line) => line.includes('"type":"Point"') && line.includes('"metric":"http_reqs"')).length;
}

test('stopped at the end of the observation: the invocation, the output read live, the summary kept', async () => {
  await withStandIn(1, async (record) => {
    const result = await runInline(shop());
    assert.is(result.status, 'passed', result.summary.reason);
    const started = of(result.events, 'k6.started')[0];
    const [k6, ...args] = started.command;
    assert.is(k6, path.join(standInDir, 'k6'));
    assert.equal(args, [
      'run',
      `--out=json=${path.join(result.runDir, 'k6', 'shop', 'points.json')}`,
      `--summary-export=${path.join(result.runDir, 'k6', 'shop', 'summary-export.json')}`,
      '-e',
      `GAMEDAY_ENDPOINT_API=${service().url}`,
      '-e',
      `GAMEDAY_RUN_ID=${result.summary.runId}`,
      script,
    ]);
    const invocation = JSON.parse(fs.readFileSync(record, 'utf8'));
    assert.equal(invocation.argv, args, 'the stand-in parsed exactly that');
    assert.is(invocation.run.env.GAMEDAY_ENDPOINT_API, service().url);
    assert.is(invocation.cwd, fixture, "k6 runs in its script's folder");
    assert.ok(invocation.envKeys.includes('SHOP_USER'), "the probe's env reaches the script");
    assert.not.ok(invocation.envKeys.includes('AWS_SECRET_ACCESS_KEY'), "gameday's credentials do not");

    const finished = of(result.events, 'k6.finished')[0];
    assert.equal([finished.exitCode, finished.stoppedBy], [105, 'gameday'], JSON.stringify(finished));
    const observeEnd = of(result.events, 'phase').find((event) => event.phase === 'rollback')!.t;
    const samples = of(result.events, 'k6.samples');
    assert.ok(samples.length >= 2 && samples[0].t < observeEnd, 'samples were journaled while k6 ran');
    const journaled = samples.reduce((count, event) => count + event.requests.length, 0);
    assert.ok(journaled > 0 && journaled === requestsInOutput(result.runDir), `${journaled} requests journaled`);

    const k6Line = result.summary.probes.find((probe) => probe.probe === 'shop')!;
    assert.is(k6Line.requests, journaled);
    assert.equal(
      k6Line.k6!.thresholds!.find((t) => t.metric === 'http_req_duration'),
      {
        metric: 'http_req_duration',
        threshold: 'p(90) < 400',
        ok: true,
      },
    );
    assert.is(k6Line.k6!.met, true, k6Line.k6!.measured);
    for (const file of ['points.json', 'summary-export.json', 'k6.log'])
      assert.ok(fs.existsSync(path.join(result.runDir, 'k6', 'shop', file)), file);
    assert.match(fs.readFileSync(path.join(result.runDir, 'k6', 'shop', 'k6.log'), 'utf8'), /✓ http_req_duration/);
    const report = fs.readFileSync(path.join(result.runDir, 'report.md'), 'utf8');
    assert.match(report, /\| k6 shop: thresholds and exit \| stopped by gameday at the end of the observation/);
    assert.match(report, /\| shop\.camel \| \d+ \| \d+ \|/);
  });
});

test('k6 that ends before the observation: all of its output read, and the gap said', async () => {
  await withStandIn(2, async () => {
    const result = await runInline(shop());
    const finished = of(result.events, 'k6.finished')[0];
    assert.equal([finished.exitCode, finished.stoppedBy], [0, 'k6'], JSON.stringify(finished));
    const k6 = result.summary.probes.find((probe) => probe.probe === 'shop')!;
    assert.equal([k6.requests, k6.errors], [32, 10], 'the whole recording: 32 requests, 10 of them 404s');
    assert.equal(
      result.summary.journeys
        .filter((journey) => journey.name === 'shop.camel' || journey.name === 'shop.snake')
        .map((journey) => [journey.name, journey.samples, journey.failed]),
      [
        ['shop.camel', 16, 5],
        ['shop.snake', 16, 5],
      ],
    );
    assert.match(k6.k6!.note ?? '', /k6 ended at -?\+?\d+\.\d s, before the observation did/, k6.k6!.note ?? '');
    assert.is(k6.k6!.met, true, k6.k6!.measured);
  });
});

test('a k6 that refuses the script or its flags: the run ends before any fault, with what k6 said', async () => {
  await withStandIn(1, async () => {
    const config = shop();
    config.probes = [{ kind: 'k6', name: 'shop', script, args: ['--no-such-flag'] }];
    const result = await runInline(config);
    assert.is(result.status, 'error');
    assert.match(
      result.summary.reason,
      new RegExp(
        "^k6 probe shop could not start: k6 exit 255: .* before its first request; k6's log ends: " +
          'Error: unknown flag: --no-such-flag; nothing was injected$',
      ),
    );
    assert.not.ok(result.events.some((event) => event.type === 'fault.injecting'));
  });
});

test('no k6 anywhere: the run ends before the target is touched, saying how to fix it', async () => {
  const saved = process.env.PATH;
  process.env.PATH = path.dirname(process.execPath);
  try {
    const result = await runInline(shop());
    assert.is(result.status, 'error');
    assert.match(result.summary.reason, /^preflight: shop: k6 is not on PATH; install k6 .*; nothing was injected$/);
    assert.not.ok(result.events.some((event) => event.type === 'target.opened' || event.type === 'fault.injecting'));
  } finally {
    process.env.PATH = saved;
  }
});

test('a gameday killed with -9 does not leave k6 running: k6 is stopped as gameday would have', async () => {
  const dir = tempDir('k6-orphan-');
  const points = path.join(dir, 'points.json');
  const summaryExport = path.join(dir, 'summary-export.json');
  const starter = [
    `const { K6Process } = require(${JSON.stringify(path.join(root, 'src', 'probes', 'k6-process'))});`,
    `K6Process.start(${JSON.stringify({
      binary: path.join(standInDir, 'k6'),
      args: ['run', `--out=json=${points}`, `--summary-export=${summaryExport}`, script],
      env: { ...process.env, K6_STANDIN_FIXTURE: path.join(fixture, 'points.ndjson') },
      cwd: dir,
      logFile: path.join(dir, 'k6.log'),
      graceMs: 5000,
    })});`,
    'setInterval(() => {}, 1000);',
  ].join('\n');
  const gameday = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', starter], {
    cwd: root,
    stdio: 'ignore',
  });
  try {
    assert.ok(await waitUntil(() => fs.existsSync(points) && fs.statSync(points).size > 0, 15_000), 'k6 started');
    gameday.kill('SIGKILL');
    assert.ok(await waitUntil(() => fs.existsSync(summaryExport), 10_000), 'k6 wrote its summary, as on SIGINT');
    assert.match(fs.readFileSync(path.join(dir, 'k6.log'), 'utf8'), /aborted because k6 received a 'SIGINT' signal/);
    assert.ok(fs.readFileSync(points, 'utf8').split('\n').length < 327, 'stopped before the recording ended');
  } finally {
    gameday.kill('SIGKILL');
  }
});

test.run();
