/**
 * The k6 probe's pure parts: its schema and checks, how it invokes k6 and what environment
 * k6 gets, finding the binary, k6's summary export (k6's own test of its format), and the
 * verdict on how k6 ended.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EventOf } from '../../src/core/events';
import { planExperiment } from '../../src/engine/plan';
import { validateExperiment } from '../../src/experiment/validate';
import { endpointVariable, k6Environment, k6RunArgs, type K6Probe } from '../../src/probes/k6';
import { K6NotFoundError, locateK6 } from '../../src/probes/k6-binary';
import { thresholdsOfSummaryExport } from '../../src/probes/k6-summary-export';
import { judgeK6 } from '../../src/probes/k6-verdict';
import { tempDir } from '../support/temp-dir';
import { issuesOf } from '../support/validation';

const fixtures = path.join(__dirname, '..', 'fixtures', 'k6');
const script = path.join(fixtures, 'xk6-dashboard-camel-snake', 'script.js');
const standInDir = path.join(__dirname, '..', 'support', 'k6');

const experiment = (probe: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name: 'k6',
  target: { kind: 'endpoints', endpoints: { 'shop-eu': 'http://127.0.0.1:9/', api: 'http://127.0.0.1:8/' } },
  traffic: { kind: 'http', endpoint: 'api' },
  probes: [{ kind: 'k6', name: 'shop', ...probe }],
  ...extra,
});

test('a script relative to the experiment file is made absolute; one that is not there is refused', () => {
  const file = path.join(fixtures, 'experiment.ts');
  const valid = validateExperiment(experiment({ script: 'xk6-dashboard-camel-snake/script.js' }), file);
  assert.is((valid.probes[0] as K6Probe).script, script);
  assert.equal(issuesOf(experiment({ script: 'missing.js' })), [
    `probes[0].script: no such file: ${path.resolve('missing.js')} (a k6 script, relative to the experiment file)`,
  ]);
});

test('the schema: defaults, durations, and what it refuses', () => {
  const probe = validateExperiment(experiment({ script, duration: '90s' }), 'x.ts').probes[0] as K6Probe;
  assert.equal(
    { ...probe, script: undefined },
    {
      kind: 'k6',
      name: 'shop',
      script: undefined,
      env: {},
      duration: 90_000,
      args: [],
      regionTag: 'region',
      stopTimeout: 30_000,
    },
  );
  assert.equal(issuesOf(experiment({ script, vus: 0 })), [
    'probes[0].vus: expected a number of virtual users, a whole number > 0, got number 0',
  ]);
  assert.equal(issuesOf(experiment({ script, args: ['--summary-export=mine.json'] })), [
    'probes[0].args[0]: gameday passes --summary-export itself (it reads the thresholds from it); for a summary of ' +
      'your own, give the script a handleSummary()',
  ]);
  assert.equal(issuesOf(experiment({})), ['probes[0].script: is required (expected string)']);
});

test('gameday plan: the k6 probe started with the endpoints it gets, k6 looked for before the target is opened', () => {
  const steps = planExperiment(validateExperiment(experiment({ script, vus: 3 }), 'x.ts'));
  assert.ok(
    steps.some(
      (step) =>
        step.phase === 'steady-state' &&
        step.action ===
          'start k6 probe shop (k6: K6_BIN or on PATH, asked `k6 version` before the target is opened): ' +
            `k6 run ${script} (3 VUs) with GAMEDAY_ENDPOINT_SHOP_EU, GAMEDAY_ENDPOINT_API; stopped with SIGINT at ` +
            'the end of the observation (k6 gets 30000 ms to write its summary)',
    ),
    JSON.stringify(steps),
  );
});

test('two endpoints that would reach the script under one variable are refused', () => {
  const clash = experiment(
    { script },
    { target: { kind: 'endpoints', endpoints: { 'a-b': 'http://x/', a_b: 'http://y/' } } },
  );
  clash.traffic = { kind: 'http', endpoint: 'a-b' };
  assert.equal(issuesOf(clash), ['probes[0]: endpoints "a-b" and "a_b" would both be GAMEDAY_ENDPOINT_A_B']);
});

test('RTO objectives may name the journeys a k6 probe will report: <probe>.<scenario> and the like', () => {
  assert.equal(issuesOf(experiment({ script }, { hypothesis: { rto: { shop: '20s', 'shop.checkout': '30s' } } })), []);
  const [unknown] = issuesOf(experiment({ script }, { hypothesis: { rto: { 'cart.checkout': '30s' } } }));
  assert.match(unknown, /unknown journey "cart\.checkout"; the experiment's journeys: .*shop, shop\.<name>/);
});

test('SLOs and latency guards may name a k6 probe, as they name an http probe', () => {
  assert.equal(
    issuesOf(
      experiment(
        { script },
        {
          slos: [{ name: 'shop-latency', sli: 'latency', threshold: '300ms', objective: 99, probe: 'shop' }],
          stopConditions: [{ kind: 'latency', above: '2s', probe: 'shop' }],
        },
      ),
    ),
    [],
  );
});

test('k6 run as gameday invokes it: its output and summary files, every endpoint and the run as -e', () => {
  const probe = validateExperiment(experiment({ script, vus: 5, duration: '1m', args: ['--tag', 'team=shop'] }), 'x.ts')
    .probes[0] as K6Probe;
  const files = { points: '/run/k6/shop/points.json', summaryExport: '/run/k6/shop/summary-export.json', log: '/l' };
  assert.equal(k6RunArgs(probe, { endpoints: { 'shop-eu': 'http://eu/', api: 'http://api/' }, runId: 'r1', files }), [
    'run',
    '--out=json=/run/k6/shop/points.json',
    '--summary-export=/run/k6/shop/summary-export.json',
    '-e',
    'GAMEDAY_ENDPOINT_SHOP_EU=http://eu/',
    '-e',
    'GAMEDAY_ENDPOINT_API=http://api/',
    '-e',
    'GAMEDAY_RUN_ID=r1',
    '--vus=5',
    '--duration=60000ms',
    '--tag',
    'team=shop',
    script,
  ]);
  assert.is(endpointVariable('db.eu-west-1'), 'GAMEDAY_ENDPOINT_DB_EU_WEST_1');
});

test("k6 gets what it needs of gameday's environment and the probe's env, not gameday's credentials", () => {
  const env = k6Environment(
    {
      PATH: '/bin',
      HOME: '/home/sre',
      HTTPS_PROXY: 'http://proxy:3128',
      K6_CLOUD_TOKEN: 'k6-token',
      K6_BIN: '/opt/k6',
      AWS_SECRET_ACCESS_KEY: 'aws-secret',
      SLACK_BOT_TOKEN: 'xoxb-1',
      PGPASSWORD: 'pg',
    },
    { API_KEY: 'from-the-probe' },
  );
  assert.equal(env, {
    PATH: '/bin',
    HOME: '/home/sre',
    HTTPS_PROXY: 'http://proxy:3128',
    K6_CLOUD_TOKEN: 'k6-token',
    API_KEY: 'from-the-probe',
  });
});

test('k6 is found on PATH or through K6_BIN, with what `k6 version` says; its absence is said with a fix', async () => {
  const found = await locateK6({ PATH: `${standInDir}${path.delimiter}${process.env.PATH}` });
  assert.is(found.path, path.join(standInDir, 'k6'));
  assert.match(found.version, /^k6 v0\.0\.0-stand-in/);
  assert.is((await locateK6({ K6_BIN: path.join(standInDir, 'k6'), PATH: process.env.PATH })).path, found.path);

  const empty = tempDir('no-k6-');
  const missing = await locateK6({ PATH: empty }).catch((error: unknown) => error);
  assert.instance(missing, K6NotFoundError);
  assert.match((missing as Error).message, /^k6 is not on PATH; install k6 \(https:\/\/grafana\.com\/docs\/k6/);
  const notExecutable = path.join(empty, 'k6');
  fs.writeFileSync(notExecutable, '');
  const refused = await locateK6({ K6_BIN: notExecutable, PATH: empty }).catch((error: unknown) => error);
  assert.match((refused as Error).message, new RegExp(`^K6_BIN=${notExecutable} is not an executable file`));
});

test("k6's summary export: a threshold maps to whether it FAILED (k6's own test of the format)", () => {
  const exported = JSON.parse(fs.readFileSync(path.join(fixtures, 'k6-summary-export', 'summary-export.json'), 'utf8'));
  assert.equal(thresholdsOfSummaryExport(exported), [
    { metric: 'checks', threshold: 'rate>70', ok: true },
    { metric: 'http_reqs', threshold: 'rate<100', ok: false },
    { metric: 'my_trend', threshold: 'my_trend<1000', ok: false },
  ]);
  assert.throws(() => thresholdsOfSummaryExport({ root_group: {} }), /no "metrics" object/);
  assert.throws(
    () => thresholdsOfSummaryExport({ metrics: { http_reqs: { thresholds: { 'rate<1': 'yes' } } } }),
    /threshold "rate<1" of http_reqs is not a boolean/,
  );
});

const finished = (fields: Partial<EventOf<'k6.finished'>>): EventOf<'k6.finished'> => ({
  type: 'k6.finished',
  seq: 1,
  t: 0,
  probe: 'shop',
  exitCode: 0,
  signal: null,
  stoppedBy: 'k6',
  thresholds: [],
  declared: [],
  malformedLines: 0,
  note: null,
  ...fields,
});
const held = [{ metric: 'http_req_failed', threshold: 'rate<0.01', ok: true }];
const crossed = [{ metric: 'http_req_duration', threshold: 'p(95)<500', ok: false }, ...held];

test('how k6 ended, judged: thresholds, the exit code, and who stopped it', () => {
  const cases: Array<[Partial<EventOf<'k6.finished'>> | null, boolean | null, string]> = [
    [{ thresholds: held }, true, 'k6 exit 0: finished; 1 held'],
    [{ thresholds: null }, true, 'k6 exit 0: finished; no summary export, so the thresholds are not listed'],
    [
      { exitCode: 105, stoppedBy: 'gameday', thresholds: [] },
      true,
      'stopped by gameday at the end of the observation; the script declares no thresholds',
    ],
    [
      { exitCode: 105, stoppedBy: 'gameday', thresholds: crossed },
      false,
      'thresholds crossed: http_req_duration p(95)<500 (stopped by gameday at the end of the observation)',
    ],
    [
      { exitCode: 99, thresholds: crossed },
      false,
      'thresholds crossed: http_req_duration p(95)<500 (k6 exit 99: thresholds crossed)',
    ],
    [
      { exitCode: 99, thresholds: null },
      false,
      'k6 exit 99: thresholds crossed (k6 left no summary export saying which)',
    ],
    [{ exitCode: 107, thresholds: null }, false, 'k6 exit 107: the script threw an exception'],
    [{ exitCode: 105, stoppedBy: 'k6', thresholds: held }, false, 'k6 exit 105: stopped by a signal'],
    [
      { exitCode: 105, stoppedBy: 'gameday', thresholds: null },
      null,
      'stopped by gameday at the end of the observation; no summary export to judge its thresholds by',
    ],
    [{ exitCode: null, signal: 'SIGKILL', stoppedBy: 'gameday', thresholds: null }, null, 'k6 was killed by SIGKILL'],
    [null, null, 'k6 did not finish before the run ended'],
  ];
  for (const [fields, met, measured] of cases)
    assert.equal(judgeK6(fields && finished(fields)), { met, measured }, JSON.stringify(fields));
});

test.run();
