/**
 * A comparison of strategies without a lab: the idle cost from synthetic /proc snapshots
 * (CPU per process across restarts, shared memory once, the idle window before the
 * fault), stale reads from read-your-writes rows, each strategy's row from a real run's
 * journal (test/fixtures/journals/failover-passed.ndjson), the --strategies list, and
 * compare.md, compare.html and its chart rendered from them.
 */
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compareRun, compareSchemaId, type CompareSummary } from '../../src/analysis/compare';
import { summarize } from '../../src/analysis/summarize';
import type { JournalEvent, ReadRow } from '../../src/core/events';
import { readJournal } from '../../src/core/journal';
import { parseStrategies, StrategyListError } from '../../src/compare/strategies';
import { measureCost, measureDrillCost, type UsageSnapshot } from '../../src/measure/cost';
import { readYourWritesProbe } from '../../src/probes/read-your-writes';
import { strategyNames } from '../../src/lab/strategies';
import { compareChart } from '../../src/report/compare/chart';
import { renderCompareMarkdown } from '../../src/report/compare/markdown';
import { checkConsistency } from '../../src/measure/consistency';
import { renderComparePage } from '../../src/report/compare/page';
import { renderSvg } from '../../src/report/html/vega';

const mib = 1024 * 1024;
const proc = (pid: number, cpuMs: number, privateMib: number, sharedMib = 0) => ({
  pid,
  cpuMs,
  privateBytes: privateMib * mib,
  sharedBytes: sharedMib * mib,
});
const snapshot = (
  t: number,
  active: ReturnType<typeof proc>[],
  standby: ReturnType<typeof proc>[],
  sides: ['active' | 'standby', 'active' | 'standby'] = ['active', 'standby'],
): UsageSnapshot => ({
  t,
  regions: [
    { region: 'us-east-1', side: sides[0], processes: active },
    { region: 'eu-west-1', side: sides[1], processes: standby },
  ],
});

test('CPU: per process from its first snapshot; one started later counts whole; one gone counts to its last', () => {
  const cost = measureCost([
    snapshot(0, [proc(10, 1_000, 20), proc(11, 500, 30)], [proc(20, 200, 10)]),
    snapshot(1_000, [proc(10, 1_400, 20), proc(11, 700, 30)], [proc(20, 260, 10)]),
    // pid 11 exited; pid 21 (a restored database, a new worker) started after the first snapshot.
    snapshot(2_000, [proc(10, 1_900, 20)], [proc(20, 300, 10), proc(21, 150, 40)]),
  ])!;
  assert.is(cost.durationMs, 2_000);
  const byRegion = Object.fromEntries(cost.regions.map((region) => [region.region, region]));
  assert.is(byRegion['us-east-1'].cpuSeconds, (1_900 - 1_000 + 700 - 500) / 1000);
  assert.is(byRegion['eu-west-1'].cpuSeconds, (300 - 200 + 150) / 1000);
  assert.is(cost.standbyCpuRatio, Math.round((0.25 / 1.1) * 1000) / 1000);
  assert.equal(cost.active.regions, ['us-east-1']);
  assert.equal(cost.standby.regions, ['eu-west-1']);
});

test('memory: private pages summed, the shared segment once (every backend maps the same buffers)', () => {
  const cost = measureCost([
    snapshot(0, [proc(1, 0, 10, 32), proc(2, 0, 5, 32), proc(3, 0, 5, 31)], [proc(4, 0, 8, 32)]),
    snapshot(1_000, [proc(1, 0, 10, 32), proc(2, 0, 5, 32)], [proc(4, 0, 8, 32)]),
  ])!;
  const us = cost.regions.find((region) => region.region === 'us-east-1')!;
  assert.is(us.memoryPeakBytes, (10 + 5 + 5 + 32) * mib);
  assert.is(us.memoryMeanBytes, ((10 + 5 + 5 + 32 + 10 + 5 + 32) * mib) / 2);
  assert.is(cost.standby.memoryMeanBytes, 40 * mib);
});

test('the idle window ends at the first fault; sides are those of the first snapshot, however the drill moved', () => {
  const snapshots = [
    snapshot(0, [proc(1, 0, 10)], [proc(2, 0, 5)]),
    snapshot(1_000, [proc(1, 300, 10)], [proc(2, 100, 5)]),
    snapshot(2_000, [proc(1, 600, 10)], [proc(2, 200, 5)]),
    // After the fault the standby takes over: it is still the standby side.
    snapshot(3_000, [], [proc(2, 1_200, 5)], ['standby', 'active']),
  ];
  const { idle, drill } = measureDrillCost(snapshots, 2_000);
  assert.is(idle!.snapshots, 3);
  assert.is(idle!.standby.cpuSeconds, 0.2);
  assert.is(idle!.active.cpuSeconds, 0.6);
  assert.is(idle!.standbyCpuRatio, 0.333);
  assert.is(drill!.standby.cpuSeconds, 1.2);
  assert.equal(drill!.standby.regions, ['eu-west-1']);
  // A fault before the second snapshot leaves no idle span to measure.
  assert.is(measureDrillCost(snapshots, 500).idle, null);
  assert.is(measureCost([]), null);
});

test('stale reads: how often the region’s first answer lacked one’s own write, how long until it showed', () => {
  const started = {
    type: 'probe.started',
    probe: 'ryw',
    kind: 'readYourWrites',
    url: 'http://app/ledger',
    rate: 2,
    seq: 1,
    t: 0,
  } as JournalEvent & { type: 'probe.started' };
  const fold = readYourWritesProbe.summarize(started, {
    offset: () => 0,
    objectiveMs: null,
    latencyThresholds: [],
    regionOfAddress: () => undefined,
    writerIdentity: (writer) => writer,
  });
  const rows: ReadRow[] = [
    [1, 0, 5, 201, 1, 'us-east-1', 1, 3, 0],
    [2, 500, 5, 201, 1, 'eu-west-1', 0, 40, 0],
    [3, 1000, 5, 202, 1, 'eu-west-1', 0, 900, 0],
    [4, 1500, 5, 202, 1, 'eu-west-1', 0, -1, 1],
    [5, 2000, 5, 202, 1, 'eu-west-1', 0, -1, 0],
    // Its region never answered (cut off): nothing to say about staleness.
    [6, 2200, 5, 201, 1, 'us-east-1', -1, -1, 1],
    [7, 2500, 2000, 0, 0, '', -1, -1, 0],
  ];
  fold.add({ type: 'read.samples', probe: 'ryw', rows, seq: 2, t: 3000 } as JournalEvent);
  fold.add({ type: 'read.samples', probe: 'other', rows, seq: 3, t: 3000 } as JournalEvent);
  const stale = fold.result().staleReads;
  assert.is(stale.writes, 7);
  assert.is(stale.acked, 6);
  assert.is(stale.answered, 5);
  assert.is(stale.unanswered, 1);
  assert.is(stale.stale, 4);
  assert.is(stale.staleRatio, 0.8);
  assert.is(stale.stalenessMs.max, 900);
  assert.is(stale.stalenessMs.p50, 40);
  assert.is(stale.notVisible, 2);
  assert.is(stale.gaveUp, 1);
  assert.equal(stale.byRegion, { 'us-east-1': { answered: 1, stale: 0 }, 'eu-west-1': { answered: 4, stale: 4 } });
});

test('--strategies: all, a list in the order given, each once; unknown names refused with the valid list', () => {
  assert.equal(parseStrategies('all'), [...strategyNames]);
  assert.equal(parseStrategies(` ${strategyNames[0]} , ${strategyNames[0]}`), [strategyNames[0]]);
  for (const [input, message] of [
    ['', /name at least one, or all; valid: active-passive-dns/],
    ['multi-master', /unknown strategy "multi-master"; valid: all, active-passive-dns/],
    ['all,active-passive-dns', /give it alone/],
  ] as const) {
    try {
      parseStrategies(input);
      assert.unreachable(input);
    } catch (error) {
      assert.instance(error, StrategyListError);
      assert.match((error as Error).message, message);
    }
  }
});

const fixture = path.join(__dirname, '..', 'fixtures', 'journals', 'failover-passed.ndjson');

test('a strategy’s row is its run’s summary: RTO and phases, RPO and writes, budget, steady-state p99', () => {
  const summary = summarize(readJournal(fixture));
  const row = compareRun('active-passive-dns', '01-active-passive-dns', summary);
  assert.is(row.report, '01-active-passive-dns/report.html');
  assert.is(row.status, summary.status);
  assert.is(row.rto.ms, summary.rto.ms);
  assert.equal(row.rto.phases, summary.rto.phases);
  assert.is(row.rpo?.lostWrites, summary.rpo?.lostWrites);
  assert.is(row.steadyStateP99Ms, summary.traffic.latencyByPeriod.beforeFaults.p99);
  assert.equal(
    row.budget.map((slo) => slo.consumedPct),
    summary.slos.map((slo) => slo.budgetConsumedPct),
  );
  // The fixture predates the read-your-writes and resources probes: nothing to say, not zero.
  assert.is(row.staleReads, null);
  assert.is(row.idleCost, null);
});

test('compare.md and .html: a row per strategy linked to its report, the skipped said, the chart drawn', async () => {
  const summary = summarize(readJournal(fixture));
  const measured = compareRun('active-passive-dns', '01-active-passive-dns', {
    ...summary,
    staleReads: {
      probe: 'ryw',
      url: '',
      rate: 2,
      writes: 10,
      acked: 10,
      answered: 10,
      unanswered: 0,
      stale: 2,
      staleRatio: 0.2,
      stalenessMs: { p50: 12, p90: 30, p99: 30, max: 30 },
      notVisible: 0,
      gaveUp: 0,
      byRegion: {},
    },
    resources: {
      probe: 'resources',
      ...measureDrillCost(
        [snapshot(0, [proc(1, 0, 40)], [proc(2, 0, 20)]), snapshot(5_000, [proc(1, 800, 40)], [proc(2, 200, 20)])],
        null,
      ),
    },
  });
  const comparison: CompareSummary = {
    schema: compareSchemaId,
    runId: 'c1',
    experiment: 'lose us-east-1',
    file: 'x.ts',
    startedAt: '2026-12-03T00:00:00.000Z',
    endedAt: '2026-12-03T00:05:00.000Z',
    strategies: [measured],
    skipped: [{ strategy: 'warm-standby', reason: 'interrupted' }],
  };
  const markdown = renderCompareMarkdown(comparison);
  assert.match(markdown, '| `active-passive-dns` | passed |');
  assert.match(markdown, '[report](01-active-passive-dns/report.html)');
  assert.match(markdown, '2 of 10 (20%), p99 30ms behind');
  assert.match(markdown, 'over 5s idle: 0.20 CPU-s vs 0.80 (25%); memory 20 MiB vs 40 MiB (50%)');
  assert.match(markdown, '| `warm-standby` | not run: interrupted |');
  const spec = compareChart(comparison)!;
  const svg = await renderSvg(spec);
  assert.match(svg, /<svg/);
  assert.match(svg, /active-passive-dns/);
  const page = renderComparePage(comparison, svg);
  assert.match(page, '<a href="01-active-passive-dns/report.html">report</a>');
  assert.match(page, /not run: interrupted/);
});

test('conflicting writes: the consistency check’s figures where every region writes, why not where one does', () => {
  const summary = summarize(readJournal(fixture));
  const history = [
    { writeId: 'e1', customer: 'ann', region: 'us-east-1', basedOn: null, writtenAt: '2026-12-03T00:00:01.000Z' },
    { writeId: 'e2', customer: 'ann', region: 'us-east-1', basedOn: 'e1', writtenAt: '2026-12-03T00:00:05.000Z' },
    { writeId: 'w3', customer: 'ann', region: 'eu-west-1', basedOn: 'e1', writtenAt: '2026-12-03T00:00:06.000Z' },
  ];
  const side = (region: string, held: string) => ({
    region,
    tables: { carts: [['ann', held]] as Array<[string, string]> },
    carts: [{ customer: 'ann', writeId: held }],
    cartWrites: history,
  });
  const report = checkConsistency({
    cutoff: '2026-12-03T00:01:00.000Z',
    regions: [side('us-east-1', 'w3'), side('eu-west-1', 'e2')],
    replication: [],
  });
  const both = compareRun('data-active-active', '01-data-active-active', {
    ...summary,
    consistency: { probe: 'consistency', report, note: null },
  });
  assert.equal(both.conflicts, { conflicting: 1, lostUpdates: 2, divergentRows: 1, caughtUp: true });
  const one = compareRun('active-passive-dns', '02-active-passive-dns', {
    ...summary,
    consistency: { probe: 'consistency', report: null, note: 'one writer: nothing to reconcile' },
  });
  assert.equal(one.conflicts, { unmeasured: 'one writer: nothing to reconcile' });
  // A summary from before the probe: nothing to say, not zero.
  assert.is(compareRun('active-passive-dns', '03-active-passive-dns', summary).conflicts, null);
  const markdown = renderCompareMarkdown({
    schema: compareSchemaId,
    runId: 'c2',
    experiment: 'lose us-east-1',
    file: 'x.ts',
    startedAt: '2026-12-03T00:00:00.000Z',
    endedAt: null,
    strategies: [both, one],
    skipped: [],
  });
  assert.match(markdown, '| 1 conflicting (2 updates lost), 1 rows divergent |');
  assert.match(markdown, '| — (one writer: nothing to reconcile) |');
  assert.match(
    markdown,
    '- Conflicting writes, where every region writes: data-active-active (1 conflicting (2 updates lost), 1 rows ' +
      'divergent).',
  );
});

test.run();
