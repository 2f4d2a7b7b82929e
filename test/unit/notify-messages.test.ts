/**
 * What a Slack thread (and a webhook's `text`) says, composed from real journals
 * (test/fixtures/journals) with no Slack and no lab: the first message from run.started,
 * one line per fault, failover step, abort and checkpoint with offsets computed here from
 * the journal's own times, the verdict in the report's own words (RTO, RPO, each SLO's
 * budget, the failback's cost), and the Block Kit it is laid out as.
 */
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { failbackText, formatOffset, rtoMeasured } from '../../src/analysis/format';
import { formatDuration } from '../../src/core/duration';
import { DayNarrator } from '../../src/notify/day-messages';
import { RunNarrator, type Update } from '../../src/notify/run-messages';
import { escape, slackPayload } from '../../src/notify/slack-blocks';
import { plainWordsSummary } from '../../src/report/plain-words';
import { dayInWords } from '../../src/report/scenario/words';
import {
  readJournal,
  summarize,
  summarizeScenario,
  type EventOf,
  type JournalEvent,
  type RunSummary,
} from '../support/analysis';

const journal = (name: string) => readJournal(path.join(__dirname, '..', 'fixtures', 'journals', `${name}.ndjson`));

function first<T extends JournalEvent['type']>(events: JournalEvent[], type: T): EventOf<T> {
  return events.find((event): event is EventOf<T> => event.type === type)!;
}

/** A run's thread as the narrator tells it: the first message, every update, the ending. */
function narrate(events: JournalEvent[], mention: string[] = []) {
  const narrator = new RunNarrator(mention);
  const start = narrator.start(first(events, 'run.started'), { by: 'ana', action: 'run', mention, reportUrl: null });
  const updates: Update[] = [];
  for (const event of events.slice(1)) {
    const update = narrator.update(event);
    if (update) updates.push(update);
  }
  const summary = summarize(events);
  const status = summary.status as Exclude<RunSummary['status'], 'running'>;
  const ending = narrator.finish({ status, reason: summary.reason, summary, runDir: '/reports/run-1' }, null);
  return { start, updates, summary, ending };
}

const field = (message: { fields?: Array<{ label: string; value: string }> }, label: string) =>
  message.fields?.find((entry) => entry.label === label)?.value;

test('first message: what, who, the expected impact from the journaled plan, where the report will be', () => {
  const events = journal('failover-passed');
  const started = first(events, 'run.started');
  const { start } = narrate(events, ['U024BE7LH']);
  assert.is(start.weight, 'headline');
  assert.is(start.title, `Drill starting: ${started.experiment}`);
  assert.equal(start.body, [started.description]);
  assert.is(field(start, 'Who'), `ana on ${started.host}`);
  assert.is(field(start, 'Target'), 'lab (us-east-1 and eu-west-1)');
  // From the journaled spec: the fault at +3s for 15s, and the runbook's regions.
  assert.is(
    field(start, 'Expected impact'),
    'us-east-1-offline: regionOutage on us-east-1 from +3s for 15s\nfailover us-east-1 → eu-west-1',
  );
  assert.is(
    field(start, 'Objectives'),
    'RTO < 30s, RPO < 1s, orders-available budget<2%, orders-fast burn<1000, orders-fast alerts<1',
  );
  assert.is(field(start, 'Length'), 'about 27s (2s of steady state, then 25s observed)');
  assert.match(field(start, 'Report')!, /report\.pdf in this thread when the run ends/);
  assert.equal(start.mention, ['U024BE7LH']);
  // `gameday failover`: the same run, said as what it is.
  const dr = new RunNarrator([]).start(started, { by: 'ana', action: 'failover', mention: [], reportUrl: null });
  assert.is(dr.title, `FAILOVER (a real DR action) starting: ${started.experiment}`);
  assert.is(field(dr, 'Length'), 'as long as the runbook takes');
});

test('updates: each fault and each failover step as it ends, with offsets from the start of observation', () => {
  const events = journal('failover-passed');
  const { updates } = narrate(events);
  const t0 = first(events, 'observe.started').t0;
  const injected = first(events, 'fault.injected');
  const reverted = first(events, 'fault.reverted');
  const ended = events.filter(
    (event): event is EventOf<'failover.step'> => event.type === 'failover.step' && event.status !== 'started',
  );
  // In the journal's order: the fault, the runbook's seven steps and its end, the revert, the failback.
  const told = events.filter(
    (event) =>
      event.type === 'fault.injected' ||
      event.type === 'fault.reverted' ||
      event.type === 'failover.completed' ||
      (event.type === 'failover.step' && event.status !== 'started'),
  );
  assert.equal(
    updates.map((update) => update.kind),
    told.map((event) => (event.type.startsWith('fault.') ? 'fault' : 'failover')),
    updates.map((update) => update.message.title).join('\n'),
  );
  assert.is(ended.length, 8);
  const titles = updates.map((update) => update.message.title);
  assert.is(
    titles[0],
    `fault us-east-1-offline injected at ${formatOffset(injected.at - t0)}: regionOutage on us-east-1 for 15s`,
  );
  // Each step with how long it took, from its own started event.
  for (const [index, step] of ended.slice(0, 7).entries()) {
    const startedAt = events.find(
      (event) => event.type === 'failover.step' && event.step === step.step && event.status === 'started',
    ) as EventOf<'failover.step'>;
    assert.ok(
      titles[1 + index].startsWith(
        `failover step ${step.step} succeeded in ${formatDuration(step.at - startedAt.at)} ` +
          `at ${formatOffset(step.at - t0)}`,
      ),
      titles[1 + index],
    );
  }
  assert.match(titles[3], /: old writer instance stopped; old cluster no longer the writer$/);
  assert.match(titles[6], /: served by eu-west-1$/);
  assert.match(titles[8], /^failover us-east-1 → eu-west-1 completed at \+\d+\.\d\ds: eu-west-1 serves clients/);
  assert.is(
    titles[9],
    `fault us-east-1-offline reverted at ${formatOffset(reverted.at - t0)}, after ` +
      `${formatDuration(reverted.at - injected.at)} active`,
  );
  // What clients saw is counted from the traffic's own rows, the 5 s before the revert.
  const rows = events
    .filter((event): event is EventOf<'traffic.samples'> => event.type === 'traffic.samples' && event.t <= reverted.t)
    .flatMap((event) => event.rows)
    .filter((row) => row[0] >= reverted.t - 5_000 && row[0] <= reverted.t);
  const ok = rows.filter((row) => row[3] === 1).length;
  assert.equal(updates[9].message.body, [
    `Clients over the last 5s: ${((ok / rows.length) * 100).toFixed(1)}% of ${rows.length} requests succeeded.`,
  ]);
  assert.match(titles[10], /^failover step failback succeeded in \S+ at \+\d+\.\d\ds/);
  assert.ok(
    updates.every((update) => (update.message.mention ?? []).length === 0),
    'a run that goes to plan calls nobody',
  );
});

test('the failback, undone on the rollback stack like a fault, is told once: by its runbook step', () => {
  const events = journal('failover-passed');
  // Runs since this fixture was captured also journal the failback's undo as a revert (failover/move-writer.ts).
  const failback = events.findIndex((event) => event.type === 'failover.step' && event.step === 'failback');
  const undo: JournalEvent = {
    seq: 0,
    t: events[failback + 1].t,
    type: 'fault.reverted',
    fault: 'failover: writer back to us-east-1',
    at: events[failback + 1].t,
  };
  const withUndo = [...events.slice(0, failback + 2), undo, ...events.slice(failback + 2)];
  assert.equal(
    narrate(withUndo).updates.map((update) => update.message.title),
    narrate(events).updates.map((update) => update.message.title),
  );
});

test('the verdict says what the report says: RTO, RPO, each budget burned, the failback, the plain words', () => {
  const { ending, summary } = narrate(journal('failover-passed'), ['U024BE7LH']);
  const { reply, headline } = ending;
  assert.is(reply.title, `PASSED ${summary.experiment}`);
  assert.equal(reply.body, [plainWordsSummary(summary)]);
  assert.is(field(reply, 'RTO'), `${rtoMeasured(summary.rto)} (objective 30s, met)`);
  assert.is(field(reply, 'RPO'), `0ms: 0 of ${summary.rpo!.ackedWrites} acknowledged writes lost (objective 1s, met)`);
  for (const slo of summary.slos) assert.match(field(reply, `Budget burned: ${slo.name}`)!, /of the 30d budget \(/);
  assert.is(field(reply, 'Failback'), failbackText(summary.failback!));
  assert.equal(reply.mention, [], 'a pass calls nobody');
  // The first message, edited: the verdict on top, the plan it announced kept, the report now in the thread.
  assert.is(headline.title, `PASSED drill: ${summary.experiment}`);
  assert.match(
    headline.body![0],
    /^Verdict: RTO 4\.28s · RPO 0ms \(0 of 115 writes lost\) · 0\.18% of orders-available/,
  );
  assert.is(
    field(headline, 'Expected impact')!.split('\n')[0],
    'us-east-1-offline: regionOutage on us-east-1 from +3s for 15s',
  );
  assert.is(field(headline, 'Report'), 'report.pdf in the thread; /reports/run-1/report.html on vm');
  assert.equal(headline.mention, []);
});

test('an abort: the stop condition calls the people named, the fault says it was undone for the abort', () => {
  const events = journal('stop-condition-aborted');
  const { updates, ending } = narrate(events, ['@here']);
  const breach = first(events, 'stop-condition.breached');
  const stop = updates.find((update) => update.kind === 'stop')!;
  assert.ok(stop.message.title.startsWith(`stop condition ${breach.condition} breached at +`), stop.message.title);
  assert.ok(stop.message.title.endsWith(breach.detail));
  assert.equal(stop.message.body, ['The run aborts and rolls back every fault.']);
  assert.equal(stop.message.mention, ['@here']);
  const reverted = updates.filter((update) => update.kind === 'fault').at(-1)!;
  assert.match(reverted.message.title, /reverted at \+\S+, after \S+ active \(the run aborted\)$/);
  assert.is(ending.reply.title.split(' ')[0], 'ABORTED');
  assert.equal(ending.reply.mention, ['@here'], 'a verdict other than passed calls them again');
  assert.match(ending.headline.body![0], /^Verdict: stop condition stopConditions\[0\] errorRatio: error ratio 70\.0%/);
});

test('a run that never started traffic: no update, a verdict that says the error', () => {
  const { updates, ending, summary } = narrate(journal('unreachable-error'));
  assert.equal(updates, []);
  assert.is(ending.reply.title, `ERROR ${summary.experiment}`);
  assert.is(summary.rto.met, null);
  assert.is(field(ending.reply, 'RTO'), `${rtoMeasured(summary.rto)} (objective 5s)`, 'not measured is no verdict');
  assert.is(field(ending.reply, 'RPO'), 'not measured (no write ledger)');
});

test("a GameDay's thread: who and the agenda, each step, the go/no-go calling its deciders, the verdict", () => {
  const events = journal('gameday-no-go');
  const started = first(events, 'scenario.started');
  const narrator = new DayNarrator(['S0614TZR7']);
  const start = narrator.start(started, { by: 'ana', mention: ['S0614TZR7'], reportUrl: null });
  assert.is(start.title, `GameDay starting: ${started.scenario}`);
  assert.is(field(start, 'Who'), `Ana (facilitator), Chloe (approver); started by ana on ${started.host}`);
  assert.is(field(start, 'Agenda'), '7 steps, about 20s plus 2 go/no-go decisions');
  assert.is(
    field(start, 'Expected impact'),
    '2. mild latency at +0ms\n5. heavy latency at +8s\n7. never reached at +14s',
  );
  assert.is(field(start, 'Objectives'), 'passed, budget<5%, rto<60s');
  assert.equal(start.mention, ['S0614TZR7', 'U024BE7LH'], 'the people named, and the participants with a Slack ID');

  const updates = events.slice(1).flatMap((event) => narrator.update(event) ?? []);
  const titles = updates.map((update) => update.message.title);
  const took = (step: number) =>
    formatDuration(
      events.find((event): event is EventOf<'step.finished'> => event.type === 'step.finished' && event.step === step)!
        .run!.durationMs!,
    );
  assert.equal(titles, [
    'step 1/7 · note: Two drills on us-east-1; Chloe decides.',
    'step 2/7 · experiment mild latency starts',
    `step 2/7 · mild latency PASSED in ${took(2)}`,
    'step 3/7 waits for a go/no-go: Go on to the heavy latency?',
    'step 3/7 answered yes by Chloe (gameday approve) after 3.02s: the day goes on',
    'step 4/7 · wait 2s: let the traffic settle',
    'step 5/7 · experiment heavy latency starts',
    `step 5/7 · heavy latency FAILED in ${took(5)}`,
    'step 6/7 waits for a go/no-go: Go on to the last drill?',
    'step 6/7 answered no by its timeout after 3s: the day ends here',
  ]);
  const asked = updates[3].message;
  assert.equal(asked.mention, ['S0614TZR7', 'U024BE7LH'], 'the approver with a Slack ID is called');
  assert.is(
    asked.body![0],
    `Without an answer within 5m, the answer is no. Answer from a terminal on ${started.host} as Ana and Chloe: ` +
      `gameday approve ${started.runDir} --as NAME (add --no to end the day).`,
  );
  assert.match(updates[2].message.body![0], /^RTO 0ms \(objective 5s\); RPO —; budget health-available /);
  assert.match(updates[7].message.body![0], /^RTO 1791 ms > objective 500 ms\nRTO 1\.79s \(objective 500ms\)/);
  assert.equal(updates[7].message.mention, ['S0614TZR7'], 'a failed step calls the people named');

  const summary = summarizeScenario(events);
  const { reply, headline } = narrator.finish(
    { status: 'aborted', reason: summary.reason, summary, runDir: started.runDir },
    'https://reports.example.com/x',
  );
  assert.is(reply.title, `ABORTED GameDay ${summary.scenario}`);
  assert.equal(reply.body, [dayInWords(summary), 'Skipped: step 7.']);
  assert.is(field(reply, '7. never reached'), 'SKIPPED');
  assert.match(field(reply, '5. heavy latency')!, /^FAILED: RTO 1\.79s \(objective 500ms\); RPO —; budget /);
  assert.match(field(reply, 'Objective passed')!, /\(MISSED\)$/);
  assert.equal(reply.links, [{ label: "the day's report", url: 'https://reports.example.com/x' }]);
  assert.is(headline.title, `ABORTED GameDay: ${summary.scenario}`);
  assert.match(headline.body![0], /^Verdict: no-go at step 6 .*\(worst RTO 1\.79s · /);
});

test('an experiment step inside a day: its lines go to the day, prefixed with the step', () => {
  const events = journal('stop-condition-aborted');
  const steps = new DayNarrator([]).forStep({ step: 4, name: 'cut off us-east-1' });
  steps.start(first(events, 'run.started'), { by: 'ana', action: 'run', mention: [], reportUrl: null });
  const titles = events.flatMap((event) => steps.update(event)?.message.title ?? []);
  assert.ok(titles.length >= 3, titles.join('\n'));
  assert.ok(
    titles.every((title) => title.startsWith('step 4 · cut off us-east-1: ')),
    titles.join('\n'),
  );
});

test('Block Kit: a header and fields for a headline, one section for an update, Slack limits kept', () => {
  const fields = Array.from({ length: 13 }, (_, index) => ({ label: `f${index}`, value: 'x'.repeat(2_500) }));
  const headline = slackPayload({
    weight: 'headline',
    icon: 'test_tube',
    title: 'Drill starting: '.padEnd(200, 'y'),
    body: ['a < b & c > d'],
    fields,
    context: ['run 1'],
    links: [{ label: 'report', url: 'https://example.com/r?a=1&b=2' }],
    mention: ['U024BE7LH', 'S0614TZR7', '@here'],
  });
  const [header, mentions, body, grid, rest, context] = headline.blocks as Array<Record<string, any>>;
  assert.is(header.type, 'header');
  assert.is(header.text.text.length, 150);
  assert.is(mentions.text.text, '<@U024BE7LH> <!subteam^S0614TZR7> <!here>');
  assert.is(body.text.text, 'a &lt; b &amp; c &gt; d');
  assert.is(grid.fields.length, 10);
  assert.is(rest.fields.length, 3);
  assert.ok(grid.fields.every((entry: { text: string }) => entry.text.length <= 2_000));
  assert.equal(
    context.elements.map((element: { text: string }) => element.text),
    ['run 1', '<https://example.com/r?a=1&b=2|report>'],
  );
  assert.ok(headline.text.startsWith('<@U024BE7LH> <!subteam^S0614TZR7> <!here> Drill starting'));

  const update = slackPayload({
    weight: 'update',
    icon: 'boom',
    title: 'fault <x> injected',
    body: ['second line'],
    mention: [],
  });
  assert.equal(update.blocks, [
    { type: 'section', text: { type: 'mrkdwn', text: ':boom: fault &lt;x&gt; injected\nsecond line' } },
  ]);
  assert.is(update.text, escape('fault <x> injected'));
});

test.run();
