/**
 * The `notify` field of experiments and scenarios, and the checks made before a run: each
 * mistake said with its field path and what is valid; the environment's default; a Slack
 * notifier without SLACK_BOT_TOKEN, or a webhook whose secret or URL variable is unset,
 * refused with where it was asked for.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ExperimentValidationError } from '../../src/experiment/errors';
import { validateExperiment } from '../../src/experiment/validate';
import { NotifySetupError } from '../../src/notify';
import { readyNotifiers } from '../../src/notify/setup';
import { validateScenario } from '../../src/scenario/validate';
import { issuesOf } from '../support/validation';

const experiment = (notify: unknown) => ({
  name: 'drill',
  target: { kind: 'endpoints', endpoints: { api: 'http://127.0.0.1:9' } },
  traffic: { kind: 'http', endpoint: 'api' },
  notify,
});

test('a Slack notifier: every update kind unless chosen, nobody mentioned unless named', () => {
  const resolved = validateExperiment(experiment([{ kind: 'slack', channel: '#gameday-drills' }]), 'x.ts');
  assert.equal(resolved.notify, [{ kind: 'slack', channel: '#gameday-drills', mention: [] }]);
  const chosen = validateExperiment(
    experiment([
      { kind: 'slack', channel: 'C0123456789', events: ['fault', 'fault', 'stop'], mention: ['U024BE7LH', '@here'] },
    ]),
    'x.ts',
  );
  assert.equal(chosen.notify![0], {
    kind: 'slack',
    channel: 'C0123456789',
    events: ['fault', 'stop'],
    mention: ['U024BE7LH', '@here'],
  });
  assert.is(validateExperiment(experiment(undefined), 'x.ts').notify, undefined, 'absent: the environment decides');
});

test('each mistake in notify: its field path and what is valid', () => {
  assert.equal(issuesOf(experiment([{ kind: 'slack', channel: 'gameday' }])), [
    "notify[0].channel: expected a Slack channel: its ID like 'C0123456789' or its name like '#gameday-drills'",
  ]);
  assert.equal(issuesOf(experiment([{ kind: 'teams', url: 'https://x' }])), [
    'notify[0].kind: unknown kind "teams"; valid kinds: slack, webhook',
  ]);
  assert.equal(issuesOf(experiment([{ kind: 'slack', channel: '#a', events: ['started'] }])), [
    'notify[0].events[0]: expected one of "fault", "failover", "stop", "checkpoint", "step", "note", "halt", ' +
      'got "started"',
  ]);
  assert.equal(issuesOf(experiment([{ kind: 'slack', channel: '#a', mention: ['ana'] }])), [
    "notify[0].mention[0]: expected a Slack member ID like 'U024BE7LH', a user group ID like 'S0614TZR7', " +
      "'@here' or '@channel'",
  ]);
  assert.equal(issuesOf(experiment([{ kind: 'slack', channel: '#a', token: 'xoxb-1' }])), [
    'notify[0]: unknown field "token"; valid fields: kind, channel, events, mention, reportUrl',
  ]);
  assert.equal(issuesOf(experiment([{ kind: 'webhook', events: ['finished'] }])), [
    "notify[0].url: give the URL to POST to: url ('https://…') or urlEnv (the variable that holds it)",
  ]);
  assert.equal(
    issuesOf(experiment([{ kind: 'webhook', url: 'https://h.example', urlEnv: 'HOOK', events: ['finished'] }])),
    ['notify[0].urlEnv: give url or urlEnv, not both'],
  );
  assert.equal(issuesOf(experiment([{ kind: 'webhook', url: 'https://h.example', events: [] }])), [
    'notify[0].events: name at least one event kind: started, fault, failover, stop, checkpoint, step, note, ' +
      'halt, finished',
  ]);
  assert.equal(
    issuesOf(experiment([{ kind: 'webhook', url: 'ftp://h', events: ['finished'], secretEnv: 'my secret' }])),
    [
      'notify[0].url: expected an http:// or https:// URL',
      "notify[0].secretEnv: expected the name of an environment variable, like 'GAMEDAY_WEBHOOK_SECRET'",
    ],
  );
});

test("a scenario's notify is checked the same way", () => {
  const day = (notify: unknown) => ({
    name: 'day',
    target: { kind: 'endpoints', endpoints: { api: 'http://127.0.0.1:9' } },
    steps: [{ kind: 'note', message: 'hello' }],
    notify,
  });
  assert.equal(validateScenario(day([{ kind: 'slack', channel: '#drills' }]), 'day.ts').notify, [
    { kind: 'slack', channel: '#drills', mention: [] },
  ]);
  try {
    validateScenario(day([{ kind: 'slack', channel: '#Drills' }]), 'day.ts');
    assert.unreachable('an upper-case channel name is refused');
  } catch (error) {
    assert.instance(error, ExperimentValidationError);
    assert.match((error as ExperimentValidationError).issues[0].path, 'notify[0].channel');
  }
});

const slack = { kind: 'slack' as const, channel: '#gameday-drills', mention: [] };

function setupProblems(notify: Parameters<typeof readyNotifiers>[0], env: NodeJS.ProcessEnv): string[] {
  try {
    readyNotifiers(notify, 'x.ts', env);
  } catch (error) {
    if (error instanceof NotifySetupError)
      return error.problems.map((problem) => `${problem.where}: ${problem.message}`);
    throw error;
  }
  return [];
}

test('a Slack notifier without SLACK_BOT_TOKEN is refused before the run, with where it was asked for', () => {
  assert.equal(setupProblems([slack], {}), [
    'x.ts: notify[0]: a Slack notifier (#gameday-drills) needs a bot token: set SLACK_BOT_TOKEN (xoxb-…, with the ' +
      'chat:write and files:write scopes, the bot invited to the channel)',
  ]);
  assert.equal(setupProblems([slack], { SLACK_BOT_TOKEN: '  ' }).length, 1, 'blank is unset');
  const [ready] = readyNotifiers([slack], 'x.ts', { SLACK_BOT_TOKEN: 'xoxb-1-2-abc' });
  assert.equal(ready, { kind: 'slack', spec: slack, token: 'xoxb-1-2-abc', apiUrl: 'https://slack.com/api/' });
  const [elsewhere] = readyNotifiers([slack], 'x.ts', {
    SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
    GAMEDAY_SLACK_API_URL: 'http://127.0.0.1:9/api/',
  });
  assert.is(elsewhere.kind === 'slack' && elsewhere.apiUrl, 'http://127.0.0.1:9/api/');
  assert.equal(setupProblems([slack], { SLACK_BOT_TOKEN: 'xoxb-1', GAMEDAY_SLACK_API_URL: 'slack.local' }), [
    'GAMEDAY_SLACK_API_URL: expected an http:// or https:// URL',
  ]);
});

test("a webhook's secret and URL come from the variables it names; unset ones are refused", () => {
  const hook = { kind: 'webhook' as const, urlEnv: 'TEAMS_URL', events: ['finished' as const], secretEnv: 'HOOK_KEY' };
  assert.equal(setupProblems([hook], {}), [
    'x.ts: notify[0]: urlEnv names TEAMS_URL, which is not set (or empty)',
    'x.ts: notify[0]: secretEnv names HOOK_KEY, which is not set (or empty)',
  ]);
  assert.equal(setupProblems([hook], { TEAMS_URL: 'teams.example/abc', HOOK_KEY: 'k' }), [
    'x.ts: notify[0]: urlEnv names TEAMS_URL, whose value is not an http:// or https:// URL',
  ]);
  assert.equal(readyNotifiers([hook], 'x.ts', { TEAMS_URL: 'https://teams.example/abc', HOOK_KEY: 'k' }), [
    { kind: 'webhook', spec: hook, url: 'https://teams.example/abc', secret: 'k' },
  ]);
});

test("the environment's default applies when a file has no notify; notify: [] turns it off", () => {
  const env = {
    SLACK_BOT_TOKEN: 'xoxb-1',
    GAMEDAY_SLACK_CHANNEL: '#sre-drills',
    GAMEDAY_WEBHOOK_URL: 'https://bot.example/hook',
    GAMEDAY_WEBHOOK_SECRET: 's3cret-value',
  };
  const ready = readyNotifiers(undefined, 'x.ts', env);
  assert.equal(
    ready.map((notifier) => notifier.spec),
    [
      { kind: 'slack', channel: '#sre-drills', mention: [] },
      {
        kind: 'webhook',
        urlEnv: 'GAMEDAY_WEBHOOK_URL',
        events: ['started', 'finished'],
        secretEnv: 'GAMEDAY_WEBHOOK_SECRET',
      },
    ],
  );
  assert.equal(readyNotifiers([], 'x.ts', env), []);
  assert.equal(readyNotifiers(undefined, 'x.ts', {}), [], 'no default, no notifier');
  assert.equal(setupProblems(undefined, { GAMEDAY_SLACK_CHANNEL: 'sre' }), [
    "GAMEDAY_SLACK_CHANNEL: expected a Slack channel: its ID like 'C0123456789' or its name like '#gameday-drills'",
  ]);
  assert.equal(setupProblems(undefined, { GAMEDAY_SLACK_CHANNEL: '#sre' }), [
    'GAMEDAY_SLACK_CHANNEL: a Slack notifier (#sre) needs a bot token: set SLACK_BOT_TOKEN (xoxb-…, with the ' +
      'chat:write and files:write scopes, the bot invited to the channel)',
  ]);
  assert.equal(
    setupProblems(undefined, { GAMEDAY_WEBHOOK_URL: 'https://bot.example', GAMEDAY_WEBHOOK_EVENTS: 'finished,done' }),
    [
      'GAMEDAY_WEBHOOK_EVENTS: expected one of "started", "fault", "failover", "stop", "checkpoint", "step", "note", ' +
        '"halt", "finished", got "done" (a comma-separated list of started, fault, failover, stop, checkpoint, ' +
        'step, note, halt, finished)',
    ],
  );
});

test.run();
