/**
 * `gameday gate --baseline`: the tolerances as written, a run set against a baseline from
 * real run journals (test/fixtures/journals) — every allowance worked out here by hand —
 * the verdict, JUnit and report.md that follow, and which run a directory of runs gives.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseJunit, type TestSuite } from 'junit2json';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BaselineRecord } from '../../src/core/events';
import { defaultTolerances, parseTolerances } from '../../src/experiment/baseline';
import { findBaseline } from '../../src/report/baseline';
import { judge, objectivesOf, renderJunit, renderMarkdown, summarize } from '../support/analysis';

const fixtures = path.join(__dirname, '..', 'fixtures', 'journals');
const journalLines = (name: string) =>
  fs
    .readFileSync(path.join(fixtures, `${name}.ndjson`), 'utf8')
    .split('\n')
    .filter((line) => line.trim());

/** A fixture's journal with the gate's baseline in its run.started spec, as `gameday gate --baseline` records it. */
function withBaseline(name: string, baseline: BaselineRecord) {
  const [first, ...rest] = journalLines(name);
  const started = JSON.parse(first);
  started.spec = { ...started.spec, baseline };
  return summarize([started, ...rest.map((line) => JSON.parse(line))]);
}

const baseline = (overrides: Partial<BaselineRecord> = {}): BaselineRecord => ({
  runId: 'main-run',
  dir: 'main-reports/main-run',
  startedAt: '2026-12-02T10:00:00.000Z',
  status: 'passed',
  rto: { ms: 1_000, recovered: true },
  rpoMs: 1_984,
  p99Ms: 60,
  budgets: [],
  tolerance: defaultTolerances,
  ...overrides,
});

test('tolerances: defaults, shares, amounts, both, and what is refused', () => {
  assert.equal(parseTolerances(undefined), defaultTolerances);
  const given = parseTolerances('rto=20%, p99=30%,rto=1s,budget=0.5pp');
  assert.equal(given.rto, { pct: 20, amount: 1_000 });
  assert.equal(given.p99, { pct: 30, amount: null });
  assert.equal(given.budget, { pct: null, amount: 0.5 });
  assert.equal(given.rpo, defaultTolerances.rpo, 'a metric not named keeps its default');
  for (const [text, message] of [
    ['rto=fast', /"rto=fast": expected rto=N% or a duration like rto=500ms/],
    ['latency=10%', /"latency=10%": expected metric=N% .*metrics: rto, rpo, budget, p99/],
    ['budget=1s', /"budget=1s": expected budget=N% or budget=Npp/],
    ['rto=10%,rto=20%', /rto is given as a share twice/],
    ['rto', /"rto": expected/],
  ] as const)
    assert.throws(() => parseTolerances(text), message, text);
});

test('a run against its baseline, each allowance by hand; a regression fails the verdict and reports', async () => {
  // db-crash-lost-writes: RTO 1326 ms (traffic 10/s), RPO 1984 ms (ledger 10/s), p99 66.9 ms; failed on its RPO.
  const summary = withBaseline('db-crash-lost-writes', baseline());
  const [rto, rpo, p99] = summary.baseline!.metrics;
  // RTO: 1000 + 20% (200) + one request interval at 10/s (100) = 1300 < 1326: regressed, +32.6%.
  assert.equal([rto.name, rto.baseline, rto.measured, rto.allowed, rto.met], ['RTO', 1_000, 1_326, 1_300, false]);
  assert.ok(Math.abs(rto.changePct! - 32.6) < 1e-9);
  // RPO: 1984 + 20% + one ledger write interval (100) = 2480.8 ≥ 1984.
  assert.equal([rpo.name, rpo.met], ['RPO', true]);
  assert.ok(Math.abs(rpo.allowed - 2_480.8) < 1e-9);
  // p99: 60 + 30% = 78 ≥ 66.9; no resolution term.
  assert.equal([p99.name, p99.allowed, p99.met], ['p99 latency', 78, true]);

  const verdict = judge(summary);
  assert.is(verdict.status, 'failed');
  assert.match(verdict.reason, /RTO regressed against baseline main-run: 1\.33s \(baseline 1s, \+33%\), allowed 1\.3s/);
  const objectives = objectivesOf(summary).filter((objective) => objective.id.startsWith('baseline.'));
  assert.equal(
    objectives.map((objective) => [objective.id, objective.name, objective.objective, objective.met]),
    [
      ['baseline.rto', 'RTO vs baseline main-run', '≤ 1.3s (baseline +20%, 100ms resolution)', false],
      ['baseline.rpo', 'RPO vs baseline main-run', '≤ 2.48s (baseline +20%, 100ms resolution)', true],
      ['baseline.p99', 'p99 latency vs baseline main-run', '≤ 78ms (baseline +30%)', true],
    ],
  );
  const junit = (await parseJunit(renderJunit(summary))) as { testsuite: TestSuite[] };
  const rtoCase = junit.testsuite[0].testcase!.find((testcase) => testcase.name === 'RTO vs baseline main-run')!;
  assert.match(
    rtoCase.failure![0].message!,
    /RTO vs baseline main-run: 1\.33s \(baseline 1s, \+33%\) \(objective ≤ 1\.3s/,
  );
  const markdown = renderMarkdown(summary);
  const row = '| RTO vs baseline | 1.33s (baseline 1s, +33%) | ≤ 1.3s (baseline +20%, 100ms resolution) | **no** |';
  assert.ok(markdown.split('\n').includes(row), markdown);
  assert.match(
    markdown,
    /^Baseline: run `main-run` \(2026-12-02T10:00:00\.000Z, passed\) in `main-reports\/main-run`/m,
  );
});

test('an amount tolerance, the larger of share and amount, a metric not measured now, budgets by SLO', () => {
  const tolerance = { ...defaultTolerances, rto: { pct: 20, amount: 500 }, budget: { pct: null, amount: 0.1 } };
  // failover-passed: RTO 4278 ms (traffic 10/s), budget orders-available 0.1817% of 25315.2 allowed bad requests.
  const summary = withBaseline(
    'failover-passed',
    baseline({
      rto: { ms: 3_000, recovered: true },
      rpoMs: null,
      p99Ms: null,
      budgets: [
        { slo: 'orders-available', pct: 0.05 },
        { slo: 'gone', pct: 1 },
      ],
      tolerance,
    }),
  );
  const [rto, budget] = summary.baseline!.metrics;
  // 3000 + max(600, 500) + 100 = 3700 < 4278.
  assert.equal([rto.allowed, rto.met], [3_700, false]);
  // 0.05 + 0.1pp + one request's share of the budget (100 / 25315.2 %) < 0.1817; the SLO gone now is not compared.
  assert.is(budget.name, 'budget orders-available');
  assert.ok(Math.abs(budget.allowed - (0.15 + 100 / 25_315.2)) < 1e-12);
  assert.is(budget.met, false);
  assert.is(summary.baseline!.metrics.length, 2, 'no RPO or p99 in the baseline, no SLO "gone" now');

  const never = withBaseline('never-recovered-failed', baseline());
  const neverRto = never.baseline!.metrics.find((entry) => entry.metric === 'rto')!;
  assert.equal([neverRto.measured, neverRto.met], [null, false]);
  assert.match(judge(never).reason, /RTO regressed against baseline main-run: clients never recovered \(baseline 1s\)/);
  // A baseline whose clients never recovered has no RTO to be worse than.
  const fromNever = withBaseline('failover-passed', baseline({ rto: { ms: null, recovered: false } }));
  assert.not.ok(fromNever.baseline!.metrics.some((entry) => entry.metric === 'rto'));
});

test('the baseline of a directory of runs is the latest run of the experiment that reached a verdict', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-baseline-'));
  try {
    const copy = (name: string, run: string, shiftMs = 0) => {
      const [first, ...rest] = journalLines(name);
      const started = JSON.parse(first);
      started.t += shiftMs;
      fs.mkdirSync(path.join(dir, run));
      fs.writeFileSync(path.join(dir, run, 'journal.ndjson'), [JSON.stringify(started), ...rest].join('\n') + '\n');
    };
    copy('failover-passed', 'b-older');
    copy('failover-passed', 'a-newer', 86_400_000);
    copy('unreachable-error', 'c-error');
    const name = 'journal fixture: region failover passes';
    const found = findBaseline(dir, name, defaultTolerances);
    assert.equal(
      [found.dir, found.status, found.rto.ms, found.p99Ms],
      [path.join(dir, 'a-newer'), 'passed', 4_278, 2013.2],
    );
    assert.equal(found.budgets, [
      { slo: 'orders-available', pct: 0.1817 },
      { slo: 'orders-fast', pct: 0.0182 },
    ]);
    assert.is(findBaseline(path.join(dir, 'b-older'), name, defaultTolerances).dir, path.join(dir, 'b-older'));

    assert.throws(
      () => findBaseline(path.join(dir, 'b-older'), 'other', defaultTolerances),
      /is a run of "journal fixture: region failover passes", not of "other"/,
    );
    const errorRun = 'journal fixture: unreachable target';
    assert.throws(
      () => findBaseline(path.join(dir, 'c-error'), errorRun, defaultTolerances),
      /ended error .*only a run that reached a verdict/,
    );
    assert.throws(
      () => findBaseline(dir, errorRun, defaultTolerances),
      /no run of "journal fixture: unreachable target" in .* reached a verdict \(3 runs there, 1 of this experiment\)/,
    );
    assert.throws(() => findBaseline(path.join(dir, 'nowhere'), name, defaultTolerances), /is not a directory/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
