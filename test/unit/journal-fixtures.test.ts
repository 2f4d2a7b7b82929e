/**
 * The run summary, its objectives, junit.xml and report.md from real run journals
 * (test/fixtures/journals/, see its README: what each one is and how it was made), with no
 * lab. Every figure is checked against what the test works out from the journal's raw rows
 * itself (traffic.samples, ledger.samples, check.samples, failover.step ...) or against the
 * literal outcome the run recorded, never against the code's own output alone.
 *
 * Only test/support/analysis.ts is imported from the project, so the analysis code can move.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseJunit, type TestCase, type TestSuite } from 'junit2json';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  formatDuration,
  objectivesOf,
  readJournal,
  renderJunit,
  renderMarkdown,
  summarize,
  type CheckRow,
  type EventOf,
  type JournalEvent,
  type LedgerRow,
  type RunSummary,
  type SampleRow,
} from '../support/analysis';

const fixtureDir = path.join(__dirname, '..', 'fixtures', 'journals');
/** The fixtures of whole runs (each ends with run.finished); unfinished.ndjson is cut short. */
const finished = [
  'failover-passed',
  'rto-missed-failed',
  'held-to-end-failed',
  'never-recovered-failed',
  'stop-condition-aborted',
  'unreachable-error',
  'db-crash-lost-writes',
  'split-brain',
  'alert-rules',
];

// ---------------------------------------------------------------------------------------
// Reading the journals, and the raw rows the expectations are computed from

const journals = new Map<string, JournalEvent[]>();
const summaries = new Map<string, RunSummary>();
/** A fixture's events, read once. */
function eventsOf(name: string): JournalEvent[] {
  let events = journals.get(name);
  if (!events) {
    events = readJournal(path.join(fixtureDir, `${name}.ndjson`));
    journals.set(name, events);
  }
  return events;
}
/** A fixture's events and its summary, built once (a summary costs tens of milliseconds). */
function load(name: string): { events: JournalEvent[]; summary: RunSummary } {
  const events = eventsOf(name);
  let summary = summaries.get(name);
  if (!summary) {
    summary = summarize(events);
    summaries.set(name, summary);
  }
  return { events, summary };
}

function all<T extends JournalEvent['type']>(events: readonly JournalEvent[], type: T): EventOf<T>[] {
  return events.filter((event): event is EventOf<T> => event.type === type);
}

function one<T extends JournalEvent['type']>(events: readonly JournalEvent[], type: T): EventOf<T> {
  const found = all(events, type);
  assert.ok(found.length >= 1, `the journal has a ${type} event`);
  return found[0];
}

function trafficRows(events: readonly JournalEvent[], probe = 'traffic'): SampleRow[] {
  return all(events, 'traffic.samples')
    .filter((event) => event.probe === probe)
    .flatMap((event) => event.rows)
    .sort((a, b) => a[0] - b[0]);
}

function ledgerRows(events: readonly JournalEvent[]): LedgerRow[] {
  return all(events, 'ledger.samples')
    .flatMap((event) => event.rows)
    .sort((a, b) => a[0] - b[0]);
}

function checkRows(events: readonly JournalEvent[], probe: string): CheckRow[] {
  return all(events, 'check.samples')
    .filter((event) => event.probe === probe)
    .flatMap((event) => event.rows)
    .sort((a, b) => a[0] - b[0]);
}

function observation(events: readonly JournalEvent[]): { t0: number; end: number } {
  const observe = one(events, 'observe.started');
  return { t0: observe.t0, end: observe.t0 + observe.durationMs };
}

/** The first fault that became active: what the SLO's alert timing counts from. */
function tFaultOf(events: readonly JournalEvent[]): number {
  return Math.min(...all(events, 'fault.injected').map((event) => event.at));
}

/**
 * The outage, from the rows and fault events alone: its onset is the first failed request of
 * the observation; its cause the last fault whose injection had begun (fault.injecting) when
 * that request failed (due time + latency); the RTO's clock starts when that fault became active.
 */
function outageOf(events: readonly JournalEvent[]): { tFault: number; onset: number; fault: string } {
  const { t0 } = observation(events);
  const first = trafficRows(events).find((row) => row[0] >= t0 && row[3] === 0);
  assert.ok(first, 'a failed request');
  const failedAt = first[0] + first[1];
  const injecting = new Map(all(events, 'fault.injecting').map((event) => [event.fault, event.t]));
  const active = all(events, 'fault.injected').filter((event) => injecting.get(event.fault)! <= failedAt);
  const cause = active.sort((a, b) => injecting.get(a.fault)! - injecting.get(b.fault)!).pop();
  assert.ok(cause, 'a fault before the first failure');
  return { tFault: cause.at, onset: first[0], fault: cause.fault };
}

function stepAt(events: readonly JournalEvent[], step: string, status: 'started' | 'succeeded'): number {
  const found = all(events, 'failover.step').find((event) => event.step === step && event.status === status);
  assert.ok(found, `failover step ${step} ${status}`);
  return found.at;
}

const iso = (t: number) => new Date(t).toISOString();
const count = <T>(items: readonly T[], predicate: (item: T) => boolean) => items.filter(predicate).length;
const ratio4 = (good: number, total: number) => Math.round((good / total) * 10_000) / 10_000;

function near(actual: number | null | undefined, expected: number, tolerance: number, what: string): void {
  assert.ok(typeof actual === 'number', `${what}: a number, got ${actual}`);
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual}, expected ${expected} ± ${tolerance}`);
}

/** Nearest-rank percentile of the raw values (the definition HDR histograms approximate). */
function nearestRank(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Traffic totals straight from the rows. */
function expectedTraffic(rows: readonly SampleRow[]) {
  const regions: Record<string, number> = {};
  // Served: answered with success (a 503 from a failing region served nobody).
  for (const row of rows) if (row[5] && row[3] === 1) regions[row[5]] = (regions[row[5]] ?? 0) + 1;
  const errors = count(rows, (row) => row[3] === 0);
  return {
    requests: rows.length,
    errors,
    successRatio: rows.length === 0 ? null : ratio4(rows.length - errors, rows.length),
    regions,
  };
}

function assertTraffic(summary: RunSummary, rows: readonly SampleRow[]): void {
  const expected = expectedTraffic(rows);
  assert.is(summary.traffic.requests, expected.requests, 'requests');
  assert.is(summary.traffic.errors, expected.errors, 'errors');
  assert.is(summary.traffic.successRatio, expected.successRatio, 'success ratio');
  assert.equal(summary.traffic.regions, expected.regions, 'requests per region');
  // HDR histograms: within 0.1% of the exact value (plus the summary's 0.1 ms rounding).
  const latencies = rows.map((row) => row[1]);
  for (const [p, value] of [
    [50, summary.traffic.latencyMs.p50],
    [99, summary.traffic.latencyMs.p99],
    [100, summary.traffic.latencyMs.max],
  ] as const) {
    const exact = nearestRank(latencies, p);
    near(value, exact, exact * 0.001 + 0.1, `latency p${p}`);
  }
}

/**
 * When clients recovered, by the simplest reading of the definition, valid for these
 * fixtures because each has one contiguous block of failures after t_fault (checked):
 * the first success after the last failure of the observation; if the observation ends in
 * failure, the first success after the last failure of the whole run (through rollback
 * and post-check); none: not recovered, at least until the last request.
 */
function expectedRecovery(rows: readonly SampleRow[], tFault: number, end: number) {
  const after = rows.filter((row) => row[0] >= tFault);
  const failedAt = after.map((row, index) => (row[3] === 0 ? index : -1)).filter((index) => index >= 0);
  const firstFailure = failedAt[0];
  // One block: between the first and last failure within the observation, nothing succeeded.
  const within = after.filter((row) => row[0] < end);
  const lastWithin = within.map((row) => row[3]).lastIndexOf(0);
  if (lastWithin >= 0)
    assert.ok(
      within.slice(firstFailure, lastWithin + 1).every((row) => row[3] === 0),
      'one contiguous block of failures in the observation',
    );
  const okAfter = (list: readonly SampleRow[], from: number) => list.slice(from + 1).find((row) => row[3] === 1);
  const inside = okAfter(within, lastWithin);
  if (inside) {
    return {
      recovered: true as const,
      tRecovered: inside[0],
      afterRollback: false,
      failed: count(within, (row) => row[3] === 0),
      observedAfter: end - inside[0],
    };
  }
  const lastAll = after.map((row) => row[3]).lastIndexOf(0);
  const later = okAfter(after, lastAll);
  const failed = count(after, (row) => row[3] === 0);
  if (later)
    return {
      recovered: true as const,
      tRecovered: later[0],
      afterRollback: true,
      failed,
      observedAfter: rows[rows.length - 1][0] - later[0],
    };
  return { recovered: false as const, atLeastMs: rows[rows.length - 1][0] - tFault, failed };
}

interface SloExpectation {
  events: number;
  bad: number;
  burnRate: number;
  peakBurnRate: number;
  budgetConsumedPct: number;
  /** Each alert pair that fires, with the second it fires at (from the start of observation). */
  fired: Array<{ name: string; atMs: number }>;
}

const workbookPairs = [
  { name: '1h/5m', long: 3600, short: 300, factor: 14.4 },
  { name: '6h/30m', long: 21600, short: 1800, factor: 6 },
  { name: '1d/2h', long: 86400, short: 7200, factor: 3 },
  { name: '3d/6h', long: 259200, short: 21600, factor: 1 },
];

/**
 * An SLO over the drill from the rows, as README "What the numbers mean" defines it: every
 * request due from the start of observation on is an event, bad when it failed (or, for a
 * latency SLI, took longer than the threshold); the drill's rate is assumed outside it.
 */
function expectedSlo(
  rows: readonly SampleRow[],
  t0: number,
  slo: {
    objective: number;
    windowMs: number;
    thresholdMs?: number;
    burnWindowS?: number;
    pairs?: Array<{ name: string; long: number; short: number; factor: number }>;
  },
): SloExpectation {
  const allowed = 1 - slo.objective / 100;
  const inDrill = rows.filter((row) => row[0] >= t0);
  const isBad = (row: SampleRow) => row[3] === 0 || (slo.thresholdMs !== undefined && row[1] > slo.thresholdMs);
  const seconds = Math.floor((inDrill[inDrill.length - 1][0] - t0) / 1000) + 1;
  const perSecond = Array.from({ length: seconds }, () => ({ total: 0, bad: 0 }));
  for (const row of inDrill) {
    const second = perSecond[Math.floor((row[0] - t0) / 1000)];
    second.total++;
    if (isBad(row)) second.bad++;
  }
  const events = inDrill.length;
  const bad = count(inDrill, isBad);
  const rate = events / seconds;
  /**
   * Burn over the `span` seconds ending with second `end` (exclusive), padding before the drill with good requests at
   * the drill's rate.
   */
  const burn = (end: number, span: number) => {
    let total = 0;
    let badIn = 0;
    for (let second = Math.max(0, end - span); second < end; second++) {
      total += perSecond[second].total;
      badIn += perSecond[second].bad;
    }
    total += Math.max(0, span - end) * rate;
    return badIn / total / allowed;
  };
  let peak = 0;
  for (let end = 1; end <= seconds; end++) peak = Math.max(peak, burn(end, slo.burnWindowS ?? 60));
  // A pair fires at the first second both its windows, ending then, burn faster than its factor.
  const fired: SloExpectation['fired'] = [];
  for (const pair of slo.pairs ?? workbookPairs) {
    for (let end = 1; end <= seconds; end++) {
      if (burn(end, pair.short) > pair.factor && burn(end, pair.long) > pair.factor) {
        fired.push({ name: pair.name, atMs: end * 1000 });
        break;
      }
    }
  }
  return {
    events,
    bad,
    burnRate: bad / events / allowed,
    peakBurnRate: peak,
    budgetConsumedPct: (bad / (allowed * rate * (slo.windowMs / 1000))) * 100,
    fired,
  };
}

function assertSlo(actual: RunSummary['slos'][number], expected: SloExpectation): void {
  assert.is(actual.events, expected.events, `${actual.name}: events`);
  assert.is(actual.badEvents, expected.bad, `${actual.name}: bad events`);
  near(actual.burnRate, expected.burnRate, expected.burnRate * 1e-4 + 1e-4, `${actual.name}: burn rate over the drill`);
  near(
    actual.peakBurnRate,
    expected.peakBurnRate,
    expected.peakBurnRate * 1e-4 + 1e-4,
    `${actual.name}: peak burn rate`,
  );
  near(
    actual.budgetConsumedPct,
    expected.budgetConsumedPct,
    expected.budgetConsumedPct * 1e-3 + 1e-4,
    `${actual.name}: budget consumed`,
  );
  assert.equal(
    actual.alerts.filter((alert) => alert.fired).map((alert) => `${alert.long}/${alert.short}`),
    expected.fired.map((pair) => pair.name),
    `${actual.name}: alerts that fire`,
  );
}

/**
 * RPO from the ledger rows and the read back, as README "What the numbers mean" defines it.
 * `identity` names the database behind an x-gameday-writer value.
 */
function expectedRpo(
  events: readonly JournalEvent[],
  identity: (writer: string) => string = (writer) => writer.replace(/:\d+$/, ''),
) {
  const rows = ledgerRows(events);
  const acked = rows.filter((row) => row[4] === 1);
  const readBack = one(events, 'ledger.readback').seqs;
  const copies = new Map<number, number>();
  for (const seq of readBack) copies.set(seq, (copies.get(seq) ?? 0) + 1);
  const ackedAt = (row: LedgerRow) => row[1] + row[2];
  const lost = acked.filter((row) => !copies.has(row[0]));
  let rpoMs = 0;
  if (lost.length > 0) {
    const firstLost = lost.reduce((a, b) => (ackedAt(b) < ackedAt(a) ? b : a));
    const lastLostAt = Math.max(...lost.map(ackedAt));
    const before = acked.filter((row) => copies.has(row[0]) && ackedAt(row) < ackedAt(firstLost)).map(ackedAt);
    rpoMs = lastLostAt - (before.length > 0 ? Math.max(...before) : firstLost[1]);
  }
  // Writers by first acknowledgement; an ack is stale when its writer was superseded by the time the write was sent.
  const firstAck = new Map<string, number>();
  for (const row of acked) {
    if (!row[6]) continue;
    const writer = identity(row[6]);
    firstAck.set(writer, Math.min(firstAck.get(writer) ?? Infinity, ackedAt(row)));
  }
  const stale = acked.filter(
    (row) =>
      row[6] && [...firstAck.values()].some((first) => first <= row[1] && first > firstAck.get(identity(row[6]))!),
  );
  return {
    writes: rows.length,
    ackedWrites: acked.length,
    lostSeqs: lost.map((row) => row[0]).sort((a, b) => a - b),
    unconfirmedWrites: count(rows, (row) => row[4] === 0 && copies.has(row[0])),
    duplicateWrites: count([...copies.values()], (n) => n > 1),
    staleSeqs: stale.map((row) => row[0]),
    writers: [...firstAck.entries()].sort((a, b) => a[1] - b[1]).map(([writer]) => writer),
    rpoMs,
  };
}

function assertRpo(rpo: RunSummary['rpo'], expected: ReturnType<typeof expectedRpo>, objectiveMs: number): void {
  assert.ok(rpo, 'the summary has an rpo section');
  assert.is(rpo.writes, expected.writes, 'writes sent');
  assert.is(rpo.ackedWrites, expected.ackedWrites, 'acknowledged writes');
  assert.is(rpo.lostWrites, expected.lostSeqs.length, 'lost writes');
  assert.equal(rpo.lostSeqs, expected.lostSeqs, 'lost seqs');
  assert.is(rpo.unconfirmedWrites, expected.unconfirmedWrites, 'unacknowledged but present');
  assert.is(rpo.duplicateWrites, expected.duplicateWrites, 'duplicates');
  assert.is(rpo.staleWriterAcks, expected.staleSeqs.length, 'stale writer acks');
  assert.is(rpo.splitBrain, expected.staleSeqs.length > 0 || expected.duplicateWrites > 0, 'split brain');
  assert.equal(rpo.writers, expected.writers, 'writers in order of first ack');
  near(rpo.ms, expected.rpoMs, 0.5, 'RPO ms');
  assert.is(rpo.objectiveMs, objectiveMs);
  assert.is(rpo.met, Math.round(expected.rpoMs) <= objectiveMs && !rpo.splitBrain, 'RPO met');
}

/**
 * The runbook's phases from its step ends, each boundary clamped into [t_fault, t_recovered];
 * the traffic shift ends at the first request the new region served after the promotion.
 */
function expectedPhases(
  events: readonly JournalEvent[],
  tFault: number,
  tRecovered: number,
): Array<{ name: string; ms: number }> {
  const promoted = stepAt(events, 'promote', 'succeeded');
  const to = (one(events, 'run.started').spec as { failover: { to: string } }).failover.to;
  const served = trafficRows(events).find((row) => row[3] === 1 && row[5] === to && row[0] >= promoted);
  assert.ok(served, `a request served by ${to} after the promotion`);
  const marks = [
    ...['detect', 'decide', 'fence', 'promote'].map((step) => stepAt(events, step, 'succeeded')),
    served[0],
  ];
  const names = ['detection', 'decision', 'fencing', 'promotion', 'traffic shift'];
  let previous = tFault;
  const phases = marks.map((mark, index) => {
    const boundary = Math.min(tRecovered, Math.max(previous, mark));
    const phase = { name: names[index], ms: boundary - previous };
    previous = boundary;
    return phase;
  });
  return [...phases, { name: 'stabilisation', ms: tRecovered - previous }];
}

function assertPhases(summary: RunSummary, expected: Array<{ name: string; ms: number }>): void {
  const phases = summary.rto.phases;
  assert.ok(phases, 'phases');
  assert.equal(
    phases.map((phase) => phase.name),
    expected.map((phase) => phase.name),
  );
  // Each phase is rounded to the millisecond and the rounding put on the longest: within 1.5 ms of the hand figure.
  phases.forEach((phase, index) => near(phase.ms, expected[index].ms, 1.5, `phase ${phase.name}`));
  assert.is(
    phases.reduce((sum, phase) => sum + phase.ms, 0),
    summary.rto.ms,
    'the phases add up to the RTO exactly',
  );
}

/**
 * RTO's bounds by hand, from the target as opened and the experiment: the fastest detection
 * ((threshold − 1) checks) plus the runbook from detection to promotion; the slowest (threshold
 * checks and one check timeout) plus the runbook, the app TTL, the client's timeout and one request gap.
 */
function expectedBounds(events: readonly JournalEvent[]): { lowerMs: number; upperMs: number } {
  const target = one(events, 'target.opened').target as unknown as {
    healthCheck: { requestIntervalMs: number; failureThreshold: number; timeoutMs: number };
    ttl: { app: number };
  };
  const traffic = one(events, 'run.started').spec.traffic as { rate: number; timeout: number };
  const { requestIntervalMs: interval, failureThreshold: threshold } = target.healthCheck;
  const runbook = stepAt(events, 'promote', 'succeeded') - stepAt(events, 'detect', 'succeeded');
  return {
    lowerMs: Math.round(interval * (threshold - 1) + runbook),
    upperMs: Math.round(
      interval * threshold +
        target.healthCheck.timeoutMs +
        runbook +
        target.ttl.app * 1000 +
        traffic.timeout +
        1000 / traffic.rate,
    ),
  };
}

function assertFaults(summary: RunSummary, events: readonly JournalEvent[], t0: number): void {
  const injecting = all(events, 'fault.injecting');
  assert.equal(
    summary.faults.map((fault) => fault.name),
    injecting.map((event) => event.fault),
    'one entry per fault, in order',
  );
  for (const fault of summary.faults) {
    const injected = all(events, 'fault.injected').find((event) => event.fault === fault.name);
    const reverted = all(events, 'fault.reverted').find((event) => event.fault === fault.name);
    assert.is(fault.kind, injecting.find((event) => event.fault === fault.name)!.kind);
    assert.is(fault.injectedAt, injected ? iso(injected.at) : null, `${fault.name} injectedAt`);
    assert.is(fault.revertedAt, reverted ? iso(reverted.at) : null, `${fault.name} revertedAt`);
    if (injected) near(fault.injectedAtMs, injected.at - t0, 0.5, `${fault.name} injected offset`);
    if (injected && reverted) near(fault.activeMs, reverted.at - injected.at, 1, `${fault.name} active`);
    else assert.is(fault.activeMs, null, `${fault.name} active: unknown`);
    assert.is(fault.error, null);
  }
}

/** junit.xml parsed back with junit2json, as a CI reporter reads it. */
async function junitOf(
  summary: RunSummary,
): Promise<{ suite: TestSuite; cases: TestCase[]; outcomes: Array<[string, 'ok' | 'failure' | 'error']> }> {
  const parsed = await parseJunit(renderJunit(summary));
  assert.ok(parsed && 'testsuite' in parsed && parsed.testsuite?.length === 1, 'one testsuite');
  const suite = parsed.testsuite![0];
  const cases = suite.testcase ?? [];
  const outcomes = cases.map((testcase): [string, 'ok' | 'failure' | 'error'] => {
    assert.ok(!(testcase.failure && testcase.error), `${testcase.name}: failure or error, not both`);
    return [testcase.name ?? '', testcase.failure ? 'failure' : testcase.error ? 'error' : 'ok'];
  });
  return { suite, cases, outcomes };
}

async function assertJunit(
  summary: RunSummary,
  expected: Array<[string, 'ok' | 'failure' | 'error']>,
): Promise<TestCase[]> {
  const { suite, cases, outcomes } = await junitOf(summary);
  assert.is(suite.name, summary.experiment, 'the testsuite is named after the experiment');
  assert.equal(outcomes, expected, 'testcases and their outcomes');
  assert.is(suite.tests, expected.length, 'tests');
  assert.is(
    suite.failures,
    count(expected, ([, outcome]) => outcome === 'failure'),
    'failures',
  );
  assert.is(
    suite.errors,
    count(expected, ([, outcome]) => outcome === 'error'),
    'errors',
  );
  return cases;
}

function assertLines(markdown: string, lines: readonly string[]): void {
  const all = markdown.split('\n');
  for (const line of lines) assert.ok(all.includes(line), `report.md has the line:\n${line}`);
}

// ---------------------------------------------------------------------------------------
// The fixtures themselves

test(
  'fixtures: every journal numbers its events 1..n in order, starts with run.started, ends with ' +
    'run.finished unless cut, and all are small',
  () => {
    let bytes = 0;
    for (const name of [...finished, 'unfinished']) {
      const file = path.join(fixtureDir, `${name}.ndjson`);
      bytes += fs.statSync(file).size;
      const events = eventsOf(name);
      assert.equal(
        events.map((event) => event.seq),
        events.map((_, index) => index + 1),
        `${name}: seqs`,
      );
      assert.is(events[0].type, 'run.started', `${name}: starts with run.started`);
      if (name !== 'unfinished')
        assert.is(events[events.length - 1].type, 'run.finished', `${name}: ends with run.finished`);
    }
    assert.ok(fs.existsSync(path.join(fixtureDir, 'README.md')), 'the fixtures are documented');
    assert.ok(bytes < 400_000, `fixtures total ${bytes} bytes`);
  },
);

test('fixtures: split-brain.ndjson differs from failover-passed.ndjson only by the edits its README lists', () => {
  const original = eventsOf('failover-passed');
  const edited = eventsOf('split-brain');
  assert.is(edited.length, original.length);
  edited.forEach((event, index) => {
    const before = original[index];
    if (event.type === 'ledger.samples' && before.type === 'ledger.samples') {
      event.rows.forEach((row, k) => {
        const was = before.rows[k];
        if (row[0] === 110 || row[0] === 111) {
          assert.equal([...row.slice(0, 6)], [...was.slice(0, 6)], `seq ${row[0]}: only writer and region changed`);
          assert.is(was[6].replace('127.0.0.3:', '127.0.0.2:'), row[6]);
          assert.equal([was[7], row[7]], ['eu-west-1', 'us-east-1']);
        } else assert.equal(row, was);
      });
    } else if (event.type === 'ledger.readback' && before.type === 'ledger.readback') {
      const expected = before.seqs.filter((seq) => seq !== 110 && seq !== 111);
      expected.splice(expected.indexOf(100), 0, 100);
      assert.equal(event.seqs, expected, 'seqs 110 and 111 removed, 100 twice');
      assert.equal({ ...event, seqs: [] }, { ...before, seqs: [] });
    } else if (event.type === 'run.finished' && before.type === 'run.finished') {
      assert.is(before.status, 'passed');
      assert.is(event.status, 'failed');
    } else assert.equal(event, before, `event ${event.seq} unchanged`);
  });
});

// ---------------------------------------------------------------------------------------
// failover-passed: region failover with runbook, ledger and SLOs; passed

const failoverReason =
  'RTO 4278 ms ≤ 30000 ms; RPO 0 ms ≤ 1000 ms (0 of 115 acknowledged writes lost); SLO ' +
  'orders-available: budget<2% (0.18% of the budget burned); SLO orders-fast: burn<1000 (peak burn ' +
  'rate 7.85x); SLO orders-fast: alerts<1 (0 alert pairs fired); steady state restored';

test('failover-passed: status, reason and the run as recorded', () => {
  const { events, summary } = load('failover-passed');
  const finished = one(events, 'run.finished');
  assert.is(finished.status, 'passed');
  assert.is(finished.reason, failoverReason);
  assert.is(summary.status, 'passed');
  assert.is(summary.reason, failoverReason);
  const started = one(events, 'run.started');
  assert.is(summary.startedAt, iso(started.t));
  assert.is(summary.endedAt, iso(finished.t));
  near(summary.durationMs, finished.t - started.t, 0.5, 'duration');
  assert.is(summary.target.kind, 'lab');
  assert.is(
    (summary.target as { labDir?: string }).labDir,
    (one(events, 'target.opened').target as { labDir?: string }).labDir,
    'the target as opened, not as declared',
  );
});

test('failover-passed: traffic counts, regions and latency from traffic.samples', () => {
  const { events, summary } = load('failover-passed');
  const rows = trafficRows(events);
  assertTraffic(summary, rows);
  assert.is(summary.traffic.rate, 10);
  assert.is(summary.traffic.url, one(events, 'probe.started').url);
  // The per-second series holds every request once, bucketed by due time.
  const series = summary.series.find((entry) => entry.probe === 'traffic');
  assert.ok(series);
  const { t0 } = observation(events);
  const perSecond = new Map<number, number>();
  for (const row of rows)
    perSecond.set(
      Math.floor((row[0] - t0) / 1000) * 1000,
      (perSecond.get(Math.floor((row[0] - t0) / 1000) * 1000) ?? 0) + 1,
    );
  for (const point of series.points)
    assert.is(point.requests, perSecond.get(point.offsetMs) ?? 0, `requests in second ${point.offsetMs}`);
  assert.is(
    series.points.reduce((sum, point) => sum + point.errors, 0),
    count(rows, (row) => row[3] === 0),
  );
  // The ledger is no http probe: no series of its own, and no entry in probes.
  assert.equal(
    summary.series.map((entry) => entry.probe),
    ['traffic'],
  );
  assert.equal(summary.probes, []);
});

test('failover-passed: RTO measured within the observation; the failback disturbance after it does not count', () => {
  const { events, summary } = load('failover-passed');
  const rows = trafficRows(events);
  const { end } = observation(events);
  const { tFault, onset } = outageOf(events);
  // The failback after the observation failed a few requests: they must not undo the recovery.
  assert.ok(
    count(rows, (row) => row[0] >= end && row[3] === 0) > 0,
    'requests failed after the observation (failback)',
  );
  // The first to fail was sent just before the blackhole was in place, and timed out in it.
  assert.ok(onset < tFault);
  const expected = expectedRecovery(rows, onset, end);
  assert.ok(expected.recovered && !expected.afterRollback);
  assert.is(summary.rto.recovered, true);
  assert.is(summary.rto.tFault, iso(tFault));
  assert.is(summary.rto.tOnset, iso(onset));
  assert.is(summary.rto.cause?.name, 'us-east-1-offline');
  assert.is(summary.rto.tRecovered, iso(expected.tRecovered));
  near(summary.rto.ms, expected.tRecovered - tFault, 0.5, 'RTO');
  assert.is(summary.rto.ms, 4278);
  assert.is(summary.rto.failedRequests, expected.failed);
  assert.is(summary.rto.objectiveMs, 30_000);
  assert.is(summary.rto.met, true);
  assert.is(summary.rto.note, null);
  assert.equal(summary.rto.criteria, { successRatio: 0.95, windowMs: 3000 });
  assert.is(summary.rto.atLeastMs, null);
});

test("failover-passed: RTO phases add up to the RTO; the bounds from the lab's configuration", () => {
  const { events, summary } = load('failover-passed');
  const { tFault, onset } = outageOf(events);
  const recovery = expectedRecovery(trafficRows(events), onset, observation(events).end);
  assert.ok(recovery.recovered);
  const phases = expectedPhases(events, tFault, recovery.tRecovered);
  // The recovery was the first request eu-west-1 served after the promotion: the shift ends there, nothing is left.
  assert.ok(
    phases.slice(0, 5).every((phase) => phase.ms > 0),
    'detection, decision, fencing, promotion and the traffic shift each took time',
  );
  assert.ok(Math.abs(phases[5].ms) < 1, 'stabilisation');
  assertPhases(summary, phases);
  // 1 s health checks × 3 (a check timeout of 0.8 s), 2 s TTL, a 2 s client timeout, 10 requests a second.
  const bounds = expectedBounds(events);
  assert.equal([summary.rto.bounds?.lowerMs, summary.rto.bounds?.upperMs], [bounds.lowerMs, bounds.upperMs]);
  assert.is(bounds.upperMs - bounds.lowerMs, 1000 + 800 + 2000 + 2000 + 100);
  assert.ok(bounds.lowerMs <= summary.rto.ms! && summary.rto.ms! <= bounds.upperMs);
  assert.is(summary.rto.bounds?.position, 'within');
});

test("failover-passed: the failback's dip is its own episode, with its cost; the fault's RTO is untouched", () => {
  const { events, summary } = load('failover-passed');
  const rows = trafficRows(events);
  const started = stepAt(events, 'failback', 'started');
  // By hand: the requests that failed after the failback began, in one burst.
  const failed = rows.filter((row) => row[0] >= started && row[3] === 0);
  assert.ok(failed.length > 0, 'the failback failed requests');
  const onset = failed[0][0];
  const recovered = rows.find((row) => row[0] > failed[failed.length - 1][0] && row[3] === 1)!;
  assert.ok(rows.filter((row) => row[0] >= onset && row[0] < recovered[0]).every((row) => row[3] === 0));
  const [outage, dip] = summary.impact;
  assert.is(summary.impact.length, 2);
  assert.equal([outage.cause?.kind, outage.rtoMs], ['fault', summary.rto.ms]);
  assert.equal(
    [dip.cause?.kind, dip.onsetAt, dip.recoveredAt, dip.failedRequests, dip.requests],
    ['failback', iso(onset), iso(recovered[0]), failed.length, failed.length],
  );
  near(dip.impactMs, recovered[0] - onset, 0.5, 'failback impact');
  near(dip.rtoMs, recovered[0] - started, 0.5, 'from the failback to recovery');
  // Its budget: failed ÷ (0.1% × the observed rate × 30 days), the rate being the SLO's own events per second.
  const slo = summary.slos.find((entry) => entry.name === 'orders-available')!;
  const budgetEvents = 0.001 * (slo.events / slo.burnTimeline.length) * 30 * 86_400;
  near(
    dip.budget.find((entry) => entry.slo === 'orders-available')!.consumedPct,
    (failed.length / budgetEvents) * 100,
    0.001,
    'budget',
  );
  const cost = summary.failback!;
  assert.equal([cost.status, cost.failedRequests, cost.impactMs], ['succeeded', failed.length, dip.impactMs]);
  near(cost.ms, stepAt(events, 'failback', 'succeeded') - started, 0.5, 'the failback took');
});

test('failover-passed: latency before, during and after the fault, from the rows', () => {
  const { events, summary } = load('failover-passed');
  const rows = trafficRows(events).filter((row) => row[0] >= observation(events).t0);
  // From the injection's start: requests sent while the blackhole went in time out in it.
  const injected = one(events, 'fault.injecting').t;
  const reverted = one(events, 'fault.reverted').at;
  const p99 = (list: SampleRow[]) => {
    const sorted = list.map((row) => row[1]).sort((a, b) => a - b);
    return Math.round(sorted[Math.ceil(0.99 * sorted.length) - 1] * 10) / 10;
  };
  const periods = summary.traffic.latencyByPeriod;
  const before = rows.filter((row) => row[0] < injected);
  const during = rows.filter((row) => row[0] >= injected && row[0] < reverted);
  const after = rows.filter((row) => row[0] >= reverted);
  assert.equal(
    [periods.beforeFaults.requests, periods.duringFaults.requests, periods.afterFaults.requests],
    [before.length, during.length, after.length],
  );
  assert.equal(
    [periods.beforeFaults.p99, periods.duringFaults.p99, periods.afterFaults.p99],
    [p99(before), p99(during), p99(after)],
  );
  // The blackhole's 2 s timeouts fall in the fault's period (and a request sent just before it), none after it.
  assert.ok(periods.duringFaults.max! >= 2000 && periods.afterFaults.max! < 2000);
});

test('failover-passed: the runbook, step by step, from the failover.step events', () => {
  const { events, summary } = load('failover-passed');
  const { t0 } = observation(events);
  const failover = summary.failover;
  assert.ok(failover);
  const steps = ['detect', 'decide', 'fence', 'promote', 'shift-traffic', 'verify', 'notify', 'failback'];
  assert.equal(
    failover.steps.map((step) => step.name),
    steps,
  );
  for (const step of failover.steps) {
    const started = stepAt(events, step.name, 'started');
    const ended = stepAt(events, step.name, 'succeeded');
    assert.is(step.status, 'succeeded', step.name);
    assert.is(step.error, null);
    near(step.startedAtMs, started - t0, 0.5, `${step.name} started`);
    near(step.ms, ended - started, 1, `${step.name} took`);
  }
  assert.equal(failover.steps.find((step) => step.name === 'shift-traffic')!.detail, {
    mode: 'dns',
    dns: 'app.gameday.lab -> 127.0.0.3',
  });
  assert.equal(
    [failover.from, failover.to, failover.ok, failover.reason],
    ['us-east-1', 'eu-west-1', true, 'eu-west-1 serves clients and holds the writer'],
  );
});

test('failover-passed: the ledger: nothing lost, 20 timed-out writes present anyway, two writers by address', () => {
  const { events, summary } = load('failover-passed');
  const expected = expectedRpo(events);
  assertRpo(summary.rpo, expected, 1000);
  assert.equal(expected.lostSeqs, []);
  assert.is(expected.unconfirmedWrites, 20);
  assert.equal(expected.writers, ['127.0.0.2', '127.0.0.3']);
  const readBack = one(events, 'ledger.readback');
  assert.equal(summary.rpo!.readBack, {
    ok: true,
    url: readBack.url,
    writer: readBack.writer,
    region: readBack.region,
    attempts: readBack.attempts,
    error: null,
  });
  assert.is(summary.rpo!.client, one(events, 'ledger.readback').client);
  assert.is(summary.rpo!.ms, 0);
  assert.is(summary.rpo!.note, null);
});

test('failover-passed: SLO budget, burn rates and alerts from the rows and the stated assumption', () => {
  const { events, summary } = load('failover-passed');
  const rows = trafficRows(events);
  const { t0 } = observation(events);
  const [available, fast] = summary.slos;
  assert.equal(
    summary.slos.map((slo) => slo.name),
    ['orders-available', 'orders-fast'],
  );
  const a = expectedSlo(rows, t0, { objective: 99.9, windowMs: 30 * 86_400_000 });
  const f = expectedSlo(rows, t0, { objective: 99, windowMs: 30 * 86_400_000, thresholdMs: 500 });
  assertSlo(available, a);
  assertSlo(fast, f);
  // The steady-state requests before the observation are not the SLO's.
  assert.ok(available.events < summary.traffic.requests && count(rows, (row) => row[0] < t0) > 0);
  // This drill's latency SLO has no slow successes: its bad requests are the failures.
  assert.is(f.bad, a.bad);
  assert.equal(
    available.thresholds.map((threshold) => [threshold.text, threshold.met]),
    [['budget<2%', a.budgetConsumedPct < 2]],
  );
  near(available.thresholds[0].measured, a.budgetConsumedPct, 1e-4, 'budget measured');
  assert.equal(
    fast.thresholds.map((threshold) => [threshold.text, threshold.met]),
    [
      ['burn<1000', f.peakBurnRate < 1000],
      ['alerts<1', f.fired.length < 1],
    ],
  );
  assert.equal([available.met, fast.met], [true, true]);
  assert.is(available.window, '30d');
  assert.is(fast.thresholdMs, 500);
});

test('failover-passed: objectives, junit.xml and report.md', async () => {
  const { events, summary } = load('failover-passed');
  const rows = trafficRows(events);
  const objectives = objectivesOf(summary);
  assert.equal(
    objectives.map((objective) => [objective.id, objective.met]),
    [
      ['rto', true],
      ['rpo', true],
      ['slo.orders-available.budget<2%', true],
      ['slo.orders-fast.burn<1000', true],
      ['slo.orders-fast.alerts<1', true],
      ['steady-state', true],
    ],
  );
  assert.is(objectives[0].measured, '4.28s');
  assert.is(objectives[1].measured, `0ms, 0 of ${expectedRpo(events).ackedWrites} acknowledged writes lost`);
  await assertJunit(summary, [
    ['RTO (client-observed)', 'ok'],
    ['RPO (write ledger)', 'ok'],
    ['SLO orders-available (99.9% over 30d): budget', 'ok'],
    ['SLO orders-fast (99% over 30d): burn', 'ok'],
    ['SLO orders-fast (99% over 30d): alerts', 'ok'],
    ['steady state', 'ok'],
  ]);
  const traffic = expectedTraffic(rows);
  const ledger = expectedRpo(events);
  assertLines(renderMarkdown(summary), [
    '# GameDay: journal fixture: region failover passes — PASSED',
    `**Result:** PASSED — ${failoverReason}`,
    '| RTO (client-observed) | 4.28s | 30s | yes |',
    '| RPO (write ledger) | 0ms | 1s | yes |',
    '| SLO orders-fast: alerts | 0 fired | <1 | yes |',
    '| steady state after rollback | 100.0% | ≥ 99.0% | yes |',
    '## Failover us-east-1 → eu-west-1: completed',
    `| ${traffic.requests} | ${traffic.errors} | ${(traffic.successRatio! * 100).toFixed(1)}% | ` +
      `${summary.traffic.latencyMs.p50} ms | ${summary.traffic.latencyMs.p90} ms | ` +
      `${summary.traffic.latencyMs.p99} ms | ${summary.traffic.latencyMs.max} ms |`,
    `Served by region: us-east-1 ${traffic.regions['us-east-1']}, eu-west-1 ${traffic.regions['eu-west-1']}`,
    `| ${ledger.writes} | ${ledger.ackedWrites} | 0 | ${ledger.unconfirmedWrites} | 0 | 0ms |`,
    'Acknowledged by: 127.0.0.2 → 127.0.0.3.',
    `RTO bounds ${formatDuration(summary.rto.bounds!.lowerMs)}–${formatDuration(summary.rto.bounds!.upperMs)}, ` +
      `measured within: within the bounds: detection ${formatDuration(summary.rto.phases![0].ms)} ` +
      '(health checks allow 2s–3.8s), ' +
      `runbook ${formatDuration(stepAt(events, 'promote', 'succeeded') - stepAt(events, 'detect', 'succeeded'))}, ` +
      `traffic shift ${formatDuration(summary.rto.phases![4].ms)} and stabilisation 0ms ` +
      '(a stale answer, a timeout and a request gap allow 4.1s).',
    `RTO counts from us-east-1-offline becoming active (+${(summary.rto.cause!.atMs! / 1000).toFixed(2)}s), ` +
      "the last fault to begin before the outage's first failed request (sent at " +
      `+${(summary.rto.onsetMs! / 1000).toFixed(2)}s), to the first successful request after which the ` +
      'success ratio stayed ≥ 95.0% over every 3s window.',
    '## Impact',
    `| fault us-east-1-offline | ${((summary.impact[0].onsetMs ?? 0) / 1000).toFixed(2)} | 4.3s | ` +
      `${((summary.impact[0].recoveredAtMs ?? 0) / 1000).toFixed(2)} | 4.28s | 43 / 43 | 2027.8 ms |`,
    `Failback succeeded in ${formatDuration(summary.failback!.ms!)}: 300ms of impact, 3 failed requests, ` +
      "0.012% of orders-available's budget, <0.01% of orders-fast's budget.",
  ]);
});

test('failover-passed: faults, steady state and the timeline from their events', () => {
  const { events, summary } = load('failover-passed');
  const { t0 } = observation(events);
  assertFaults(summary, events, t0);
  assert.is(
    summary.faults[0].rollback,
    `FIS us-east-1: stop experiments of template ` +
      `${(one(events, 'fault.injected').detail as { templateId: string }).templateId}, delete it`,
  );
  assert.equal(summary.steadyState, {
    before: { ok: true, successRatio: 1, required: 0.99 },
    after: { ok: true, successRatio: 1, required: 0.99 },
  });
  assert.equal(summary.stopConditions, []);
  assert.equal(summary.errors, []);
  // One timeline line per notable event, at the time it happened (its `at`, else when it was written), in that order.
  const notable = events.filter(
    (event) =>
      ![
        'run.started',
        'target.opened',
        'target.closed',
        'preflight.check',
        'observe.started',
        'probe.started',
        'probe.stopped',
        'traffic.samples',
        'ledger.samples',
        'check.samples',
      ].includes(event.type),
  );
  const happened = notable
    .map((event) => ('at' in event && typeof event.at === 'number' ? event.at : event.t))
    .sort((a, b) => a - b);
  assert.is(summary.timeline.length, notable.length);
  summary.timeline.forEach((line, index) => near(line.offsetMs, happened[index] - t0, 0.5, `timeline ${line.event}`));
  // The runbook's lines sit where the step table puts them.
  for (const step of summary.failover!.steps.filter((entry) => entry.ms !== null)) {
    const line = summary.timeline.find((entry) => entry.event === `failover ${step.name} ${step.status}`);
    near(line?.offsetMs, step.startedAtMs! + step.ms!, 1, `timeline ${step.name} ${step.status} at the step's end`);
  }
  const texts = summary.timeline.map((line) => line.event);
  assert.ok(texts.includes('us-east-1-offline active'));
  assert.ok(texts.includes('reverting us-east-1-offline (scheduled)'));
  assert.ok(
    texts.includes(`ledger read back: ${one(events, 'ledger.readback').seqs.length} writes on 127.0.0.3:34432`),
  );
  assert.ok(texts.includes('failover completed: eu-west-1 serves clients and holds the writer'));
  assert.is(texts[texts.length - 1], `finished: passed (${failoverReason})`);
});

// ---------------------------------------------------------------------------------------
// split-brain: failover-passed with two acks from the superseded writer and a duplicate

test('split-brain: stale acknowledgements and a duplicate from the rows; RPO within objective yet missed', async () => {
  const { events, summary } = load('split-brain');
  const expected = expectedRpo(events);
  assertRpo(summary.rpo, expected, 1000);
  assert.equal(expected.staleSeqs, [110, 111], 'the two rewritten acknowledgements are stale');
  assert.equal(expected.lostSeqs, [110, 111]);
  assert.is(expected.duplicateWrites, 1);
  // ackedAt(111) − ackedAt(109): the survivor acknowledged just before the first loss.
  const byseq = new Map(ledgerRows(events).map((row) => [row[0], row]));
  near(
    summary.rpo!.ms,
    byseq.get(111)![1] + byseq.get(111)![2] - (byseq.get(109)![1] + byseq.get(109)![2]),
    0.5,
    'RPO',
  );
  assert.ok(summary.rpo!.ms! <= 1000);
  assert.is(summary.rpo!.met, false, 'split brain misses the RPO objective');
  assert.is(summary.status, 'failed');
  assert.is(
    summary.reason,
    'split brain: 2 writes acknowledged by a superseded writer, 1 present twice (RPO 399 ms, 2 of ' +
      '115 acknowledged writes lost)',
  );
  const rpo = objectivesOf(summary).find((objective) => objective.id === 'rpo')!;
  assert.is(rpo.met, false);
  assert.is(rpo.measured, '399ms, 2 of 115 acknowledged writes lost, split brain');
  const cases = await assertJunit(summary, [
    ['RTO (client-observed)', 'ok'],
    ['RPO (write ledger)', 'failure'],
    ['SLO orders-available (99.9% over 30d): budget', 'ok'],
    ['SLO orders-fast (99% over 30d): burn', 'ok'],
    ['SLO orders-fast (99% over 30d): alerts', 'ok'],
    ['steady state', 'ok'],
  ]);
  assert.is(
    cases[1].failure![0].message,
    'RPO (write ledger): 399ms, 2 of 115 acknowledged writes lost, split brain (objective ≤ 1s, no split brain)',
  );
  assertLines(renderMarkdown(summary), [
    '# GameDay: journal fixture: region failover passes — FAILED',
    '| RPO (write ledger) | 399ms, **split brain** | 1s | **no** |',
    '**Split brain:** 2 writes acknowledged by a superseded writer after a newer one had ' +
      'acknowledged, 1 present more than once.',
    'Lost seqs: 110, 111.',
  ]);
});

// ---------------------------------------------------------------------------------------
// db-crash-lost-writes: WAL held back, primary crashed, unplanned failover: real lost writes

const dbCrashReason = 'RPO 1984 ms > objective 500 ms (20 of 121 acknowledged writes lost)';

test(
  'db-crash-lost-writes: lost writes are the acknowledged seqs the read back lacks, all ' +
    'acknowledged by the old primary while WAL was held',
  () => {
    const { events, summary } = load('db-crash-lost-writes');
    assert.is(one(events, 'run.finished').reason, dbCrashReason);
    assert.equal([summary.status, summary.reason], ['failed', dbCrashReason]);
    const expected = expectedRpo(events);
    assertRpo(summary.rpo, expected, 500);
    assert.equal(
      expected.lostSeqs,
      Array.from({ length: 20 }, (_, index) => 32 + index),
    );
    const heldAt = all(events, 'fault.injected').find((event) => event.fault === 'hold-wal')!.at;
    const crashedAt = all(events, 'fault.injected').find((event) => event.fault === 'crash-primary')!.at;
    for (const row of ledgerRows(events).filter((row) => expected.lostSeqs.includes(row[0]))) {
      assert.ok(row[6].startsWith('127.0.0.2:'), `seq ${row[0]} acknowledged by the old primary`);
      assert.ok(
        row[1] + row[2] >= heldAt && row[1] + row[2] <= crashedAt,
        `seq ${row[0]} acknowledged while WAL was held`,
      );
    }
    // Failed writes carry the writer header too (503 from the app), but were never acknowledged.
    assert.is(
      count(ledgerRows(events), (row) => row[4] === 0 && row[3] === 503 && row[6] !== ''),
      20,
    );
    assert.is(summary.rpo!.unconfirmedWrites, 0);
    assert.equal(summary.rpo!.writers, ['127.0.0.2', '127.0.0.3']);
    assert.is(summary.rpo!.readBack!.writer, '127.0.0.3:32122');
  },
);

test('db-crash-lost-writes: writer identity: a lab database is its address, whatever port reached it', () => {
  const { events, summary } = load('db-crash-lost-writes');
  // The acknowledgements came through eu-west-1's database ingress (:32123), the read back directly (:32122): one
  // database.
  const ports = new Set(
    ledgerRows(events)
      .filter((row) => row[4] === 1 && row[6].startsWith('127.0.0.3:'))
      .map((row) => row[6]),
  );
  assert.equal([...ports], ['127.0.0.3:32123']);
  assert.is(summary.rpo!.staleWriterAcks, 0);
  // The ledger's events alone (enough for the RPO), with half of those acknowledgements
  // reaching the same database directly: on the lab that changes nothing...
  const ledgerOnly = events.filter((event) =>
    ['run.started', 'target.opened', 'probe.started', 'ledger.samples', 'ledger.readback'].includes(event.type),
  );
  let flip = false;
  const mixed = ledgerOnly.map((event) =>
    event.type === 'ledger.samples'
      ? {
          ...event,
          rows: event.rows.map((row): LedgerRow =>
            row[6] === '127.0.0.3:32123' && (flip = !flip)
              ? ([...row.slice(0, 6), '127.0.0.3:32122', row[7]] as LedgerRow)
              : row,
          ),
        }
      : event,
  );
  assert.equal(summarize(ledgerOnly).rpo, summary.rpo, 'the ledger events carry the whole RPO');
  const onLab = summarize(mixed).rpo!;
  assert.equal(onLab.writers, expectedRpo(mixed).writers);
  assert.equal(onLab.writers, ['127.0.0.2', '127.0.0.3']);
  assert.equal([onLab.staleWriterAcks, onLab.splitBrain, onLab.lostWrites], [0, false, 20]);
  // ...while elsewhere the header is the identity: the two ports are two writers, and the older one's later acks are
  // stale.
  const elsewhere = mixed.map((event) =>
    event.type === 'target.opened' ? { ...event, target: { ...event.target, kind: 'endpoints' } } : event,
  );
  const asIs = expectedRpo(elsewhere, (writer) => writer);
  const offLab = summarize(elsewhere).rpo!;
  assert.equal(offLab.writers, asIs.writers);
  assert.is(offLab.writers.length, 3);
  assert.is(offLab.staleWriterAcks, asIs.staleSeqs.length);
  assert.ok(offLab.staleWriterAcks > 0 && offLab.splitBrain);
});

test('db-crash-lost-writes: a harmless fault first (the WAL hold): RTO counts from the crash that hurt', () => {
  const { events, summary } = load('db-crash-lost-writes');
  const rows = trafficRows(events);
  const { end } = observation(events);
  const { tFault, onset, fault } = outageOf(events);
  const [holdWal, crash] = ['hold-wal', 'crash-primary'].map(
    (name) => all(events, 'fault.injected').find((event) => event.fault === name)!.at,
  );
  assert.ok(holdWal < crash - 1500, 'the WAL hold was active for seconds before the crash');
  assert.is(
    count(rows, (row) => row[0] >= holdWal && row[0] < crash && row[3] === 0),
    0,
    'and hurt no client',
  );
  assert.equal([fault, tFault], ['crash-primary', crash]);
  const expected = expectedRecovery(rows, onset, end);
  assert.ok(expected.recovered && !expected.afterRollback);
  near(summary.rto.ms, expected.tRecovered - crash, 0.5, 'RTO');
  assert.is(summary.rto.ms, 1326, 'not 3352 from the WAL hold');
  assert.equal([summary.rto.cause?.name, summary.rto.tOnset], ['crash-primary', iso(onset)]);
  assert.is(summary.rto.failedRequests, expected.failed);
  assert.is(summary.rto.met, true);
  assert.equal(
    summary.impact.map((episode) => [episode.cause?.name, episode.failedRequests]),
    [['crash-primary', expected.failed]],
  );
  // Clients were served by eu-west-1 (their request due) just before the shift-traffic step ended:
  // the traffic shift ends at that first request, and stabilisation is 0.
  assert.ok(expected.tRecovered < stepAt(events, 'shift-traffic', 'succeeded'));
  const phases = expectedPhases(events, tFault, expected.tRecovered);
  assert.is(phases[5].ms, 0);
  assertPhases(summary, phases);
  near(phases[0].ms, stepAt(events, 'detect', 'succeeded') - crash, 1, 'detection from the crash');
  // The clamp is under a millisecond here; had the shift step been confirmed a second later
  // (its end moved in memory, on the events the RTO needs), its phase would still stop at t_recovered.
  const late = events
    .filter((event) =>
      [
        'run.started',
        'target.opened',
        'observe.started',
        'probe.started',
        'traffic.samples',
        'fault.injected',
        'failover.step',
      ].includes(event.type),
    )
    .map((event) =>
      event.type === 'failover.step' && event.step === 'shift-traffic' && event.status === 'succeeded'
        ? { ...event, at: event.at + 1000 }
        : event,
    );
  const lateSummary = summarize(late);
  assert.is(lateSummary.rto.ms, summary.rto.ms);
  const latePhases = expectedPhases(late, tFault, expected.tRecovered);
  assert.ok(latePhases[4].ms < 10 && latePhases[5].ms === 0);
  assertPhases(lateSummary, latePhases);
  assert.ok(lateSummary.rto.phases!.every((phase) => phase.ms >= 0));
  const bounds = expectedBounds(events);
  assert.equal([summary.rto.bounds?.lowerMs, summary.rto.bounds?.upperMs], [bounds.lowerMs, bounds.upperMs]);
  assert.is(summary.rto.bounds?.position, 'within');
  assert.equal(
    summary.failover!.steps.map((step) => step.name),
    ['detect', 'decide', 'fence', 'promote', 'shift-traffic', 'verify', 'notify'],
  );
  assert.is(summary.failover!.ok, true);
});

test('db-crash-lost-writes: dns, sql and function probes: counts, latency, outcome changes from the rows', () => {
  const { events, summary } = load('db-crash-lost-writes');
  const { t0 } = observation(events);
  const regionOf = new Map(
    (one(events, 'target.opened').target.regions as Array<{ name: string; address: string }>).map((region) => [
      region.address,
      region.name,
    ]),
  );
  assert.equal(
    summary.probes.map((probe) => [probe.probe, probe.kind]),
    [
      ['writer-dns', 'dns'],
      ['writer-sql', 'sql'],
      ['eu-west-1-health', 'function'],
    ],
  );
  for (const probe of summary.probes) {
    const rows = checkRows(events, probe.probe);
    assert.is(probe.requests, rows.length, `${probe.probe}: checks`);
    assert.is(
      probe.errors,
      count(rows, (row) => row[2] === 0),
      `${probe.probe}: failed`,
    );
    assert.is(
      probe.successRatio,
      ratio4(
        count(rows, (row) => row[2] === 1),
        rows.length,
      ),
    );
    const latencies = rows.map((row) => row[1]);
    assert.equal(
      [probe.latencyMs.p50, probe.latencyMs.max],
      [nearestRank(latencies, 50), Math.max(...latencies)],
      `${probe.probe}: latency`,
    );
    assert.is(probe.url, all(events, 'probe.started').find((event) => event.probe === probe.probe)!.url);
    // Changes: runs of the same outcome (dns: the same answer), each from its first sample.
    const runs: Array<{ key: string; first: CheckRow; samples: number }> = [];
    for (const row of rows) {
      const value = row[4] as { rcode: string; ttl: number; answers: string[] } | string | boolean | null;
      const key =
        probe.kind === 'dns' && value && typeof value === 'object'
          ? `${row[2]} ${value.rcode} ${[...value.answers].sort()} ${value.ttl}`
          : String(row[2]);
      if (runs.length > 0 && runs[runs.length - 1].key === key) runs[runs.length - 1].samples++;
      else runs.push({ key, first: row, samples: 1 });
    }
    const changes = probe.changes!;
    assert.is(changes.length, runs.length, `${probe.probe}: changes`);
    changes.forEach((change, index) => {
      const { first, samples } = runs[index];
      near(change.fromMs, first[0] - t0, 0.5, `${probe.probe} change ${index} from`);
      assert.is(change.samples, samples);
      assert.is(change.ok, first[2] === 1);
      if (probe.kind === 'dns') {
        const value = first[4] as { ttl: number; answers: string[] };
        assert.is(change.detail, `answered ${[...value.answers].sort().join(', ')} ttl ${value.ttl}`);
        assert.equal(
          change.regions,
          value.answers.map((address) => regionOf.get(address)),
        );
      } else assert.is(change.detail, first[2] === 1 ? String(first[4]) : first[3]);
    });
  }
  const [dns, sql, fn] = summary.probes;
  // The writer name moved from us-east-1's address to eu-west-1's once, with the failover.
  assert.equal(
    dns.changes!.map((change) => change.regions),
    [['us-east-1'], ['eu-west-1']],
  );
  near(dns.changes![1].fromMs, 4499, 1, 'the writer name moved');
  assert.ok(dns.changes![1].fromMs! > stepAt(events, 'promote', 'succeeded') - t0 - 1000);
  // The writer refused queries from the crash until the promoted one answered: ok, failed, ok.
  assert.equal(
    sql.changes!.map((change) => [change.ok, change.detail]),
    [
      [true, 'false'],
      [false, 'read ECONNRESET'],
      [true, 'false'],
    ],
  );
  assert.equal(
    fn.changes!.map((change) => [change.ok, change.detail]),
    [[true, 'HTTP 200']],
  );
  assertLines(renderMarkdown(summary), [
    `\`writer-dns\` (dns): ${dns.url}: ${dns.requests} checks, 0 failed (100.0%), p50 ` +
      `${dns.latencyMs.p50} ms, p99 ${dns.latencyMs.p99} ms`,
    `- from -2.00s: answered 127.0.0.2 ttl 1 (us-east-1) ×${dns.changes![0].samples}`,
    `- from +4.50s: answered 127.0.0.3 ttl 1 (eu-west-1) ×${dns.changes![1].samples}`,
    `- from +3.00s: FAILED: read ECONNRESET ×${count(checkRows(events, 'writer-sql'), (row) => row[2] === 0)}`,
    `- from -2.00s: HTTP 200 ×${checkRows(events, 'eu-west-1-health').length}`,
  ]);
});

test('db-crash-lost-writes: traffic regions count every answer that named a region, the series only successes', () => {
  const { events, summary } = load('db-crash-lost-writes');
  const rows = trafficRows(events);
  assertTraffic(summary, rows);
  // us-east-1's app answered 503 while its database was down: those name a region too.
  assert.is(
    count(rows, (row) => row[3] === 0 && row[5] === 'us-east-1'),
    13,
  );
  const series = summary.series.find((entry) => entry.probe === 'traffic')!;
  const served = (region: string) => series.points.reduce((sum, point) => sum + (point.regions[region] ?? 0), 0);
  assert.is(
    served('us-east-1'),
    count(rows, (row) => row[3] === 1 && row[5] === 'us-east-1'),
  );
  assert.is(
    served('eu-west-1'),
    count(rows, (row) => row[3] === 1 && row[5] === 'eu-west-1'),
  );
});

test('db-crash-lost-writes: objectives, junit.xml and report.md', async () => {
  const { events, summary } = load('db-crash-lost-writes');
  const expected = expectedRpo(events);
  assert.equal(
    objectivesOf(summary).map((objective) => [objective.id, objective.met]),
    [
      ['rto', true],
      ['rpo', false],
      ['steady-state', true],
    ],
  );
  const cases = await assertJunit(summary, [
    ['RTO (client-observed)', 'ok'],
    ['RPO (write ledger)', 'failure'],
    ['steady state', 'ok'],
  ]);
  assert.is(
    cases[1].failure![0].message,
    `RPO (write ledger): 1.98s, ${expected.lostSeqs.length} of ${expected.ackedWrites} acknowledged ` +
      `writes lost (objective ≤ 500ms, no split brain)`,
  );
  assert.is(cases[1].failure![0].type, 'objective-missed');
  assertLines(renderMarkdown(summary), [
    '# GameDay: journal fixture: database crash loses writes — FAILED',
    `**Result:** FAILED — ${dbCrashReason}`,
    '| RPO (write ledger) | 1.98s | 500ms | **no** |',
    `| ${expected.writes} | ${expected.ackedWrites} | ${expected.lostSeqs.length} | 0 | 0 | 1.98s |`,
    `Lost seqs: ${expected.lostSeqs.join(', ')}.`,
  ]);
});

// ---------------------------------------------------------------------------------------
// rto-missed-failed: blackhole to the end, recovery in the short tail, RTO and budget missed

const rtoMissedReason =
  'RTO 5155 ms > objective 5000 ms; SLO health-available: budget<0.1% not met (0.2% of the budget burned)';

test('rto-missed-failed: recovered on a short tail of the observation, answered once the blackhole lifted', () => {
  const { events, summary } = load('rto-missed-failed');
  assert.is(one(events, 'run.finished').reason, rtoMissedReason);
  assert.equal([summary.status, summary.reason], ['failed', rtoMissedReason]);
  const rows = trafficRows(events);
  const { end } = observation(events);
  const tFault = tFaultOf(events);
  const expected = expectedRecovery(rows, tFault, end);
  assert.ok(expected.recovered && !expected.afterRollback);
  near(summary.rto.ms, expected.tRecovered - tFault, 0.5, 'RTO');
  assert.is(summary.rto.ms, 5155);
  assert.is(summary.rto.met, false);
  assert.is(summary.rto.failedRequests, expected.failed);
  assert.is(
    summary.rto.note,
    `recovery observed for only ${Math.round(expected.observedAfter)} ms, less than the 2000 ms window`,
  );
  // The requests that count as recovered were sent before the end, answered after the blackhole was lifted.
  const lifted = one(events, 'fault.reverted').at;
  const tail = rows.filter((row) => row[0] >= expected.tRecovered && row[0] < end);
  assert.ok(tail.length > 0 && tail.every((row) => row[3] === 1 && row[0] + row[1] >= lifted));
  assert.is(summary.rto.phases, null, 'no runbook, no phases');
  assert.is(summary.rto.bounds, null);
  assert.is(summary.failover, null);
  assert.is(summary.rpo, null, 'no ledger');
});

test('rto-missed-failed: the budget threshold missed, from the rows', async () => {
  const { events, summary } = load('rto-missed-failed');
  const { t0 } = observation(events);
  const expected = expectedSlo(trafficRows(events), t0, { objective: 99.9, windowMs: 30 * 86_400_000 });
  assertSlo(summary.slos[0], expected);
  assert.ok(expected.budgetConsumedPct >= 0.1);
  assert.equal(
    summary.slos[0].thresholds.map((threshold) => [threshold.text, threshold.met]),
    [['budget<0.1%', false]],
  );
  assert.is(summary.slos[0].met, false);
  assert.equal(
    objectivesOf(summary).map((objective) => [objective.id, objective.met]),
    [
      ['rto', false],
      ['slo.health-available.budget<0.1%', false],
      ['steady-state', true],
    ],
  );
  const cases = await assertJunit(summary, [
    ['RTO (client-observed)', 'failure'],
    ['SLO health-available (99.9% over 30d): budget', 'failure'],
    ['steady state', 'ok'],
  ]);
  assert.is(cases[0].failure![0].message, 'RTO (client-observed): 5.16s (objective ≤ 5s)');
  assert.is(cases[0].failure![0].inner, 'measured: 5.16s\nobjective: ≤ 5s');
  assert.is(
    cases[1].failure![0].message,
    'SLO health-available (99.9% over 30d): budget: 0.2% of the budget burned (objective budget<0.1%)',
  );
  assertLines(renderMarkdown(summary), [
    '# GameDay: journal fixture: RTO objective missed — FAILED',
    '| RTO (client-observed) | 5.16s | 5s | **no** |',
    '| SLO health-available: budget | 0.2% | <0.1% | **no** |',
    `Note: ${summary.rto.note}.`,
  ]);
});

test(
  'rto-missed-failed: a latency SLO counts slow successes as bad, and a short alert pair fires ' +
    '(SLOs added to the recorded spec)',
  () => {
    const events = eventsOf('rto-missed-failed');
    const rows = trafficRows(events);
    const { t0 } = observation(events);
    // The lifted blackhole answered some requests late but successfully: slow, not failed.
    const slowSuccesses = count(rows, (row) => row[0] >= t0 && row[3] === 1 && row[1] > 500);
    assert.ok(slowSuccesses > 0);
    const slos = [
      {
        name: 'health-fast',
        sli: 'latency',
        objective: 99,
        window: 86_400_000,
        threshold: 500,
        burnWindow: 5_000,
        alerts: [
          { long: 10_000, short: 2_000, factor: 14.4 },
          { long: 3_600_000, short: 300_000, factor: 14.4 },
        ],
        expect: [{ metric: 'alerts', op: '<', value: 1, text: 'alerts<1' }],
      },
    ];
    const withSlo = events.map((event) =>
      event.type === 'run.started' ? { ...event, spec: { ...event.spec, slos } } : event,
    ) as JournalEvent[];
    const [slo] = summarize(withSlo).slos;
    const expected = expectedSlo(rows, t0, {
      objective: 99,
      windowMs: 86_400_000,
      thresholdMs: 500,
      burnWindowS: 5,
      pairs: [
        { name: '10s/2s', long: 10, short: 2, factor: 14.4 },
        { name: '1h/5m', long: 3600, short: 300, factor: 14.4 },
      ],
    });
    assert.is(expected.bad, count(rows, (row) => row[0] >= t0 && row[3] === 0) + slowSuccesses);
    assert.equal(
      expected.fired.map((pair) => pair.name),
      ['10s/2s'],
    );
    assertSlo(slo, expected);
    // The peak is over the SLO's own 5 s burn window: higher than over the default minute.
    assert.ok(
      slo.peakBurnRate! > expectedSlo(rows, t0, { objective: 99, windowMs: 86_400_000, thresholdMs: 500 }).peakBurnRate,
    );
    assert.is(slo.burnWindowMs, 5_000);
    const alert = slo.alerts.find((pair) => pair.fired)!;
    assert.equal([alert.long, alert.short, alert.factor], ['10s', '2s', 14.4]);
    near(alert.firedAfterMs, expected.fired[0].atMs - Math.round(tFaultOf(events) - t0), 0.5, 'fired after t_fault');
    assert.equal(
      slo.thresholds.map((threshold) => [threshold.text, threshold.measured, threshold.met]),
      [['alerts<1', 1, false]],
    );
    assert.is(slo.window, '1d');
    assert.is(slo.thresholdMs, 500);
  },
);

// ---------------------------------------------------------------------------------------
// held-to-end-failed: region stopped to the end; clients recover only after the rollback

test('held-to-end-failed: not recovered within the observation, so the RTO runs on past the rollback', async () => {
  const { events, summary } = load('held-to-end-failed');
  const reason = 'RTO 4520 ms > objective 3000 ms';
  assert.is(one(events, 'run.finished').reason, reason);
  assert.equal([summary.status, summary.reason], ['failed', reason]);
  const rows = trafficRows(events);
  const { end } = observation(events);
  const { tFault, onset } = outageOf(events);
  assert.is(rows.filter((row) => row[0] >= tFault && row[0] < end).pop()![3], 0, 'the observation ends in failure');
  const expected = expectedRecovery(rows, onset, end);
  assert.ok(expected.recovered && expected.afterRollback);
  assert.ok(expected.tRecovered > one(events, 'fault.reverted').at, 'recovered after the rollback');
  near(summary.rto.ms, expected.tRecovered - tFault, 0.5, 'RTO');
  assert.is(summary.rto.tRecovered, iso(expected.tRecovered));
  assert.is(summary.rto.failedRequests, expected.failed, 'failures after the observation count too');
  assert.ok(expected.failed > count(rows, (row) => row[0] >= onset && row[0] < end && row[3] === 0));
  // The post-check watched the recovered clients for less than one window, and says so too.
  assert.ok(expected.observedAfter < 2000);
  assert.is(
    summary.rto.note,
    `recovery observed for only ${Math.round(expected.observedAfter)} ms, less than the 2000 ms ` +
      `window; clients recovered only after the rollback at the end of the observation`,
  );
  assert.is(summary.rto.met, false);
  const { t0 } = observation(events);
  assertFaults(summary, events, t0);
  const [injected, reverted] = [one(events, 'fault.injected'), one(events, 'fault.reverted')];
  assert.is(Math.round((reverted.at - injected.at) / 100) / 10, 4.5);
  assert.is(summary.faults[0].rollback, "lab: start us-east-1's PostgreSQL and app");
  assert.equal(
    objectivesOf(summary).map((objective) => [objective.id, objective.met]),
    [
      ['rto', false],
      ['steady-state', true],
    ],
  );
  await assertJunit(summary, [
    ['RTO (client-observed)', 'failure'],
    ['steady state', 'ok'],
  ]);
  assertLines(renderMarkdown(summary), [
    '| RTO (client-observed) | 4.52s | 3s | **no** |',
    `Note: ${summary.rto.note}.`,
    // Offsets from the fault events; held 4.5 s (6 s observation − 2 s + the rollback's own time).
    `| us-east-1-stopped | regionOutage | ${((injected.at - t0) / 1000).toFixed(2)} | ` +
      `${((reverted.at - t0) / 1000).toFixed(2)} | 4.5s | \`lab: start us-east-1's PostgreSQL and app\` |  |`,
  ]);
});

// ---------------------------------------------------------------------------------------
// never-recovered-failed: the app stays down; clients never recover, steady state never returns

test('never-recovered-failed: not recovered until at least the last request; steady state did not return', async () => {
  const { events, summary } = load('never-recovered-failed');
  const reason =
    'clients never recovered (RTO ≥ 8958 ms, objective 5000 ms); steady state did not return after ' +
    'rollback (success ratio 0.0% < 99.0%)';
  assert.is(one(events, 'run.finished').reason, reason);
  assert.equal([summary.status, summary.reason], ['failed', reason]);
  const rows = trafficRows(events);
  const tFault = tFaultOf(events);
  const expected = expectedRecovery(rows, tFault, observation(events).end);
  assert.ok(!expected.recovered);
  assert.ok(
    rows.filter((row) => row[0] >= tFault).every((row) => row[3] === 0),
    'nothing succeeded after the fault',
  );
  assert.equal(
    [summary.rto.recovered, summary.rto.ms, summary.rto.tRecovered, summary.rto.met],
    [false, null, null, false],
  );
  near(summary.rto.atLeastMs, expected.atLeastMs, 0.5, 'at least');
  assert.is(summary.rto.failedRequests, expected.failed);
  assert.is(summary.rto.note, 'clients had not recovered when the run ended');
  const after = all(events, 'steady-state').find((event) => event.when === 'after')!;
  assert.equal(summary.steadyState.after, { ok: false, successRatio: after.successRatio, required: 0.99 });
  assert.is(after.successRatio, 0);
  assert.is(summary.faults[0].rollback, 'sh -c "echo \\"the app is left stopped on purpose\\""');
  assert.equal(
    objectivesOf(summary).map((objective) => [objective.id, objective.met]),
    [
      ['rto', false],
      ['steady-state', false],
    ],
  );
  const cases = await assertJunit(summary, [
    ['RTO (client-observed)', 'failure'],
    ['steady state', 'failure'],
  ]);
  assert.is(cases[0].failure![0].message, 'RTO (client-observed): not recovered (≥ 8.96s) (objective ≤ 5s)');
  assert.is(
    cases[1].failure![0].message,
    'steady state: success before faults 100.0%, after rollback 0.0% (objective ≥ 99.0% before ' +
      'faults and after rollback)',
  );
  assertLines(renderMarkdown(summary), [
    '# GameDay: journal fixture: clients never recover — FAILED',
    '| RTO (client-observed) | not recovered (≥ 8.96s) | 5s | **no** |',
    '| steady state after rollback | 0.0% | ≥ 99.0% | **no** |',
    'Note: clients had not recovered when the run ended.',
  ]);
});

// ---------------------------------------------------------------------------------------
// stop-condition-aborted: the error-ratio guard breached; aborted

const abortReason = 'stop condition stopConditions[0] errorRatio: error ratio 70.0% over the last 2000 ms > 50.0%';

test('stop-condition-aborted: the breach as recorded, and the 70% it names, from the rows', () => {
  const { events, summary } = load('stop-condition-aborted');
  assert.equal([one(events, 'run.finished').status, one(events, 'run.finished').reason], ['aborted', abortReason]);
  assert.equal([summary.status, summary.reason], ['aborted', abortReason]);
  const breach = one(events, 'stop-condition.breached');
  assert.equal(summary.stopConditions, [
    {
      condition: 'stopConditions[0] errorRatio',
      detail: 'error ratio 70.0% over the last 2000 ms > 50.0%',
      at: iso(breach.t),
    },
  ]);
  // Live, the guard saw the requests due in the last 2 s that had completed by then.
  const seen = trafficRows(events).filter(
    (row) => row[0] >= breach.t - 2000 && row[0] < breach.t && row[0] + row[1] <= breach.t,
  );
  assert.is(count(seen, (row) => row[3] === 0) / seen.length, 0.7);
  // The fault was rolled back for the abort, at once.
  assert.is(all(events, 'fault.reverting')[0].reason, 'abort');
  assertFaults(summary, events, observation(events).t0);
  assert.ok(summary.faults[0].activeMs! < 20_000, 'rolled back long before its 20 s');
  assertLines(renderMarkdown(summary), [
    '## Stop conditions',
    `- stopConditions[0] errorRatio: error ratio 70.0% over the last 2000 ms > 50.0%`,
  ]);
});

test('stop-condition-aborted: RTO and steady state, junit with a run error, and the timeline', async () => {
  const { events, summary } = load('stop-condition-aborted');
  const rows = trafficRows(events);
  const { t0, end } = observation(events);
  const tFault = tFaultOf(events);
  const expected = expectedRecovery(rows, tFault, end);
  assert.ok(expected.recovered);
  near(summary.rto.ms, expected.tRecovered - tFault, 0.5, 'RTO');
  assert.is(summary.rto.failedRequests, expected.failed);
  assertTraffic(summary, rows);
  assert.equal(
    objectivesOf(summary).map((objective) => [objective.id, objective.met]),
    [
      ['rto', true],
      ['steady-state', true],
    ],
  );
  const cases = await assertJunit(summary, [
    ['RTO (client-observed)', 'ok'],
    ['steady state', 'ok'],
    ['run', 'error'],
  ]);
  assert.equal(cases[2].error![0], { message: `run aborted: ${abortReason}`, type: 'aborted', inner: abortReason });
  assert.equal(
    summary.timeline.map((line) => line.event),
    [
      'phase preflight',
      'phase steady-state',
      'steady state before: ok (100.0% of 20 requests, need 99.0%)',
      'phase observe',
      'injecting us-east-1-cut-off (regionOutage)',
      'us-east-1-cut-off active',
      `stop condition ${abortReason.slice('stop condition '.length)}`,
      'phase rollback',
      'reverting us-east-1-cut-off (abort)',
      'us-east-1-cut-off reverted',
      'phase post-check',
      'steady state after: ok (100.0% of 20 requests, need 99.0%)',
      'phase done',
      `finished: aborted (${abortReason})`,
    ],
  );
  const breach = one(events, 'stop-condition.breached');
  near(summary.timeline[6].offsetMs, breach.t - t0, 0.5, 'breach offset');
  assertLines(renderMarkdown(summary), [
    '# GameDay: journal fixture: stop condition aborts — ABORTED',
    `**Result:** ABORTED — ${abortReason}`,
  ]);
});

// ---------------------------------------------------------------------------------------
// unreachable-error: nothing listens: status error, nothing injected, nothing measured

test('unreachable-error: error at the preflight; nothing injected or measured; junit errors, never green', async () => {
  const { events, summary } = load('unreachable-error');
  const reason =
    'target unreachable: api (http://127.0.0.1:1): ECONNREFUSED; traffic ' +
    '(http://127.0.0.1:1/health): ECONNREFUSED; nothing was injected';
  assert.equal([one(events, 'run.finished').status, one(events, 'run.finished').reason], ['error', reason]);
  assert.equal([summary.status, summary.reason], ['error', reason]);
  assert.equal(
    all(events, 'preflight.check').map((check) => [check.check, check.ok]),
    [
      ['reach api', false],
      ['reach traffic', false],
    ],
  );
  assert.is(all(events, 'traffic.samples').length, 0);
  assert.equal([summary.traffic.requests, summary.traffic.errors, summary.traffic.successRatio], [0, 0, null]);
  assert.equal(summary.traffic.latencyMs, { p50: null, p90: null, p99: null, max: null });
  assert.equal(summary.faults, []);
  assert.equal(
    [summary.rto.ms, summary.rto.met, summary.rto.recovered, summary.rto.tFault, summary.rto.note],
    [null, null, null, null, 'no fault was injected'],
  );
  assert.equal(summary.steadyState, { before: null, after: null });
  assert.equal(summary.slos, []);
  assert.equal(summary.series, []);
  assert.equal(
    summary.timeline.map((line) => [line.event, line.offsetMs]),
    [
      ['phase preflight', null],
      ['phase rollback', null],
      ['phase done', null],
      [`finished: error (${reason})`, null],
    ],
  );
  assert.equal(
    objectivesOf(summary).map((objective) => [objective.id, objective.met]),
    [['rto', null]],
  );
  const cases = await assertJunit(summary, [
    ['RTO (client-observed)', 'error'],
    ['run', 'error'],
  ]);
  assert.equal(
    [cases[0].error![0].type, cases[0].error![0].message],
    ['not-measured', 'RTO (client-observed): not measured (objective ≤ 5s)'],
  );
  assert.equal([cases[1].error![0].type, cases[1].error![0].message], ['error', `run error: ${reason}`]);
  assertLines(renderMarkdown(summary), [
    '# GameDay: journal fixture: unreachable target — ERROR',
    `**Result:** ERROR — ${reason}`,
    '| RTO (client-observed) | not measured (no fault was injected) | 5s | — |',
    'No fault was injected.',
  ]);
});

// ---------------------------------------------------------------------------------------
// unfinished: failover-passed cut mid-observation, with a torn last line

test('unfinished: the torn last line is dropped; the run "running", its fault active, the ledger unread', async () => {
  const text = fs.readFileSync(path.join(fixtureDir, 'unfinished.ndjson'), 'utf8');
  assert.not.ok(text.endsWith('\n'), 'the last line is torn');
  const whole = text.split('\n').slice(0, -1);
  const { events, summary } = load('unfinished');
  assert.is(events.length, whole.length, 'every whole line, and not the torn one');
  assert.is(events[events.length - 1].seq, 60);
  assert.equal(events, eventsOf('failover-passed').slice(0, 60), 'the same events as the whole run, up to the cut');
  assert.equal(
    [summary.status, summary.reason, summary.endedAt, summary.durationMs],
    ['running', 'the run did not finish (interrupted or still running)', null, null],
  );
  assert.equal([summary.faults[0].revertedAt, summary.faults[0].activeMs], [null, null]);
  assertTraffic(summary, trafficRows(events));
  // RTO: the failover had completed, and clients were served again, before the cut.
  const expected = expectedRecovery(trafficRows(events), tFaultOf(events), observation(events).end);
  assert.ok(expected.recovered);
  near(summary.rto.ms, expected.tRecovered - tFaultOf(events), 0.5, 'RTO');
  assert.is(summary.failover!.ok, true);
  const rpo = summary.rpo!;
  assert.equal(
    [rpo.ms, rpo.met, rpo.readBack, rpo.note],
    [null, null, null, 'the ledger was not read back (the run was interrupted or did not finish)'],
  );
  assert.is(
    rpo.ackedWrites,
    count(ledgerRows(events), (row) => row[4] === 1),
  );
  assert.equal(summary.steadyState.after, null);
  assert.equal(
    objectivesOf(summary).map((objective) => [objective.id, objective.met]),
    [
      ['rto', true],
      ['rpo', null],
      ['slo.orders-available.budget<2%', true],
      ['slo.orders-fast.burn<1000', true],
      ['slo.orders-fast.alerts<1', true],
      ['steady-state', null],
    ],
  );
  const cases = await assertJunit(summary, [
    ['RTO (client-observed)', 'ok'],
    ['RPO (write ledger)', 'error'],
    ['SLO orders-available (99.9% over 30d): budget', 'ok'],
    ['SLO orders-fast (99% over 30d): burn', 'ok'],
    ['SLO orders-fast (99% over 30d): alerts', 'ok'],
    ['steady state', 'error'],
    ['run', 'error'],
  ]);
  assert.equal(
    [cases[6].error![0].type, cases[6].error![0].message],
    ['running', 'run running: the run did not finish (interrupted or still running)'],
  );
  assertLines(renderMarkdown(summary), [
    '# GameDay: journal fixture: region failover passes — UNFINISHED',
    '**Result:** UNFINISHED — the run did not finish (interrupted or still running)',
    '| RPO (write ledger) | not measured | 1s | — |',
    'Note: the ledger was not read back (the run was interrupted or did not finish).',
  ]);
});

test('a journal without run.finished: status running, and junit with an error testcase named run', async () => {
  // A passed, a failed and an errored run: none had a "running" run testcase before.
  for (const name of ['failover-passed', 'never-recovered-failed', 'unreachable-error']) {
    const events = eventsOf(name);
    assert.is(events.filter((event) => event.type === 'run.finished').length, 1);
    const before = (await junitOf(load(name).summary)).cases.filter((testcase) => testcase.name === 'run');
    assert.ok(
      before.every((testcase) => testcase.error![0].type !== 'running'),
      `${name}: no running testcase while finished`,
    );
    const summary = summarize(events.filter((event) => event.type !== 'run.finished'));
    assert.is(summary.status, 'running', name);
    assert.is(summary.reason, 'the run did not finish (interrupted or still running)', name);
    assert.equal([summary.endedAt, summary.durationMs], [null, null], name);
    const { cases } = await junitOf(summary);
    const run = cases.filter((testcase) => testcase.name === 'run');
    assert.is(run.length, 1, `${name}: one run testcase`);
    assert.ok(run[0].error && !run[0].failure, `${name}: the run testcase is an error`);
    assert.equal(
      [run[0].error![0].type, run[0].error![0].message],
      ['running', 'run running: the run did not finish (interrupted or still running)'],
      name,
    );
  }
});

test.run();
