/**
 * Notifications from real runs (an exec fault against an in-process flaky service: a few
 * seconds each), through the real @slack/web-api client against the Slack stand-in: the
 * whole thread — the first message, the fault injected and reverted, the verdict, the first
 * message edited, report.pdf uploaded — with the first message rate limited once (429,
 * Retry-After) and delivered after it; and a Slack that never answers, which leaves the
 * verdict and the rollback as they would have been and delays the end by its deadlines only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rtoMeasured } from '../../src/analysis/format';
import { readJournal } from '../../src/core/journal';
import type { EventOf, JournalEvent } from '../../src/core/events';
import { runExperiment } from '../../src/engine/run';
import type { ExperimentConfig } from '../../src/experiment/schema';
import { validateExperiment } from '../../src/experiment/validate';
import { notifiersFor, type NotifyOptions } from '../../src/notify';
import { fileReporters } from '../../src/report/files';
import { flakyServicePerTest } from '../support/flaky-service';
import { SlackStandIn } from '../support/slack';

const service = flakyServicePerTest(test);
let slack: SlackStandIn;
test.before.each(async () => {
  slack = await new SlackStandIn().start();
});
test.after.each(() => slack.close());

const outageMs = 1_500;

function drill(): ExperimentConfig {
  return {
    name: 'notify drill',
    description: 'The API answers 503 for 1.5 s; clients are served again within 10 s.',
    target: { kind: 'endpoints', endpoints: { api: service().url } },
    traffic: { kind: 'http', endpoint: 'api', path: '/health', rate: 20, timeout: '1s' },
    steadyState: { duration: '500ms' },
    hypothesis: { rto: '10s', recovery: { successRatio: 0.95, window: '1s' } },
    slos: [{ name: 'api-available', sli: 'availability', objective: 99.9, window: '30d' }],
    faults: [
      {
        kind: 'exec',
        name: 'api-down',
        after: '1s',
        duration: `${outageMs}ms`,
        inject: `touch ${service().downFile}`,
        rollback: `rm -f ${service().downFile}`,
      },
    ],
    duration: '4s',
    notify: [{ kind: 'slack', channel: '#gameday-drills', mention: ['U024BE7LH'] }],
  };
}

async function run(options: { pdf: boolean; notify: Partial<NotifyOptions> }) {
  const experiment = validateExperiment(drill(), 'notify-drill.ts');
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-notify-run-'));
  const notifiers = notifiersFor(
    { kind: 'experiment', experiment },
    { by: 'ana', env: { SLACK_BOT_TOKEN: slack.token, GAMEDAY_SLACK_API_URL: slack.apiUrl }, ...options.notify },
  );
  const result = await runExperiment(experiment, {
    runId: path.basename(runDir),
    runDir,
    // As the CLI attaches them: the report files first, so the thread's verdict finds report.pdf written.
    reporters: [...fileReporters(runDir, { pdf: options.pdf }), ...notifiers.reporters],
  });
  const returned = Date.now();
  const events = readJournal(path.join(runDir, 'journal.ndjson'));
  return { result, events, runDir, returned };
}

function all<T extends JournalEvent['type']>(events: JournalEvent[], type: T): EventOf<T>[] {
  return events.filter((event): event is EventOf<T> => event.type === type);
}

test('a real run: its whole thread, the first message rate limited once and retried, report.pdf uploaded', async () => {
  slack.fail('chat.postMessage', { status: 429, retryAfter: 1 });
  const { result, events, runDir } = await run({ pdf: true, notify: {} });
  try {
    assert.is(result.status, 'passed', result.summary.reason);
    assert.equal(result.reports.problems, []);
    assert.equal(slack.violations, []);

    // The 429, then the same first message again once Retry-After has passed.
    const [limited, retried] = slack.calls;
    assert.equal(
      [limited.method, limited.status, retried.method, retried.status],
      ['chat.postMessage', 429, 'chat.postMessage', 200],
    );
    assert.equal(retried.params, limited.params);
    assert.ok(retried.at - limited.at >= 950, `retried ${retried.at - limited.at} ms after the 429 (Retry-After: 1)`);

    // One thread: the first message, edited to the verdict; in it the fault both ways, the verdict, the PDF.
    assert.is(slack.roots().length, 1);
    const [root] = slack.roots();
    assert.match(root.history[0].text, /^<@U024BE7LH> Drill starting: notify drill$/);
    assert.is(root.text, 'PASSED drill: notify drill');
    const replies = slack.thread(root.ts);
    assert.equal(
      replies.map((reply) => reply.text.replace(/ at \+\d+\.\d\ds.*/, '')),
      ['fault api-down injected', 'fault api-down reverted', 'PASSED notify drill', ''],
    );
    const verdict = JSON.stringify(replies[2].blocks);
    assert.ok(verdict.includes(`*RTO*\\n${rtoMeasured(result.summary.rto)} (objective 10s, met)`), verdict);
    assert.ok(verdict.includes('*Budget burned: api-available*'), verdict);
    const [file] = replies[3].files!;
    assert.is(file.name, 'report.pdf');
    assert.equal(file.bytes, fs.readFileSync(path.join(runDir, 'report.pdf')), 'the PDF the run wrote, whole');
    // The edited first message keeps what it announced, with the verdict on top.
    const edited = JSON.stringify(root.blocks);
    assert.match(edited, /Verdict: RTO \d/);
    assert.match(edited, /api-down: exec from \+1s for 1\.5s/);
    // Thread order is the journal's.
    const injected = all(events, 'fault.injected')[0];
    const reverted = all(events, 'fault.reverted')[0];
    assert.ok(injected.seq < reverted.seq);
    assert.ok(Number(replies[0].ts) < Number(replies[1].ts) && Number(replies[1].ts) < Number(replies[2].ts));
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true });
  }
});

test('Slack never answering: verdict and rollback untouched, the end waits its deadlines only', async () => {
  slack.outage('hang');
  const deadlines = {
    retry: { retries: 1, factor: 1, minTimeout: 50, maxTimeout: 50 },
    requestTimeoutMs: 300,
    drainMs: 1_000,
    finishMs: 1_000,
  };
  const { result, events, runDir, returned } = await run({ pdf: false, notify: { slack: deadlines } });
  try {
    assert.is(result.status, 'passed', result.summary.reason);
    assert.match(result.summary.reason, /^RTO \d+ ms ≤ 10000 ms/);
    // The fault came and went on schedule: Slack is never on the rollback's path.
    assert.not.ok(fs.existsSync(service().downFile), 'rolled back');
    const [fault] = result.summary.faults;
    assert.ok(fault.revertedAt, 'reverted');
    assert.ok(
      fault.activeMs! >= outageMs && fault.activeMs! < outageMs + 1_000,
      `active ${fault.activeMs} ms for a ${outageMs} ms fault`,
    );
    // The client did try, and was never answered.
    assert.ok(slack.calls.length >= 2 && slack.calls.every((call) => call.status === 0), JSON.stringify(slack.calls));
    assert.equal(slack.messages, []);
    assert.is(result.reports.problems.length, 1, result.reports.problems.join('\n'));
    assert.match(
      result.reports.problems[0],
      new RegExp(
        '^Slack #gameday-drills not delivered: \\d+ of 3 messages not posted ' +
          '\\(the first message: could not reach Slack: timed out',
      ),
    );
    // After run.finished, the reporters' end waited for Slack no longer than its two deadlines.
    const finished = all(events, 'run.finished')[0];
    const waited = returned - finished.t;
    assert.ok(waited < deadlines.drainMs + deadlines.finishMs + 1_000, `the end took ${waited} ms after run.finished`);
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true });
  }
});

test.run();
