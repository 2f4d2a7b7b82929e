import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { parse as parseJunit } from 'junit2json';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, type CliResult } from '../support/cli';
import { flakyServicePerTest, startFlakyService, type FlakyService } from '../support/flaky-service';

const service = flakyServicePerTest(test);
let reports: string;

test.before.each(() => {
  reports = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-gate-'));
});
test.after.each(() => {
  fs.rmSync(reports, { recursive: true, force: true });
});

const fixture = 'test/fixtures/valid/gate-outage.ts';
const env = (extra: Record<string, string> = {}, on: FlakyService = service()) => ({
  API_URL: on.url,
  DOWN_FILE: on.downFile,
  GITHUB_STEP_SUMMARY: '',
  ...extra,
});

// The passing and the failing gate are run once each, into one reports directory: their own tests read their
// output, and the report test re-renders and charts the same two runs.
const history = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-gate-history-'));
const historyService = startFlakyService();
const gates = new Map<string, Promise<{ result: CliResult; out: string }>>();
function gate(dir: 'run-1' | 'run-2', args: string[]) {
  const out = path.join(history, dir);
  if (!gates.has(dir))
    gates.set(
      dir,
      historyService.then(async (on) => ({
        result: await runCli(['gate', fixture, '--out', out, '--no-pdf', ...args], { env: env({}, on) }),
        out,
      })),
    );
  return gates.get(dir)!;
}
const passedGate = () => gate('run-1', []);
const failedGate = () => gate('run-2', ['--max-rto', '1ms', '--max-budget', '10%']);
test.after(async () => {
  await (await historyService).close();
  fs.rmSync(history, { recursive: true, force: true });
});

/** junit.xml must be well-formed XML and parse as JUnit; returns its one testsuite. */
async function readJunit(runDir: string) {
  const xml = fs.readFileSync(path.join(runDir, 'junit.xml'), 'utf8');
  assert.is(XMLValidator.validate(xml), true, 'well-formed XML');
  const parsed = await parseJunit(xml);
  assert.ok(parsed && 'testsuite' in parsed && parsed.testsuite?.length === 1, 'one testsuite');
  return (
    parsed as { testsuite: NonNullable<Awaited<ReturnType<typeof parseJunit>> & { testsuite: unknown[] }>['testsuite'] }
  ).testsuite[0] as {
    name: string;
    tests: number;
    failures: number;
    testcase: Array<{ name: string; failure?: Array<{ message?: string; inner?: string }>; error?: unknown[] }>;
  };
}

test('gate exits 0 when every objective is met, prints one line per objective and writes junit.xml', async () => {
  const { result, out } = await passedGate();
  assert.is(result.code, 0, result.stderr + result.stdout);
  const lines = result.stdout.trim().split('\n');
  assert.is(lines[0], 'PASSED  gate outage');
  assert.match(result.stdout, /^ {2}ok {3}RTO \(client-observed\): [\d.]+m?s \(objective ≤ 5s\)$/m);
  assert.match(
    result.stdout,
    /^ {2}ok {3}SLO api availability \(99\.9% over 30d\): budget: .* \(objective budget<50%\)$/m,
  );
  assert.match(result.stdout, /^ {2}junit .*junit\.xml$/m);
  const suite = await readJunit(out);
  assert.is(suite.name, 'gate outage');
  // RTO, two SLO thresholds, steady state.
  assert.is(suite.testcase.length, 4);
  assert.is(suite.tests, 4);
  assert.is(suite.failures, 0);
  assert.ok(suite.testcase.every((testcase) => !testcase.failure && !testcase.error));
  for (const file of ['summary.json', 'report.md', 'report.html', 'junit.xml'])
    assert.ok(fs.existsSync(path.join(out, file)), file);
  assert.not.ok(fs.existsSync(path.join(out, 'report.pdf')), '--no-pdf');
});

test('gate --max-rto 1ms overrides the file: exits 1, and the junit failure says measured vs objective', async () => {
  const { result, out } = await failedGate();
  assert.is(result.code, 1, result.stderr + result.stdout);
  assert.match(result.stdout, /^FAILED {2}gate outage$/m);
  assert.match(result.stdout, /^ {2}FAIL RTO \(client-observed\): [\d.]+m?s \(objective ≤ 1ms\)$/m);
  const suite = await readJunit(out);
  assert.is(suite.testcase.length, 4, 'the budget threshold replaced, not added');
  assert.is(suite.failures, 1);
  const rto = suite.testcase.find((testcase) => testcase.name === 'RTO (client-observed)')!;
  assert.ok(rto.failure, 'RTO is a failure');
  assert.match(rto.failure![0].message ?? '', /RTO \(client-observed\): [\d.]+m?s \(objective ≤ 1ms\)/);
  assert.match(rto.failure![0].inner ?? '', /measured: [\d.]+m?s\nobjective: ≤ 1ms/);
  assert.ok(
    suite.testcase.some((testcase) => testcase.name.endsWith(': budget')),
    'budget testcase',
  );
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
  assert.equal(
    summary.slos[0].thresholds.map((threshold: { text: string }) => threshold.text),
    ['burn<2000', 'budget<=10%'],
  );
});

test('gate --json prints summary.json alone on stdout', async () => {
  const out = path.join(reports, 'json');
  const result = await runCli(['gate', fixture, '--out', out, '--no-pdf', '--json', '--max-rto', '30s'], {
    env: env(),
  });
  assert.is(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.is(summary.rto.objectiveMs, 30_000);
  assert.ok(fs.existsSync(path.join(out, 'junit.xml')));
});

for (const [label, args, extraEnv, message] of [
  ['an unparsable --max-rto', ['--max-rto', 'soon'], {}, /--max-rto: expected a duration like '60s'.*got "soon"/],
  ['an unparsable --max-budget', ['--max-budget', 'lots'], {}, /--max-budget: expected a percentage/],
  [
    '--max-budget on an experiment without SLOs',
    ['--max-budget', '10%'],
    { SLOS: '0' },
    /gate-outage\.ts: slos: --max-budget needs an SLO/,
  ],
  [
    '--max-rpo without a write ledger',
    ['--max-rpo', '1s'],
    {},
    /gate-outage\.ts: probes: --max-rpo needs a write ledger/,
  ],
  ['an unknown flag', ['--max-latency', '1s'], {}, /Unknown argument/],
] as const) {
  test(`gate exits 2 for ${label}, and injects nothing`, async () => {
    const out = path.join(reports, 'invalid');
    const result = await runCli(['gate', fixture, '--out', out, '--no-pdf', ...args], { env: env(extraEnv) });
    assert.is(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
    assert.not.match(result.stderr, /\n\s+at /, 'no stack trace');
    assert.not.ok(fs.existsSync(out), 'nothing ran');
    // The inject leaves this behind (its rollback removes only the down file).
    assert.not.ok(fs.existsSync(`${service().downFile}.injected`), 'nothing injected');
  });
}

test('gate exits 2 for an invalid experiment file', async () => {
  const result = await runCli(['gate', 'test/fixtures/invalid/bad-ratio.ts', '--no-pdf'], { env: env() });
  assert.is(result.code, 2, result.stderr);
  assert.match(result.stderr, /invalid experiment/);
});

test('report re-renders every report from the journal; --history builds the trend page over two runs', async () => {
  const [passed, failed] = [await passedGate(), await failedGate()];
  assert.equal([passed.result.code, failed.result.code], [0, 1]);
  const first = passed.out;

  for (const file of ['summary.json', 'report.md', 'report.html', 'junit.xml']) fs.rmSync(path.join(first, file));
  const rerender = await runCli(['report', first, '--no-pdf'], { env: env() });
  assert.is(rerender.code, 0, rerender.stderr);
  for (const file of ['summary.json', 'report.md', 'report.html', 'junit.xml']) {
    assert.ok(fs.existsSync(path.join(first, file)), file);
    assert.match(rerender.stdout, new RegExp(`wrote .*${file.replace('.', '\\.')}`));
  }
  assert.is(JSON.parse(fs.readFileSync(path.join(first, 'summary.json'), 'utf8')).status, 'passed');
  assert.is((await readJunit(first)).testcase.length, 4);

  const trends = await runCli(['report', '--history', history, '--json'], { env: env() });
  assert.is(trends.code, 0, trends.stderr);
  const trend = JSON.parse(trends.stdout);
  assert.is(trend.schema, 'gameday/history/v1');
  assert.is(trend.experiments.length, 1);
  const runs = trend.experiments[0].runs;
  assert.equal(
    runs.map((run: { dir: string }) => run.dir),
    ['run-1', 'run-2'],
  );
  assert.equal(
    runs.map((run: { status: string }) => run.status),
    ['passed', 'failed'],
  );
  assert.equal(
    runs.map((run: { rtoObjectiveMs: number }) => run.rtoObjectiveMs),
    [5_000, 1],
  );
  assert.ok(
    runs.every(
      (run: { rtoMs: number; slos: Array<{ budgetConsumedPct: number }> }) =>
        run.rtoMs > 0 && run.slos[0].budgetConsumedPct > 0,
    ),
  );
  const html = fs.readFileSync(path.join(history, 'history.html'), 'utf8');
  assert.is((html.match(/<svg/g) ?? []).length, 3, 'the score over time, RTO and budget trends (no RPO, no ledger)');
  // Untagged, the experiment is its own service; run-2's RTO against 1 ms counts next to nothing, its budget fully.
  const [service] = trend.services;
  assert.equal([trend.services.length, service.service, service.tagged], [1, 'gate outage', false]);
  assert.ok(service.score > 49 && service.score < 51, `${service.score}`);
  assert.match(html, /<h2>Resilience score<\/h2>/);
  assert.match(html, /No drill measured an RPO/);
  assert.match(html, /href="run-2\/report\.html"/);
  assert.ok(fs.existsSync(path.join(history, 'history.json')));

  // Both runs were sealed as they ended, the second chained to the first; report re-rendered run-1's
  // reports from the same journal, byte for byte, so its evidence still holds.
  const verified = await runCli(['verify', history], { env: env() });
  assert.is(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /^ok {7}run-1: journal and 4 reports as sealed at .*, first of its directory; /m);
  assert.match(verified.stdout, /^ok {7}run-2: journal and 4 reports as sealed at .*, chained to run-1; /m);
  const journal = path.join(first, 'journal.ndjson');
  const bytes = fs.readFileSync(journal);
  bytes[bytes.indexOf('"status":"passed"') + 10] = 'P'.charCodeAt(0);
  fs.writeFileSync(journal, bytes);
  const tampered = await runCli(['verify', history], { env: env() });
  assert.is(tampered.code, 1, tampered.stdout + tampered.stderr);
  assert.match(tampered.stdout, /^CHANGED {2}run-1: journal\.ndjson changed since the run was sealed/m);
  assert.match(tampered.stdout, /^NOT VERIFIED: 1 of 2 sealed runs changed since sealed$/m);
});

test('report exits 2 for a directory without a journal', async () => {
  const result = await runCli(['report', reports, '--no-pdf'], { env: env() });
  assert.is(result.code, 2, result.stderr);
  assert.match(result.stderr, /no journal\.ndjson here/);
});

test.run();
