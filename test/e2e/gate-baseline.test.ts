/**
 * `gameday gate --baseline` on real labs: a rerun of the baseline's configuration passes,
 * the same drill with slower health checks (the planted regression) fails on its RTO,
 * with the comparison in junit.xml and the job summary. Each run starts its own ephemeral
 * lab, since the health-check interval is the lab's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseJunit, type TestSuite } from 'junit2json';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../support/cli';

const fixture = 'test/fixtures/valid/gate-baseline.ts';
let reports: string;

test.before(() => {
  reports = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-gate-baseline-'));
});
test.after(() => {
  fs.rmSync(reports, { recursive: true, force: true });
});

const gate = (out: string, env: Record<string, string>, ...args: string[]) =>
  runCli(['gate', fixture, '--out', path.join(reports, out), '--no-pdf', ...args], {
    env: { GITHUB_STEP_SUMMARY: path.join(reports, `${out}.summary.md`), ...env },
  });

async function junitCase(out: string, name: RegExp) {
  const parsed = (await parseJunit(fs.readFileSync(path.join(reports, out, 'junit.xml'), 'utf8'))) as {
    testsuite: TestSuite[];
  };
  return parsed.testsuite[0].testcase!.find((testcase) => name.test(testcase.name ?? ''));
}

test('a rerun of the same configuration passes against the baseline; slower health checks fail it', async () => {
  const main = await gate('main', {});
  assert.is(main.code, 0, main.stdout + main.stderr);
  const baselineRto = JSON.parse(fs.readFileSync(path.join(reports, 'main', 'summary.json'), 'utf8')).rto.ms;
  assert.ok(baselineRto > 0, 'the outage was felt');

  // RTO may worsen by 2 s (plus one request interval): two runs of one configuration differ by the phase of the
  // health checks against the fault, a few hundred ms even with the lab's checker starved on a loaded machine.
  const tolerance = ['--tolerance', 'rto=2s,p99=100%'];
  const rerun = await gate('rerun', {}, '--baseline', reports, ...tolerance);
  assert.is(rerun.code, 0, rerun.stdout + rerun.stderr);
  assert.match(rerun.stdout, /^ {2}ok {3}RTO vs baseline \S+: [\d.]+m?s \(baseline [\d.]+m?s, [+-]\d+%\)/m);
  assert.match(rerun.stdout, /^ {2}baseline \S+ \(passed, .*main\)$/m);
  assert.is((await junitCase('rerun', /^RTO vs baseline/))?.failure, undefined);

  // 30 s between checks, 2 failures to flip: DNS cannot move within the 9 s outage; clients wait for the
  // rollback (about 9 s), far past the baseline's failover plus 2 s.
  const slower = await gate('slower', { HC_INTERVAL: '30s' }, '--baseline', reports, ...tolerance);
  assert.is(slower.code, 1, slower.stdout + slower.stderr);
  const summary = JSON.parse(fs.readFileSync(path.join(reports, 'slower', 'summary.json'), 'utf8'));
  const rto = summary.baseline.metrics.find((metric: { metric: string }) => metric.metric === 'rto');
  assert.is(summary.baseline.dir, path.join(reports, 'rerun'), 'the latest run of the experiment in the directory');
  assert.is(rto.met, false);
  assert.ok(summary.rto.ms > rto.allowed, `${summary.rto.ms} > ${rto.allowed}`);
  assert.match(slower.stdout, /^ {2}FAIL RTO vs baseline \S+: [\d.]+s \(baseline [\d.]+m?s, \+\d+%\) \(objective ≤ /m);
  assert.match(summary.reason, /RTO regressed against baseline/);
  const failure = (await junitCase('slower', /^RTO vs baseline/))?.failure?.[0];
  assert.match(failure?.message ?? '', /RTO vs baseline \S+: [\d.]+s \(baseline [\d.]+m?s, \+\d+%\)/);
  const jobSummary = fs.readFileSync(path.join(reports, 'slower.summary.md'), 'utf8');
  assert.match(jobSummary, /^\| RTO vs baseline \| [\d.]+s \(baseline [\d.]+m?s, \+\d+%\) \| ≤ .* \| \*\*no\*\* \|$/m);
  assert.match(jobSummary, /^Baseline: run `\S+` \(.*, passed\) in `.*rerun`/m);
});

test('a tolerance that does not parse, or one without a baseline, is refused before anything starts', async () => {
  const bad = await gate('bad', {}, '--baseline', reports, '--tolerance', 'rto=fast');
  assert.is(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /--tolerance: "rto=fast": expected rto=N% or a duration like rto=500ms/);
  const alone = await gate('alone', {}, '--tolerance', 'rto=10%');
  assert.is(alone.code, 2, alone.stderr);
  assert.match(alone.stderr, /--tolerance says how much worse than the baseline a run may be: give --baseline DIR too/);
  const nowhere = await gate('nowhere', {}, '--baseline', path.join(reports, 'nowhere'));
  assert.is(nowhere.code, 2, nowhere.stderr);
  assert.match(nowhere.stderr, /--baseline: .*nowhere is not a directory/);
  for (const out of ['bad', 'alone', 'nowhere']) assert.not.ok(fs.existsSync(path.join(reports, out)), 'nothing ran');
});

test.run();
