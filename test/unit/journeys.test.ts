/**
 * RTO per journey: every http probe is a journey, measured like the headline RTO with the
 * hypothesis' recovery criterion; objectives per journey (`rto: { checkout: '30s' }`,
 * 'checkout.rto<30s') judged on it; the headline stays the traffic's unless the
 * hypothesis names another. Synthetic journals (samples made here, expectations worked out
 * from them with measure/rto's computeRto) and a real run's journal.
 */
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { journeysText } from '../../src/analysis/format';
import type { JourneySummary } from '../../src/analysis/summary';
import { computeRto } from '../../src/measure/rto';
import { renderRunPage } from '../../src/report/html/page';
import { renderCharts } from '../../src/report/html/render';
import { validateExperiment } from '../../src/experiment/validate';
import {
  judge,
  objectivesOf,
  readJournal,
  renderJunit,
  renderMarkdown,
  summarize,
  type EventOf,
  type JournalEvent,
  type JourneyRow,
  type RunSummary,
  type SampleRow,
} from '../support/analysis';
import { between, samplesEvery } from '../support/samples';
import { issuesOf } from '../support/validation';

const t0 = 1_000_000;
const tFault = t0 + 5_000;
const criteria = { successRatio: 0.95, windowMs: 2_000 };

/** Rows of one http probe: a request every `everyMs` over the 30 s observation, failing while `failing`. */
function rows(everyMs: number, failing: (t: number) => boolean): SampleRow[] {
  return samplesEvery(everyMs, t0, t0 + 30_000, failing).map(({ t, ok }): SampleRow => [
    t,
    ok ? 12 : 2_000,
    ok ? 201 : 0,
    ok ? 1 : 0,
    ok ? '' : 'ETIMEDOUT',
    ok ? 'eu-west-1' : '',
  ]);
}

/** A run's journal with a traffic and a checkout http probe, both hurt by one fault from +5 s. */
function journal(
  hypothesis: Record<string, unknown>,
  probes: Record<string, SampleRow[]>,
  options: { finished?: boolean } = {},
): JournalEvent[] {
  let seq = 0;
  const event = (t: number, body: Record<string, unknown>) => ({ seq: ++seq, t, ...body }) as JournalEvent;
  const events: JournalEvent[] = [
    event(t0 - 3_000, {
      type: 'run.started',
      runId: 'synthetic',
      runDir: '/tmp/synthetic',
      experiment: 'journeys',
      file: 'journeys.ts',
      description: '',
      target: { kind: 'endpoints' },
      gamedayVersion: '0.1.0',
      pid: 1,
      host: 'test',
      spec: {
        name: 'journeys',
        hypothesis: { recovery: { successRatio: criteria.successRatio, window: criteria.windowMs }, ...hypothesis },
        traffic: { name: 'traffic', rate: 10 },
        slos: [],
        duration: 30_000,
      },
    }),
    ...Object.keys(probes).map((probe) =>
      event(t0 - 2_000, { type: 'probe.started', probe, kind: 'http', url: `http://x/${probe}`, rate: 10 }),
    ),
    event(t0, { type: 'observe.started', t0, durationMs: 30_000 }),
    event(tFault - 10, {
      type: 'fault.injecting',
      fault: 'outage',
      kind: 'exec',
      rollback: { kind: 'none' },
      detail: {},
    }),
    event(tFault, { type: 'fault.injected', fault: 'outage', kind: 'exec', at: tFault }),
    ...Object.entries(probes).map(([probe, samples]) =>
      event(t0 + 30_000, { type: 'traffic.samples', probe, rows: samples }),
    ),
    event(t0 + 20_000, { type: 'fault.reverted', fault: 'outage', at: t0 + 20_000 }),
  ];
  if (options.finished !== false)
    events.push(event(t0 + 31_000, { type: 'run.finished', status: 'passed', reason: '' }));
  return events;
}

const trafficRows = rows(100, between(tFault, tFault + 7_000));
const checkoutRows = rows(500, between(tFault, tFault + 4_000));

/** What computeRto says of a probe's rows alone: the expectation each journey's RTO is held to. */
function expectedRto(probeRows: SampleRow[]): number {
  const result = computeRto(
    probeRows.map(([t, , , ok]) => ({ t, ok: ok === 1 })),
    tFault,
    criteria,
  );
  assert.ok(result.recovered === true);
  return result.rtoMs;
}

const journeyOf = (summary: RunSummary, name: string) => summary.journeys.find((journey) => journey.name === name)!;

test('each http probe is a journey with its own RTO and criterion; the headline stays the traffic', () => {
  const summary = summarize(journal({ rto: 20_000 }, { traffic: trafficRows, checkout: checkoutRows }));
  assert.equal(
    summary.journeys.map((journey) => [journey.name, journey.kind, journey.headline]),
    [
      ['traffic', 'http', true],
      ['checkout', 'http', false],
    ],
  );
  assert.is(expectedRto(trafficRows), 7_000);
  assert.is(expectedRto(checkoutRows), 4_000);
  assert.is(journeyOf(summary, 'traffic').rto.ms, 7_000);
  assert.is(journeyOf(summary, 'checkout').rto.ms, 4_000);
  assert.is(summary.rto.ms, 7_000, 'the headline is the traffic');
  assert.equal(journeyOf(summary, 'checkout').rto.criteria, criteria);
  assert.is(journeyOf(summary, 'checkout').rto.cause?.name, 'outage');
  const checkout = journeyOf(summary, 'checkout');
  assert.is(checkout.samples, checkoutRows.length);
  assert.is(checkout.failed, checkoutRows.filter((row) => row[3] === 0).length);
  // Its outcome over time: ok until the fault, failed for 4 s, ok to the end.
  assert.equal(
    checkout.outcomes.map((run) => [run.fromMs, run.ok]),
    [
      [0, true],
      [5_000, false],
      [9_000, true],
    ],
  );
});

test("a journey's objective is judged on its own RTO, met and missed, with the headline's unchanged", () => {
  const met = summarize(
    journal({ rto: 20_000, rtoByJourney: { checkout: 5_000 } }, { traffic: trafficRows, checkout: checkoutRows }),
  );
  const checkoutObjective = objectivesOf(met).find((objective) => objective.id === 'rto.checkout')!;
  assert.equal(
    { measured: checkoutObjective.measured, objective: checkoutObjective.objective, met: checkoutObjective.met },
    { measured: '4s', objective: '≤ 5s', met: true },
  );
  assert.is(judge(met).status, 'passed');
  assert.match(judge(met).reason, 'journey checkout RTO 4000 ms ≤ 5000 ms');

  const missed = summarize(
    journal({ rto: 20_000, rtoByJourney: { checkout: 3_000 } }, { traffic: trafficRows, checkout: checkoutRows }),
  );
  assert.equal(judge(missed), { status: 'failed', reason: 'journey checkout RTO 4000 ms > objective 3000 ms' });
  assert.is(missed.rto.met, true, 'the headline met its own objective');
});

test('the hypothesis can name another journey as the headline: its RTO and objective become summary.rto', () => {
  const summary = summarize(
    journal(
      { headline: 'checkout', rtoByJourney: { checkout: 3_000, traffic: 30_000 } },
      { traffic: trafficRows, checkout: checkoutRows },
    ),
  );
  assert.is(summary.rto.ms, 4_000);
  assert.is(summary.rto.objectiveMs, 3_000);
  assert.is(summary.rto.met, false);
  assert.is(summary.rto.bounds, null, 'bounds are worked out for the traffic client only');
  assert.equal(
    summary.journeys.map((journey) => [journey.name, journey.headline]),
    [
      ['traffic', false],
      ['checkout', true],
    ],
  );
  // The headline's objective is the run's RTO objective; the traffic's is a journey objective.
  assert.equal(
    objectivesOf(summary)
      .filter((objective) => objective.id.startsWith('rto'))
      .map((objective) => [objective.id, objective.met]),
    [
      ['rto', false],
      ['rto.traffic', true],
    ],
  );
});

test('a journey the objectives name but nothing measured is listed unmeasured, not judged', () => {
  const summary = summarize(journal({ rtoByJourney: { 'load.browse': 10_000 } }, { traffic: trafficRows }));
  const browse = journeyOf(summary, 'load.browse');
  assert.equal(
    { kind: browse.kind, samples: browse.samples, met: browse.rto.met, note: browse.rto.note },
    { kind: 'unmeasured', samples: 0, met: null, note: 'no samples after the fault' },
  );
  assert.is(objectivesOf(summary).find((objective) => objective.id === 'rto.load.browse')!.met, null);
  assert.is(judge(summary).status, 'passed');
});

test('a journey that never recovered fails the run with how long it was down at least', () => {
  const summary = summarize(
    journal({ rtoByJourney: { checkout: 10_000 } }, { traffic: trafficRows, checkout: rows(500, (t) => t >= tFault) }),
  );
  const checkout = journeyOf(summary, 'checkout');
  assert.is(checkout.rto.recovered, false);
  assert.is(
    judge(summary).reason,
    `journey checkout never recovered (RTO ≥ ${checkout.rto.atLeastMs} ms, objective 10000 ms)`,
  );
  assert.is(checkout.rto.atLeastMs, t0 + 29_500 - tFault, 'to the last sample');
});

test('a browser probe is a journey: its RTO, its steps, its failures with what they left, its DNS lookups', () => {
  const steps = (ok: boolean): Array<[string, number, 0 | 1]> => [
    ['product list', 300, 1],
    ['checkout', ok ? 500 : 4_000, ok ? 1 : 0],
  ];
  // A journey every 2 s; those due from the fault to +6 s fail in their checkout step.
  const failing = between(tFault, tFault + 6_000);
  const rows: JourneyRow[] = samplesEvery(2_000, t0, t0 + 30_000, failing).map(({ t, ok }, index) => [
    t,
    ok ? 800 : 4_300,
    ok ? 1 : 0,
    ok ? '' : "step 'checkout': page.click: Timeout 4000ms exceeded.",
    ok ? 'eu-west-1' : 'us-east-1',
    steps(ok),
    ok
      ? null
      : { screenshot: `journeys/checkout/${index}-checkout.png`, trace: `journeys/checkout/${index}-trace.zip` },
    index % 3 === 0 ? 1 : 0,
  ]);
  const events = journal({ rtoByJourney: { checkout: 10_000 } }, { traffic: trafficRows });
  const finished = events.pop()!;
  const at = (body: Record<string, unknown>, seq: number) => ({ ...body, seq, t: t0 + 30_000 }) as JournalEvent;
  events.push(
    at({ type: 'probe.started', probe: 'checkout', kind: 'browser', url: 'http://app/', rate: 0.5 }, 90),
    at({ type: 'journey.samples', probe: 'checkout', rows }, 91),
    finished,
  );
  const summary = summarize(events);
  const checkout = journeyOf(summary, 'checkout');
  assert.is(checkout.kind, 'browser');
  const expected = computeRto(
    rows.map(([t, , ok]) => ({ t, ok: ok === 1 })),
    tFault,
    criteria,
  );
  assert.ok(expected.recovered === true);
  assert.is(checkout.rto.ms, expected.rtoMs);
  assert.is(checkout.rto.met, true);
  assert.equal(checkout.regions, {
    'eu-west-1': rows.filter((row) => row[2] === 1).length,
    'us-east-1': rows.filter((row) => row[2] === 0).length,
  });

  const line = summary.probes.find((probe) => probe.probe === 'checkout')!;
  assert.equal(
    line.steps?.map((step) => [step.name, step.samples, step.failed]),
    [
      ['product list', rows.length, 0],
      ['checkout', rows.length, 3],
    ],
  );
  assert.equal(
    line.failures?.map((failure) => [failure.atMs, failure.step, failure.screenshot]),
    [
      [6_000, 'checkout', 'journeys/checkout/3-checkout.png'],
      [8_000, 'checkout', 'journeys/checkout/4-checkout.png'],
      [10_000, 'checkout', 'journeys/checkout/5-checkout.png'],
    ],
  );
  assert.equal(line.lookups, { journeys: Math.ceil(rows.length / 3), total: Math.ceil(rows.length / 3) });
});

test('a real run: its one journey, the traffic, is the headline, with the same RTO', () => {
  const events = readJournal(path.join(__dirname, '..', 'fixtures', 'journals', 'failover-passed.ndjson'));
  const summary = summarize(events);
  assert.is(summary.journeys.length, 1);
  const [traffic] = summary.journeys;
  assert.equal([traffic.name, traffic.kind, traffic.headline], ['traffic', 'http', true]);
  assert.equal(traffic.rto, summary.rto);
  assert.is(traffic.samples, summary.traffic.requests);
  assert.is(traffic.failed, summary.traffic.errors);
});

// A real run with a browser journey (test/fixtures/journals/README.md): the order traffic and a checkout through the
// lab's storefront every 2 s while us-east-1 was blackholed and the runbook failed over.
const browserRun = () => readJournal(path.join(__dirname, '..', 'fixtures', 'journals', 'browser-checkout.ndjson'));

test('a real run with a browser journey: its RTO from its own rows, judged as the run recorded', () => {
  const events = browserRun();
  const summary = summarize(events);
  const finished = events.find((event) => event.type === 'run.finished') as EventOf<'run.finished'>;
  assert.equal(judge(summarize(events.filter((event) => event.type !== 'run.finished'))), {
    status: finished.status,
    reason: finished.reason,
  });
  const observe = events.find((event) => event.type === 'observe.started') as EventOf<'observe.started'>;
  const fault = events.find((event) => event.type === 'fault.injected') as EventOf<'fault.injected'>;
  const started = events.find((event) => event.type === 'run.started') as EventOf<'run.started'>;
  const rows = events
    .filter((event): event is EventOf<'journey.samples'> => event.type === 'journey.samples')
    .flatMap((event) => event.rows)
    .sort((a, b) => a[0] - b[0]);
  // By hand: one journey was due just before the blackhole and failed in it (hung to its 8 s timeout, ending after
  // the fault began); the first journey after it that succeeded, with every one in the recovery window after it, is
  // the recovery; the RTO counts from the fault becoming active.
  const injecting = events.find((event) => event.type === 'fault.injecting')!.t;
  const windowMs = started.spec.hypothesis.recovery.window;
  const hurt = rows.findIndex(([t, ms, ok]) => ok === 0 && t + ms >= injecting && t >= observe.t0 - ms);
  assert.ok(hurt >= 0 && rows[hurt][0] < fault.at, 'the journey caught by the fault was due before it');
  const recovery = rows.find(
    ([t, , ok], index) =>
      index > hurt && ok === 1 && rows.every(([u, , fine]) => u < t || u >= t + windowMs || fine === 1),
  )!;
  const expected = Math.round(recovery[0] - fault.at);
  const checkout = journeyOf(summary, 'checkout');
  assert.is(checkout.rto.ms, expected);
  assert.match(finished.reason, `journey checkout RTO ${checkout.rto.ms} ms`);
  assert.equal([checkout.samples, checkout.failed], [rows.length, rows.filter((row) => row[2] === 0).length]);
  assert.is(summary.rto.ms, journeyOf(summary, 'traffic').rto.ms, 'the headline is the traffic');

  const line = summary.probes.find((probe) => probe.probe === 'checkout')!;
  const stepRuns = (name: string) => rows.flatMap((row) => row[5]).filter((step) => step[0] === name);
  for (const step of line.steps!)
    assert.equal(
      [step.samples, step.failed],
      [stepRuns(step.name).length, stepRuns(step.name).filter((run) => run[2] === 0).length],
    );
  assert.equal(
    line.failures!.map((failure) => [failure.screenshot, failure.trace]),
    rows.filter((row) => row[2] === 0).map((row) => [row[6]!.screenshot, row[6]!.trace]),
  );
  assert.equal(line.lookups, { journeys: rows.length, total: rows.length }, 'a new session asks DNS every journey');
});

test('a real run with a browser journey, in words: report.md, its links and its timeline', () => {
  const summary = summarize(browserRun());
  const rtoOf = (name: string) => `+${(journeyOf(summary, name).rto.ms! / 1000).toFixed(1)} s`;
  const markdown = renderMarkdown(summary);
  assert.match(
    markdown,
    `Checkout recovered at ${rtoOf('checkout')}, traffic at ${rtoOf('traffic')} (from us-east-1-offline).`,
  );
  for (const failure of summary.probes.find((probe) => probe.probe === 'checkout')!.failures!)
    assert.match(markdown, `[screenshot](${failure.screenshot}), [trace](${failure.trace})`);
  const checkout = journeyOf(summary, 'checkout');
  const failing = summary.timeline.find(
    (entry) => entry.event === 'journey checkout failing (fault us-east-1-offline)',
  );
  assert.is(failing?.offsetMs, checkout.outcomes.find((run) => !run.ok)!.fromMs);
  const recovered = summary.timeline.find((entry) => entry.event === 'journey checkout recovered');
  // Offsets and the RTO are each rounded to the millisecond.
  assert.ok(Math.abs(recovered!.offsetMs! - (checkout.rto.cause!.atMs! + checkout.rto.ms!)) <= 1);
  assert.match(renderJunit(summary), 'name="RTO of journey checkout (browser)"');
});

test('report.html: the journeys section, its chart of attempts, and each failure linked to its evidence', async () => {
  const summary = summarize(browserRun());
  const page = renderRunPage(summary, await renderCharts(summary));
  const section = page.slice(
    page.indexOf('<section id="journeys">'),
    page.indexOf('</section>', page.indexOf('<section id="journeys">')),
  );
  assert.match(section, 'Checkout recovered at +');
  assert.match(section, '<figure class="chart" data-chart="journeys"><svg');
  for (const failure of summary.probes.find((probe) => probe.probe === 'checkout')!.failures!) {
    assert.match(section, `<a href="${failure.screenshot}">screenshot</a>`);
    assert.match(section, `<a href="${failure.trace}">trace</a>`);
  }
});

test('journeys in words: the slowest first, and what was not measured or never recovered said as such', () => {
  const journey = (name: string, rto: Partial<JourneySummary['rto']>): JourneySummary =>
    ({
      name,
      rto: { ms: null, recovered: null, atLeastMs: null, note: null, cause: null, ...rto },
    }) as JourneySummary;
  const cause = { kind: 'fault' as const, name: 'outage', at: '', atMs: 5_000 };
  assert.is(
    journeysText([
      journey('traffic', { ms: 3_140, recovered: true, cause }),
      journey('checkout', { ms: 7_240, recovered: true, cause }),
      journey('browse', { ms: 0, recovered: true, cause }),
    ]),
    'checkout recovered at +7.2 s, traffic at +3.1 s, browse never failed beyond its criterion (from outage)',
  );
  assert.is(
    journeysText([
      journey('traffic', { ms: 3_140, recovered: true, cause }),
      journey('checkout', { recovered: false, atLeastMs: 40_000, cause }),
      journey('load.browse', { note: 'no samples after the fault' }),
    ]),
    'checkout had not recovered when the run ended (after +40.0 s), traffic recovered at +3.1 s, ' +
      'load.browse was not measured: no samples after the fault (from outage)',
  );
});

const experiment = (hypothesis: unknown) => ({
  name: 'x',
  target: { kind: 'endpoints', endpoints: { api: 'http://127.0.0.1:1' } },
  traffic: { kind: 'http', endpoint: 'api' },
  probes: [{ kind: 'http', name: 'checkout', endpoint: 'api', path: '/checkout' }],
  hypothesis,
});

test("objectives per journey: rto: { journey: '30s' } and 'journey.rto<30s', checked against the journeys", () => {
  assert.equal(validateExperiment(experiment({ rto: { checkout: '30s', traffic: '1m' } }), 'x.ts').hypothesis, {
    recovery: { successRatio: 0.95, window: 5_000 },
    rtoByJourney: { checkout: 30_000, traffic: 60_000 },
  });
  const short = validateExperiment(experiment(['rto<30s', 'checkout.rto<=10s', 'budget<5%']), 'x.ts').hypothesis;
  assert.equal([short.rto, short.rtoByJourney], [29_999, { checkout: 10_000 }]);
  assert.is(validateExperiment(experiment({ rto: '30s' }), 'x.ts').hypothesis.rto, 30_000, "rto: '30s' still works");
  assert.equal(issuesOf(experiment({ rto: { chekout: '30s' } })), [
    'hypothesis.rto.chekout: unknown journey "chekout"; the experiment\'s journeys: traffic, checkout',
  ]);
  assert.equal(issuesOf(experiment({ headline: 'nope' })), [
    'hypothesis.headline: unknown journey "nope"; the experiment\'s journeys: traffic, checkout',
  ]);
  assert.equal(issuesOf(experiment(['rto<30s', 'traffic.rto<20s'])), [
    "hypothesis.rto: the headline journey traffic's RTO objective is given twice (as rto and as traffic.rto)",
  ]);
  assert.equal(issuesOf(experiment(['checkout.rpo<1s'])), [
    'hypothesis[0]: only rto is measured per journey, like \'checkout.rto<30s\', got "checkout.rpo<1s"',
  ]);
  assert.equal(issuesOf(experiment({ rto: 30 })), [
    "hypothesis.rto: expected a duration like '30s', or objectives per journey like " +
      "{ checkout: '30s', browse: '10s' }, got 30",
  ]);
  assert.equal(issuesOf(experiment({ rto: { checkout: 'soon' } })).length, 1);
});

test.run();
