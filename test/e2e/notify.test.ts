/**
 * Notifications from the CLI: a Slack notifier without SLACK_BOT_TOKEN refused before
 * anything runs (and --no-notify running without it); a GameDay posting one thread for the
 * whole day — its note, each experiment's faults inside its step, the go/no-go, the
 * verdict — to the Slack stand-in through GAMEDAY_SLACK_API_URL; and a scheduled drill posting its
 * thread the same way, its scheduler refused at start without a token.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../support/cli';
import { startFlakyService } from '../support/flaky-service';
import { SlackStandIn } from '../support/slack';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-notify-e2e-'));
const reports = path.join(dir, 'reports');
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, definition: object): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `export default ${JSON.stringify(definition, null, 2)};\n`);
  return file;
}

const unreachable = {
  name: 'unreachable drill',
  target: { kind: 'endpoints', endpoints: { api: 'http://127.0.0.1:9' } },
  traffic: { kind: 'http', endpoint: 'api' },
  notify: [{ kind: 'slack', channel: '#gameday-drills' }],
};

test('a Slack notifier without SLACK_BOT_TOKEN: exit 2 before anything runs; --no-notify runs without it', async () => {
  const file = write('unreachable.ts', unreachable);
  const refused = await runCli(['run', file, '--reports', reports], { env: { SLACK_BOT_TOKEN: '' } });
  assert.is(refused.code, 2, refused.stderr);
  assert.is(
    refused.stderr,
    'gameday: cannot notify as asked (1 problem); nothing was run:\n' +
      `  ${file}: notify[0]: a Slack notifier (#gameday-drills) needs a bot token: set SLACK_BOT_TOKEN (xoxb-…, ` +
      'with the chat:write and files:write scopes, the bot invited to the channel)\n' +
      '  (--no-notify runs without notifying anyone)\n',
  );
  assert.not.ok(fs.existsSync(reports), 'no run directory');
  const quiet = await runCli(['run', file, '--reports', reports, '--no-notify', '--no-pdf'], {
    env: { SLACK_BOT_TOKEN: '' },
  });
  assert.is(quiet.code, 4, 'it ran, to the unreachable target’s error');
  assert.match(quiet.stdout, /^ERROR {2}unreachable drill: /);
});

test("a GameDay's one thread: the day, each step, its experiment's faults, the go/no-go, the verdict", async () => {
  const service = await startFlakyService();
  const slack = await new SlackStandIn().start();
  try {
    const file = write('day.ts', {
      name: 'notify day',
      target: { kind: 'endpoints', endpoints: { api: service.url } },
      participants: [
        { name: 'Ana', role: 'facilitator' },
        { name: 'Chloe', role: 'approver', slack: 'U024BE7LH' },
      ],
      steps: [
        { kind: 'note', message: 'Chloe decides the go/no-go.' },
        {
          kind: 'experiment',
          experiment: {
            name: 'api outage',
            traffic: { kind: 'http', endpoint: 'api', path: '/health', rate: 20, timeout: '1s' },
            steadyState: { duration: '500ms' },
            hypothesis: { rto: '10s', recovery: { successRatio: 0.95, window: '1s' } },
            faults: [
              {
                kind: 'exec',
                name: 'api-down',
                after: '500ms',
                duration: '1s',
                inject: `touch ${service.downFile}`,
                rollback: `rm -f ${service.downFile}`,
              },
            ],
            duration: '3s',
            // Not used in a GameDay: the day's notify speaks for it.
            notify: [{ kind: 'slack', channel: '#elsewhere' }],
          },
        },
        { kind: 'checkpoint', question: 'Go on?', timeout: '1m' },
      ],
      notify: [{ kind: 'slack', channel: '#gameday-drills', events: ['step', 'fault', 'checkpoint'] }],
    });
    const result = await runCli(['run', file, '--reports', reports, '--yes', '--no-pdf'], {
      env: { SLACK_BOT_TOKEN: slack.token, GAMEDAY_SLACK_API_URL: slack.apiUrl },
    });
    assert.is(result.code, 0, result.stderr + result.stdout);
    assert.not.match(result.stderr, /not delivered/);
    assert.equal(slack.violations, []);
    assert.is(slack.roots().length, 1, 'one thread for the day; nothing to the experiment’s own channel');
    const [root] = slack.roots();
    assert.is(root.history[0].text, '<@U024BE7LH> GameDay starting: notify day');
    assert.is(root.text, 'PASSED GameDay: notify day');
    const lines = slack
      .thread(root.ts)
      .map((reply) => reply.text.replace(/ at \+\d+\.\d\ds.*| in \d\S*$/, '').replace(/after \d+ms/, 'after (ms)'));
    assert.equal(lines, [
      'step 1/3 · note: Chloe decides the go/no-go.',
      'step 2/3 · experiment api outage starts',
      'step 2 · api outage: fault api-down injected',
      'step 2 · api outage: fault api-down reverted',
      'step 2/3 · api outage PASSED',
      '<@U024BE7LH> step 3/3 waits for a go/no-go: Go on?',
      `step 3/3 answered yes by ${os.userInfo().username} (--yes) after (ms): the day goes on`,
      'PASSED GameDay notify day',
    ]);
  } finally {
    await slack.close();
    await service.close();
  }
});

test('a scheduled drill notifies as a run by hand does; with no token its scheduler never starts', async () => {
  const service = await startFlakyService();
  const slack = await new SlackStandIn().start();
  const state = path.join(dir, 'state');
  try {
    const file = write('scheduled.ts', {
      name: 'scheduled outage',
      target: { kind: 'endpoints', endpoints: { api: service.url } },
      traffic: { kind: 'http', endpoint: 'api', path: '/health', rate: 20, timeout: '1s' },
      steadyState: { duration: '300ms' },
      faults: [
        {
          kind: 'exec',
          name: 'api-down',
          after: '300ms',
          duration: '500ms',
          inject: `touch ${service.downFile}`,
          rollback: `rm -f ${service.downFile}`,
        },
      ],
      duration: '1500ms',
      schedule: { cron: '0 10 * * TUE' },
      notify: [{ kind: 'slack', channel: '#gameday-drills' }],
    });
    const scheduleReports = path.join(dir, 'scheduled-reports');
    const once = ['schedule', 'run', '--once', file, '--reports', scheduleReports, '--no-pdf'];
    const refused = await runCli(once, { env: { SLACK_BOT_TOKEN: '', GAMEDAY_STATE_DIR: state } });
    assert.is(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /notify\[0\]: a Slack notifier \(#gameday-drills\) needs a bot token/);
    assert.not.ok(fs.existsSync(scheduleReports), 'nothing started');

    const ran = await runCli(once, {
      env: { SLACK_BOT_TOKEN: slack.token, GAMEDAY_SLACK_API_URL: slack.apiUrl, GAMEDAY_STATE_DIR: state },
    });
    assert.is(ran.code, 0, ran.stderr + ran.stdout);
    assert.match(ran.stdout, / finished /);
    assert.equal(slack.violations, []);
    const [root] = slack.roots();
    assert.is(slack.roots().length, 1);
    assert.is(root.text, 'PASSED drill: scheduled outage', 'the verdict edited into the first message');
    assert.match(JSON.stringify(root.history[0].blocks), /gameday schedule \(/, 'who: the scheduler');
    const replies = slack.thread(root.ts).map((reply) => reply.text);
    assert.ok(
      replies.some((text) => text.startsWith('fault api-down injected')),
      JSON.stringify(replies),
    );
  } finally {
    await slack.close();
    await service.close();
  }
});

test.run();
