/**
 * The scheduler in process, on a real drill against the test service: what `schedule run
 * --once` does for an external scheduler (the precondition that passes or skips with its
 * reason, the lever, a blackout, another process on the same entry), the reporters the
 * caller builds being the ones a drill gets, and two entries due together running one at a
 * time — the second queued behind the first (overlap: 'queue').
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pullLever, releaseLever } from '../../src/engine/halt';
import { scheduleSchema, type ScheduleConfig } from '../../src/experiment/schedule';
import { fileReporters } from '../../src/report/files';
import type { Reporter, RunOutcome } from '../../src/report/reporter';
import type { DrillReporters } from '../../src/schedule/drill';
import { loadEntries, type ScheduledEntry } from '../../src/schedule/entries';
import { ScheduleBusyError, Scheduler } from '../../src/schedule/scheduler';
import { entryKey, readState, schedulesDir, type Decision } from '../../src/schedule/state';
import { startFlakyService, type FlakyService } from '../support/flaky-service';

let service: FlakyService;
let base: ScheduledEntry;
let reports: string;
/** Every outcome the caller's own reporter was told, by run directory. */
const told = new Map<string, RunOutcome>();

const reporters: DrillReporters = {
  experiment: (runDir) => {
    const spy: Reporter = { name: 'spy', onEnd: (outcome) => void told.set(runDir, outcome) };
    return [...fileReporters(runDir, { pdf: false }), spy];
  },
  scenario: () => {
    throw new Error('no scenario is scheduled here');
  },
};

test.before(async () => {
  service = await startFlakyService();
  process.env.API_URL = service.url;
  process.env.DOWN_FILE = service.downFile;
  base = loadEntries(['test/fixtures/valid/scheduled-drill.ts'])[0];
  reports = path.join(service.dir, 'reports');
});
test.after(async () => {
  await service.close();
});

/** The drill under another name (its own state) and schedule. */
function entry(name: string, schedule: ScheduleConfig): ScheduledEntry {
  return { ...base, name, key: entryKey(base.file, name), schedule: scheduleSchema.parse(schedule) };
}

function scheduler(entries: ScheduledEntry[], signal = new AbortController().signal, log: Decision[] = []) {
  return new Scheduler(entries, {
    reports,
    reporters,
    onDecision: (d) => log.push(d),
    signal,
    consent: { yes: false },
  });
}

test('--once: the precondition passes, the drill runs with the reporters the caller built, as recorded', async () => {
  const drill = entry('passing', {
    cron: '0 10 * * TUE',
    precondition: [
      { kind: 'http', url: `${service.url}/incidents/open`, status: '200' },
      { kind: 'function', check: async ({ due }) => due instanceof Date },
    ],
  });
  const log: Decision[] = [];
  const last = await scheduler([drill], undefined, log).once();
  assert.is(last.kind, 'finished');
  assert.is(last.status, 'passed', last.reason);
  assert.equal(
    log.map((d) => d.kind),
    ['started', 'finished'],
  );
  assert.is(told.get(last.runDir!)?.status, 'passed', "the caller's reporter was told the outcome");
  assert.ok(fs.existsSync(path.join(last.runDir!, 'summary.json')), 'and the report files written');
  const state = readState(drill.key)!;
  assert.is(state.lastRun?.status, 'passed');
  assert.is(state.running, null);
  assert.is(state.cursor, last.due);
  assert.not.ok(fs.existsSync(path.join(schedulesDir(), `${drill.key}.lock`)), 'lock released');
});

test('--once: a precondition that does not pass skips the run with its reason; nothing starts', async () => {
  const failing = http.createServer((_, response) => response.writeHead(503).end('incident open'));
  await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/incidents`;
  const cases: Array<[ScheduleConfig['precondition'], RegExp]> = [
    [
      { kind: 'exec', command: 'echo "incident INC-42 is open" >&2; exit 3' },
      /^precondition failed: `echo .*` exited with code 3: incident INC-42 is open$/,
    ],
    [
      { kind: 'http', name: 'no open incident', url },
      /^precondition failed: no open incident: answered 503, expected 200-299$/,
    ],
    [
      {
        kind: 'function',
        name: 'error budget',
        check: () => ({ ok: false, reason: '4% of the budget left, under 10%' }),
      },
      /^precondition failed: error budget: 4% of the budget left, under 10%$/,
    ],
    [
      { kind: 'function', name: 'slow', timeout: '300ms', check: () => new Promise<boolean>(() => undefined) },
      /^precondition failed: slow: no answer within 300ms$/,
    ],
  ];
  const runDirsBefore = fs.readdirSync(reports).length;
  try {
    for (const [index, [precondition, reason]] of cases.entries()) {
      const drill = entry(`failing ${index}`, { every: '1d', precondition });
      const last = await scheduler([drill]).once();
      assert.is(last.kind, 'skipped');
      assert.is(last.cause, 'precondition');
      assert.match(last.reason, reason);
      assert.is(readState(drill.key)?.lastSkip?.reason, last.reason, 'kept in the state');
    }
    assert.is(fs.readdirSync(reports).length, runDirsBefore, 'no drill started');
  } finally {
    failing.close();
  }
});

test("a failed precondition's output is kept and logged redacted", async () => {
  process.env.DRILL_API_TOKEN = 'tok-3f9a8c7e1b2d';
  try {
    const drill = entry('secret', {
      every: '1d',
      precondition: { kind: 'exec', command: 'echo "401 for token $DRILL_API_TOKEN" >&2; exit 1' },
    });
    const log: Decision[] = [];
    const last = await scheduler([drill], undefined, log).once();
    assert.is(last.cause, 'precondition');
    assert.match(last.reason, /401 for token \[REDACTED\]/);
    assert.not.match(JSON.stringify([log, readState(drill.key)]), /tok-3f9a8c7e1b2d/);
  } finally {
    delete process.env.DRILL_API_TOKEN;
  }
});

test('--once: halted, or inside a blackout, the run is skipped and says why', async () => {
  pullLever('incident INC-7 in progress');
  try {
    const halted = await scheduler([entry('halted', { every: '1d' })]).once();
    assert.is(halted.cause, 'halted');
    assert.match(halted.reason, /^halted: gameday is halted since \S+ by \S+: incident INC-7 in progress/);
  } finally {
    releaseLever();
  }
  const allWeek = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  const frozen = entry('frozen', { every: '1d', blackout: [{ weekdays: allWeek, reason: 'code freeze' }] });
  const blackout = await scheduler([frozen]).once();
  assert.is(blackout.cause, 'blackout');
  assert.is(blackout.reason, 'blackout: code freeze (Mon, Tue, Wed, Thu, Fri, Sat, Sun)');
});

test('--once on an entry another --once runs is an overlap; one a scheduler holds is refused', async () => {
  const busy = entry('busy', { every: '1d' });
  const lock = path.join(schedulesDir(), `${busy.key}.lock`);
  const holder = (mode: string) =>
    JSON.stringify({ pid: process.pid, pidStartedAt: null, host: os.hostname(), mode, since: 'then' });
  fs.mkdirSync(schedulesDir(), { recursive: true });
  try {
    fs.writeFileSync(lock, holder('once'));
    const skipped = await scheduler([busy]).once();
    assert.is(skipped.cause, 'overlap');
    assert.match(
      skipped.reason,
      /^overlap: `gameday schedule run --once` \(pid \d+ on .+, since then\) is running it$/,
    );
    assert.is(readState(busy.key), null, 'the state belongs to the process running it');
    fs.writeFileSync(lock, holder('scheduler'));
    try {
      await scheduler([busy]).once();
      assert.unreachable('a scheduled entry cannot be run by --once');
    } catch (error) {
      assert.instance(error, ScheduleBusyError);
      assert.match((error as Error).message, /is scheduled by `gameday schedule run` \(pid \d+/);
    }
  } finally {
    fs.rmSync(lock, { force: true });
  }
});

test('two entries due together run one at a time: the second, overlap queue, starts when the first ends', async () => {
  const first = entry('first', { cron: '*/4 * * * * *', overlap: 'skip' });
  const second = entry('second', { cron: '*/4 * * * * *', overlap: 'queue' });
  const stop = new AbortController();
  const log: Decision[] = [];
  const running = scheduler([first, second], stop.signal, log).run();
  const deadline = Date.now() + 25_000;
  const ended = (name: string) => log.some((d) => d.kind === 'finished' && d.runDir?.includes(`-${name}-`));
  while (!(ended('first') && ended('second')) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  stop.abort();
  await running;
  const queued = log.find((d) => d.kind === 'queued')!;
  assert.ok(queued, log.map((d) => `${d.kind} ${d.reason}`).join('\n'));
  const started = log.filter((d) => d.kind === 'started');
  const finished = log.filter((d) => d.kind === 'finished');
  const waited = started.find((d) => /overlap: 'queue'/.test(d.reason))!;
  assert.ok(waited, 'the queued run started');
  assert.match(waited.runDir!, /-second-/, 'only the second queues');
  assert.is(waited.due, queued.due, 'for the due time it waited with');
  // No two drills at once: each start comes after the previous drill finished.
  const spans = started.map((start) => [start.at, finished.find((end) => end.runDir === start.runDir)?.at ?? '~']);
  for (let i = 1; i < spans.length; i++) assert.ok(spans[i][0] >= spans[i - 1][1], JSON.stringify(spans));
});

test.run();
