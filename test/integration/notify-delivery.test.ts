/**
 * How notifications are delivered when Slack or a receiver misbehaves, through the real
 * @slack/web-api client against the stand-in (test/support/slack.ts) and real HTTP POSTs to
 * a local receiver, fed a real run's journal (test/fixtures/journals): a Slack answering
 * 503 retried a bounded number of times then said as a problem; one refusing connections;
 * one refusing the channel (not retried); a secret that never leaves the process; a
 * webhook's signature a receiver can verify, its retries under one delivery id, a 4xx not
 * retried. No run: the runs are in notify-run.test.ts.
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { summarize } from '../../src/analysis/summarize';
import { readJournal } from '../../src/core/journal';
import type { JournalEvent, RunStatus } from '../../src/core/events';
import type { NotifierConfig } from '../../src/experiment/notify';
import { notifySchema } from '../../src/experiment/notify';
import { notifiersFor, type WebhookPayload } from '../../src/notify';
import type { Reporter, RunOutcome } from '../../src/report/reporter';
import { SlackStandIn } from '../support/slack';
import { WebhookReceiver } from '../support/webhook-receiver';

const events = readJournal(path.join(__dirname, '..', 'fixtures', 'journals', 'failover-passed.ndjson'));
const summary = summarize(events);

/** Quick retries and deadlines, so a failure shows in a second rather than Slack's minute. */
const fast = {
  slack: {
    retry: { retries: 2, factor: 1, minTimeout: 20, maxTimeout: 20 },
    requestTimeoutMs: 500,
    drainMs: 3_000,
    finishMs: 3_000,
  },
  webhook: { retries: 2, minDelayMs: 20, maxDelayMs: 200, requestTimeoutMs: 500, drainMs: 3_000 },
};

/** The fixture's run told to these notifiers as the engine tells its reporters; the problem its end reported. */
async function tell(notify: NotifierConfig[], env: NodeJS.ProcessEnv, journal: JournalEvent[] = events) {
  const { reporters } = notifiersFor(
    { kind: 'experiment', experiment: { file: 'x.ts', notify: notifySchema.parse(notify) } },
    { by: 'ana', env, ...fast },
  );
  for (const event of journal) for (const reporter of reporters) reporter.onEvent!(event);
  const problems: string[] = [];
  for (const reporter of reporters as Reporter<RunOutcome>[]) {
    const outcome = { status: summary.status as RunStatus, reason: summary.reason, summary, runDir: '/tmp/run' };
    await Promise.resolve(reporter.onEnd!(outcome)).catch((error: Error) =>
      problems.push(`${reporter.name} ${reporter.endFailure}: ${error.message}`),
    );
  }
  return problems;
}

let slack: SlackStandIn;
test.before.each(async () => {
  slack = await new SlackStandIn().start();
});
test.after.each(() => slack.close());

const env = () => ({ SLACK_BOT_TOKEN: slack.token, GAMEDAY_SLACK_API_URL: slack.apiUrl });
const channel = { kind: 'slack' as const, channel: '#gameday-drills' };
const updates = 12;

test('a real journal: the whole thread in order, the first message edited, nothing Slack would refuse', async () => {
  const problems = await tell([channel], env());
  assert.equal(problems, []);
  assert.equal(slack.violations, []);
  const [root] = slack.roots();
  assert.is(slack.roots().length, 1);
  const replies = slack.thread(root.ts);
  assert.is(replies.length, updates, 'every update and the verdict, in the thread');
  assert.match(replies[0].text, /^fault us-east-1-offline injected at \+3\.\d\ds/);
  assert.match(replies.at(-1)!.text, /^PASSED journal fixture: region failover passes/);
  assert.match(root.history[0].text, /^Drill starting: /);
  assert.match(root.text, /^PASSED drill: /);
  const methods = slack.calls.map((call) => call.method);
  assert.equal(methods, [...Array(updates + 1).fill('chat.postMessage'), 'chat.update']);
});

test('Slack answering 503: each message retried as configured, then said as a problem, within deadlines', async () => {
  slack.outage('unavailable');
  const started = Date.now();
  const problems = await tell([channel], env());
  // The first message, three tries (two retries); the updates have no thread; the verdict goes to the channel, tried
  // three times too. Nothing is posted to the channel in place of the thread.
  assert.is(slack.calls.length, 6, slack.calls.map((call) => call.method).join(', '));
  assert.ok(slack.calls.every((call) => call.status === 503));
  assert.equal(problems, [
    `Slack #gameday-drills not delivered: ${updates} of ${updates} messages not posted (the first message: Slack ` +
      `answered HTTP 503; ${updates - 1} with no thread to go in); the verdict: Slack answered HTTP 503`,
  ]);
  assert.ok(Date.now() - started < fast.slack.drainMs + fast.slack.finishMs, 'bounded by the deadlines');
});

test('Slack not reachable (connection refused): said as such, quickly', async () => {
  await slack.close();
  const problems = await tell([channel], env());
  assert.is(problems.length, 1);
  assert.match(problems[0], /the first message: could not reach Slack: ECONNREFUSED/);
  assert.match(problems[0], /the verdict: could not reach Slack: ECONNREFUSED$/);
});

test('a channel Slack does not know: refused once, not retried, and said', async () => {
  const problems = await tell([{ kind: 'slack', channel: '#nowhere' }], env());
  assert.equal(
    slack.calls.map((call) => `${call.method} ${call.error}`),
    ['chat.postMessage channel_not_found', 'chat.postMessage channel_not_found'],
  );
  assert.match(problems[0], /the first message: Slack refused it: channel_not_found/);
});

test('a wrong token: Slack says invalid_auth, gameday says so', async () => {
  const problems = await tell([channel], { ...env(), SLACK_BOT_TOKEN: 'xoxb-not-the-right-one' });
  assert.match(problems[0], /Slack refused it: invalid_auth/);
  assert.equal(slack.messages, []);
});

test('a secret never reaches Slack or a webhook: not the token, not a value from the environment', async () => {
  const receiver = await new WebhookReceiver().start();
  try {
    const secret = 'pg-password-4f9a0c1e';
    const note: JournalEvent = {
      seq: 1_000,
      t: events[40].t,
      type: 'note',
      id: 'n1',
      kind: 'finding',
      text: `the rollback used PGPASSWORD=${secret} and ${slack.token}`,
      owner: null,
      author: 'ana',
      host: 'vm',
    };
    const journal = [...events.slice(0, 41), note, ...events.slice(41)];
    const problems = await tell(
      [channel, { kind: 'webhook', url: receiver.url, events: ['note'] }],
      { ...env(), DB_PASSWORD: secret },
      journal,
    );
    assert.equal(problems, []);
    const received = JSON.stringify(slack.calls.map((call) => call.params)) + receiver.posts.map((post) => post.body);
    assert.match(received, /the rollback used PGPASSWORD=\[REDACTED\] and \[REDACTED\]/);
    assert.not.ok(received.includes(secret), 'the environment secret is redacted');
    assert.not.ok(received.includes(slack.token), 'the token is redacted');
  } finally {
    await receiver.close();
  }
});

test('webhook: a signed POST per event of the kinds chosen, verifiable, retried under one id', async () => {
  const receiver = await new WebhookReceiver().start();
  try {
    receiver.fail(503);
    receiver.fail(429, 0);
    const secret = 'whsec-8d2b7e61c0a94f35';
    const problems = await tell(
      [{ kind: 'webhook', url: receiver.url, events: ['started', 'fault', 'finished'], secretEnv: 'HOOK_SECRET' }],
      { HOOK_SECRET: secret },
    );
    assert.equal(problems, []);
    // started (refused twice, delivered the third time), 2 faults, finished.
    assert.is(receiver.posts.length, 6);
    const ids = receiver.posts.map((post) => post.headers['x-gameday-delivery']);
    assert.is(ids[0], ids[1]);
    assert.is(ids[1], ids[2]);
    assert.is(new Set(ids).size, 4, 'each event its own delivery id');
    for (const post of receiver.posts) {
      const timestamp = post.headers['x-gameday-timestamp'] as string;
      const expected = createHmac('sha256', secret).update(`${timestamp}.${post.body}`).digest('hex');
      assert.is(post.headers['x-gameday-signature'], `sha256=${expected}`);
      assert.ok(Math.abs(Number(timestamp) * 1000 - post.at) < 5_000, 'the timestamp is when it was sent');
    }
    const payloads = receiver.posts.slice(2).map((post) => JSON.parse(post.body) as WebhookPayload);
    assert.equal(
      payloads.map((payload) => [payload.type, payload.event.type]),
      [
        ['started', 'run.started'],
        ['fault', 'fault.injected'],
        ['fault', 'fault.reverted'],
        ['finished', 'run.finished'],
      ],
    );
    for (const payload of payloads) {
      assert.is(payload.runId, summary.runId);
      assert.is(payload.experiment, summary.experiment);
      assert.is(payload.scenario, null);
    }
    assert.not.ok('spec' in payloads[0].event, "the experiment's own settings are not sent");
    assert.is(payloads[1].at, new Date((payloads[1].event as { t: number }).t).toISOString());
    const finished = payloads[3].event as Record<string, any>;
    assert.is(finished.status, 'passed');
    assert.is(finished.rto.ms, summary.rto.ms);
    assert.is(finished.rpo.lostWrites, 0);
    assert.equal(
      finished.slos.map((slo: { name: string }) => slo.name),
      summary.slos.map((slo) => slo.name),
    );
    assert.match(payloads[3].text, /^PASSED journal fixture: region failover passes\nLosing us-east-1: customers saw/);
  } finally {
    await receiver.close();
  }
});

test('webhook: a 4xx is not retried; an unsigned webhook sends no signature', async () => {
  const receiver = await new WebhookReceiver().start();
  try {
    receiver.fail(410);
    const problems = await tell([{ kind: 'webhook', url: receiver.url, events: ['started', 'finished'] }], {});
    assert.is(receiver.posts.length, 2, 'started refused once, finished delivered');
    assert.is(receiver.posts[1].headers['x-gameday-signature'], undefined);
    assert.equal(problems, [
      `webhook ${new URL(receiver.url).host} not delivered: 1 of 2 POSTs not delivered ` +
        `(started ${receiver.posts[0].headers['x-gameday-delivery']!.slice(0, 8)}: HTTP 410: the receiver refused it)`,
    ]);
  } finally {
    await receiver.close();
  }
});

test('report.pdf written by this run is uploaded into the thread; one older than the run is not', async () => {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-notify-'));
  try {
    const pdf = path.join(runDir, 'report.pdf');
    fs.writeFileSync(pdf, Buffer.from('%PDF-1.7 stand-in bytes\n'));
    const { reporters } = notifiersFor(
      { kind: 'experiment', experiment: { file: 'x.ts', notify: notifySchema.parse([channel]) } },
      { by: 'ana', env: env(), ...fast },
    );
    const [reporter] = reporters;
    for (const event of events) reporter.onEvent!(event);
    const end = (startedAt: string) =>
      reporter.onEnd!({ status: 'passed', reason: summary.reason, summary: { ...summary, startedAt }, runDir });
    // The fixture's run started before this file was written: its PDF.
    await end(summary.startedAt);
    const uploaded = slack.messages.filter((message) => message.files);
    assert.is(uploaded.length, 1);
    assert.is(uploaded[0].thread_ts, slack.roots()[0].ts);
    assert.equal(uploaded[0].files![0].bytes, fs.readFileSync(pdf));
    assert.is(uploaded[0].files![0].name, 'report.pdf');
    assert.equal(
      slack.calls.slice(-3).map((call) => call.method.replace(/ F\d+$/, '')),
      ['files.getUploadURLExternal', 'upload', 'files.completeUploadExternal'],
    );
    assert.equal(slack.violations, []);
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true });
  }
});

test.run();
