/**
 * The verdict from journal fixtures, no lab: judge(summary) must say exactly what the run
 * recorded when it ended (the fixtures were written by gameday runs of their own), and the
 * summary folded one event at a time must equal the one folded from the whole journal.
 */
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  judge,
  readJournal,
  RunSummarizer,
  summarize,
  type EventOf,
  type JournalEvent,
  type RunSummary,
} from '../support/analysis';

const fixtureDir = path.join(__dirname, '..', 'fixtures', 'journals');
const events = (name: string) => readJournal(path.join(fixtureDir, `${name}.ndjson`));
const finishedOf = (journal: JournalEvent[]) =>
  journal.find((event): event is EventOf<'run.finished'> => event.type === 'run.finished')!;
const before = (journal: JournalEvent[]) => journal.filter((event) => event.type !== 'run.finished');

// Runs that went to the end are judged on their measurements; aborted and error runs never reach the judge.
for (const name of [
  'failover-passed',
  'rto-missed-failed',
  'held-to-end-failed',
  'never-recovered-failed',
  'db-crash-lost-writes',
  'split-brain',
]) {
  test(`${name}: judge(summary) is the verdict the run recorded`, () => {
    const journal = events(name);
    const recorded = finishedOf(journal);
    assert.equal(judge(summarize(before(journal))), { status: recorded.status, reason: recorded.reason });
  });
}

test('a failed runbook fails a run whose objectives were met, and says why after them', () => {
  const journal = before(events('failover-passed'));
  const failed = journal.map((event) =>
    event.type === 'failover.completed'
      ? { ...event, ok: false, reason: 'failover step verify failed: not served by eu-west-1' }
      : event,
  );
  const verdict = judge(summarize(failed));
  assert.is(verdict.status, 'failed');
  assert.is(verdict.reason, 'failover step verify failed: not served by eu-west-1');

  const missed = failed.map((event) =>
    event.type === 'run.started'
      ? { ...event, spec: { ...event.spec, hypothesis: { ...event.spec.hypothesis, rto: 1 } } }
      : event,
  ) as JournalEvent[];
  const both = judge(summarize(missed));
  assert.is(both.status, 'failed');
  assert.match(both.reason, /^RTO \d+ ms > objective 1 ms; .*failover step verify failed: not served by eu-west-1$/);
});

test('a failback that failed fails the run with the step and its error', () => {
  const journal = before(events('failover-passed'));
  const failbackFailed = journal.map((event) =>
    event.type === 'failover.step' && event.step === 'failback' && event.status === 'succeeded'
      ? { ...event, status: 'failed' as const, error: 'eu-west-1 did not switch back' }
      : event,
  );
  assert.ok(
    journal.some((event) => event.type === 'failover.step' && event.step === 'failback'),
    'the fixture fails back',
  );
  assert.equal(judge(summarize(failbackFailed)), {
    status: 'failed',
    reason: 'failover step failback failed: eu-west-1 did not switch back',
  });
});

test('no objective declared: passed, and the reason says nothing was missed rather than inventing a figure', () => {
  const journal = before(events('failover-passed')).map((event) =>
    event.type === 'run.started'
      ? { ...event, spec: { ...event.spec, slos: [], hypothesis: { recovery: event.spec.hypothesis.recovery } } }
      : event,
  ) as JournalEvent[];
  const withoutSteadyState = journal.filter((event) => event.type !== 'steady-state');
  assert.equal(judge(summarize(withoutSteadyState)), { status: 'passed', reason: 'no objective missed' });
});

for (const name of ['failover-passed', 'db-crash-lost-writes', 'unfinished']) {
  test(`${name}: the summary folded event by event, asked midway and at the end, equals the whole journal's`, () => {
    const journal = events(name);
    const summarizer = new RunSummarizer();
    let midway: RunSummary | null = null;
    journal.forEach((event, index) => {
      summarizer.add(event);
      // Asking early must not spoil the end: measurements are recomputed when later events change them.
      if (index === Math.floor(journal.length / 2)) midway = summarizer.result();
    });
    assert.ok(midway);
    assert.equal(summarizer.result(), summarize(journal));
  });
}

test.run();
