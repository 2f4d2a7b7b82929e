/**
 * The team's alert rules judged from a real run's journal (test/fixtures/journals/
 * alert-rules.ndjson, from alert-rules.experiment.ts on the lab with its Prometheus; see the
 * README there): every figure of summary.alerts is checked against what this test works out
 * from the journal's own rows — Prometheus's evaluations (alerts.observed), the traffic's
 * requests (traffic.samples), the fault's times — never against the code's output alone.
 */
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  formatDuration,
  readJournal,
  renderMarkdown,
  summarize,
  type EventOf,
  type JournalEvent,
  type SampleRow,
} from '../support/analysis';

const events = readJournal(path.join(__dirname, '..', 'fixtures', 'journals', 'alert-rules.ndjson'));
const summary = summarize(events);
const alerts = summary.alerts!;
const one = <T extends JournalEvent['type']>(type: T) =>
  events.find((event): event is EventOf<T> => event.type === type)!;
const observed = one('alerts.observed');
const opened = one('prometheus.opened');
const injected = one('fault.injected');
const reverted = one('fault.reverted');
const t0 = one('observe.started').t0;
const fault = injected.at;
const rule = (name: string) => alerts.rules.find((entry) => entry.name === name)!;
const raised = (name: string) => observed.alerts.find((alert) => alert.alertname === name)!;

/** The traffic's requests per second from the start of observation, from the raw rows. */
function buckets(): Array<{ total: number; bad: number }> {
  const rows = events
    .filter((event): event is EventOf<'traffic.samples'> => event.type === 'traffic.samples')
    .flatMap((event) => event.rows as SampleRow[])
    .filter(([t]) => t >= t0);
  const count = Math.max(...rows.map(([t]) => Math.floor((t - t0) / 1000))) + 1;
  const out = Array.from({ length: count }, () => ({ total: 0, bad: 0 }));
  for (const [t, , , ok] of rows) {
    const bucket = out[Math.floor((t - t0) / 1000)];
    bucket.total++;
    if (!ok) bucket.bad++;
  }
  return out;
}

/**
 * The error ratio over `windowS` seconds ending at the end of second `end`, the seconds before the drill taken as good
 * at the drill's rate: written plainly here, apart from measure/.
 */
function ratio(seconds: Array<{ total: number; bad: number }>, end: number, windowS: number): number {
  const rate = seconds.reduce((sum, bucket) => sum + bucket.total, 0) / seconds.length;
  let total = 0;
  let bad = 0;
  for (let second = end - windowS; second < end; second++) {
    if (second < 0 || second >= seconds.length) total += rate;
    else {
      total += seconds[second].total;
      bad += seconds[second].bad;
    }
  }
  return bad / total;
}

test('the run, the Prometheus and the comparison it was asked for', () => {
  assert.is(summary.status, 'passed');
  assert.is(alerts.source, 'lab');
  assert.is(alerts.url, opened.url);
  assert.is(alerts.scrapeIntervalMs, 1_000);
  assert.is(alerts.evaluationIntervalMs, 1_000);
  assert.is(alerts.slo, 'orders-available');
  assert.is(alerts.reference, 'first fault');
  assert.is(alerts.error, null);
  assert.equal(
    alerts.rules.map((entry) => [entry.name, entry.file, entry.forMs]),
    [
      ['OrdersFastBurn', 'experiments/slo/orders-fast-burn.yml', 3_000],
      ['OrdersErrorBudgetBurn', 'experiments/slo/orders-standard-burn.yml', 120_000],
    ],
  );
});

test('every alert Prometheus raised: when, from the first fault, for how long, with its labels', () => {
  assert.equal(
    alerts.alerts.map((alert) => alert.alertname).sort(),
    observed.alerts.map((alert) => alert.alertname).sort(),
  );
  for (const alert of alerts.alerts) {
    const raw = raised(alert.alertname);
    assert.is(alert.pendingAfterMs, Math.round(raw.activeSince[0] - fault), `${alert.alertname} pending`);
    assert.equal(alert.labels, raw.labels);
    assert.is(alert.firingAfterMs, raw.firing.length > 0 ? Math.round(raw.firing[0][0] - fault) : null);
  }
  const fast = alerts.alerts.find((alert) => alert.alertname === 'OrdersFastBurn')!;
  // Prometheus fires at the first evaluation `for: 3s` after the activation: exactly 3 s with 1 s evaluations.
  assert.is(fast.firingAfterMs! - fast.pendingAfterMs!, 3_000);
  assert.is(fast.labels.severity, 'page');
  assert.is(fast.activeAtEnd, 'firing');
  const standard = alerts.alerts.find((alert) => alert.alertname === 'OrdersErrorBudgetBurn')!;
  assert.is(standard.firingAfterMs, null);
  assert.is(standard.activeAtEnd, 'pending');
});

test("the fast-burn rule: gameday's own evaluation of 1m and 10s, recomputed here from the requests", () => {
  const seconds = buckets();
  const threshold = 14.4 * (1 - 0.999);
  let crossed: number | null = null;
  for (let end = 1; end <= seconds.length && crossed === null; end++)
    if (ratio(seconds, end, 60) > threshold && ratio(seconds, end, 10) > threshold) crossed = end;
  const fast = rule('OrdersFastBurn');
  assert.equal(
    fast.conditions[0].map((condition) => [condition.windowMs, condition.factor]),
    [
      [10_000, 14.4],
      [60_000, 14.4],
    ],
  );
  assert.is(fast.gameday!.pendingAfterMs, Math.round(t0 + crossed! * 1000 - fault));
  assert.is(fast.gameday!.firingAfterMs, fast.gameday!.pendingAfterMs! + 3_000);
  assert.is(fast.verdict, 'both fired');
  // The measured difference, Prometheus − gameday, and what bounds it: a scrape, an evaluation, a 1 s bucket.
  const difference = fast.prometheus.pendingAfterMs! - fast.gameday!.pendingAfterMs!;
  assert.is(fast.difference.pendingMs, difference);
  assert.ok(Math.abs(difference) <= 3_000, `${difference} ms`);
  assert.ok(
    fast.explanation.some((line) =>
      line.startsWith(
        `Prometheus went pending ${formatDuration(Math.abs(difference))} ${difference >= 0 ? 'after' : 'before'}`,
      ),
    ),
    fast.explanation.join('\n'),
  );
});

test('the standard rule: neither fires; the `for:`, the outage and the missing history said with their figures', () => {
  const seconds = buckets();
  const standard = rule('OrdersErrorBudgetBurn');
  assert.is(standard.verdict, 'neither fired');
  assert.is(standard.gameday!.pendingAfterMs, null);
  let peak = 0;
  for (let end = 1; end <= seconds.length; end++) peak = Math.max(peak, ratio(seconds, end, 3600));
  const hour = standard.conditions[0].find((condition) => condition.windowMs === 3_600_000)!;
  assert.ok(Math.abs(hour.gamedayPeak! - peak) < 1e-6, `${hour.gamedayPeak} vs ${peak}`);
  assert.ok(hour.gamedayPeak! < 0.0144, 'under the threshold: an hour at the drill rate dilutes the outage');
  // Prometheus, with only the drill in its windows, saw the drill's own ratio and went pending.
  assert.ok(hour.prometheusPeak! > 0.0144);
  const outage = formatDuration(reverted.at - injected.at);
  const history = formatDuration(
    observed.alerts[0] && raised('OrdersErrorBudgetBurn').activeSince[0] - opened.dataSince!,
  );
  const text = standard.explanation.join('\n');
  assert.match(text, `Your rule has \`for: 2m\`; the outage lasted ${outage} (from the fault to its rollback)`);
  assert.match(text, `Prometheus had only ${history} of data when it went pending, less than the rule's 1h window`);
  assert.match(text, `the 1h window's error ratio peaked at`);
  assert.match(text, 'Both agree: it did not fire.');
});

test("the PromQL SLI counts what the app's counters counted, step by step", () => {
  const samples = events.find(
    (event): event is EventOf<'slo.promql-samples'> =>
      event.type === 'slo.promql-samples' && event.slo === 'orders-server-side',
  )!;
  const after = samples.points.filter(([t]) => t > t0);
  const serverSide = summary.slos.find((slo) => slo.name === 'orders-server-side')!;
  assert.is(
    serverSide.events,
    after.reduce((sum, [, , total]) => sum + total, 0),
  );
  assert.is(
    serverSide.badEvents,
    after.reduce((sum, [, good, total]) => sum + total - good, 0),
  );
  const clientSide = summary.slos.find((slo) => slo.name === 'orders-available')!;
  assert.is(serverSide.badEvents, clientSide.badEvents, 'every failed write, seen from both sides');
});

test('report.md: the alerts raised and each rule beside gameday, with the explanation', () => {
  const markdown = renderMarkdown(summary);
  assert.match(markdown, '## Your alert rules');
  assert.match(markdown, /\| OrdersFastBurn \| severity=page \| \+[\d.]+m?s \| \+[\d.]+s \| still firing \|/);
  assert.match(markdown, /\| OrdersErrorBudgetBurn \| 1h & 5m > 1\.44% \(14\.4×\) \| 2m \| .* \| neither fired \|/);
  assert.match(markdown, '**OrdersErrorBudgetBurn** (`experiments/slo/orders-standard-burn.yml`');
});

test.run();
