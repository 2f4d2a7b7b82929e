/**
 * The safety lever's state (engine/halt.ts): what a halt file may say and what each
 * malformed one is told; a file that cannot be read counts as halted (the lever fails
 * closed); pulling twice keeps the first halt, releasing keeps what it lifted; a run's
 * watcher sees a pull and a release within a second. And the registry of live runs that
 * `gameday halt` and `gameday note latest` read (engine/live-runs.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  haltedMessage,
  haltEvent,
  HaltWatcher,
  parseHaltState,
  pullLever,
  readHalt,
  releaseLever,
  type HaltReading,
} from '../../src/engine/halt';
import { listRuns, registerLiveRun } from '../../src/engine/live-runs';
import { summarize } from '../../src/analysis/summarize';
import { exitCodeFor } from '../../src/cli/exit-codes';
import type { JournalEvent } from '../../src/core/events';
import { readJournal } from '../../src/core/journal';
import { renderRunPage, type RenderedCharts } from '../../src/report/html/page';
import { renderJunit } from '../../src/report/junit';
import { renderMarkdown } from '../../src/report/markdown';

let dir: string;
let file: string;

test.before.each(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-halt-unit-'));
  file = path.join(dir, 'halt.json');
});
test.after.each(() => fs.rmSync(dir, { recursive: true, force: true }));

const halted = {
  version: 1,
  state: 'halted',
  since: '2026-12-04T10:00:00.000Z',
  by: 'alice',
  host: os.hostname(),
  reason: 'payments deploy in progress',
};

test('a halt file says halted (who, when, why) or released (who, and the halt it lifted)', () => {
  assert.equal(parseHaltState(JSON.stringify(halted)), halted);
  const released = {
    version: 1,
    state: 'released',
    since: '2026-12-04T10:05:00.000Z',
    by: 'bob',
    host: 'ops-1',
    halted: { since: halted.since, by: 'alice', host: 'ops-1', reason: null },
  };
  assert.equal(parseHaltState(JSON.stringify(released)), released);
  assert.equal(parseHaltState(JSON.stringify({ ...halted, reason: null })), { ...halted, reason: null });
});

test('a malformed halt file is told what is wrong, field by field', () => {
  const problem = (content: string) => (parseHaltState(content) as { problem: string }).problem;
  assert.match(problem('{"state": "halted",'), /^not JSON/);
  assert.match(problem(JSON.stringify({ ...halted, version: 2 })), /^version: /);
  assert.match(
    problem(JSON.stringify({ ...halted, state: 'paused' })),
    /^state: expected state 'halted' or 'released'/,
  );
  assert.match(problem(JSON.stringify({ ...halted, since: 'yesterday' })), /^since: /);
  assert.match(problem(JSON.stringify({ ...halted, by: '' })), /^by: /);
  assert.match(problem(JSON.stringify({ ...halted, reason: 'x'.repeat(501) })), /^reason: /);
  assert.not.ok('problem' in (parseHaltState(JSON.stringify({ ...halted, reason: 'x'.repeat(500) })) as object));
  assert.match(problem(JSON.stringify([halted])), /expected/);
});

test('no file: not halted; an unreadable one: halted, saying which file and how to get out', () => {
  assert.equal(readHalt(file), { halted: false, state: null });
  fs.writeFileSync(file, 'halted!');
  const reading = readHalt(file);
  assert.ok(reading.halted, 'a file nobody can read fails closed');
  assert.is(reading.state, null);
  const message = haltedMessage(reading as Extract<HaltReading, { halted: true }>);
  assert.ok(message.startsWith(`gameday cannot tell whether it is halted: ${file} is not a halt file: not JSON`));
  assert.ok(message.endsWith('Fix or remove that file, or release with: gameday halt --release'), message);
});

test('the refusal names when, who and why, and how to release', () => {
  fs.writeFileSync(file, JSON.stringify(halted));
  const reading = readHalt(file) as Extract<HaltReading, { halted: true }>;
  assert.is(
    haltedMessage(reading),
    'gameday is halted since 2026-12-04T10:00:00.000Z by alice: payments deploy in progress. ' +
      'Release with: gameday halt --release',
  );
  fs.writeFileSync(file, JSON.stringify({ ...halted, host: 'ops-1', reason: null }));
  assert.is(
    haltedMessage(readHalt(file) as Extract<HaltReading, { halted: true }>),
    'gameday is halted since 2026-12-04T10:00:00.000Z by alice on ops-1: no reason given. ' +
      'Release with: gameday halt --release',
  );
});

test('pulling a pulled lever keeps the first halt; releasing keeps what it lifted; releasing twice is nothing', () => {
  const first = pullLever('first', file);
  assert.is(first.already, false);
  assert.is(first.state.reason, 'first');
  assert.is(first.state.by, os.userInfo().username);
  const second = pullLever('second', file);
  assert.is(second.already, true);
  assert.equal(second.state, first.state);
  assert.equal(readHalt(file), { halted: true, state: first.state });

  const released = releaseLever(file)!;
  assert.equal(released.lifted, first.state);
  assert.equal(released.released.halted, {
    since: first.state.since,
    by: first.state.by,
    host: first.state.host,
    reason: 'first',
  });
  assert.is(readHalt(file).halted, false);
  assert.is(releaseLever(file), null);
  assert.is(pullLever(null, file).already, false, 'a released lever can be pulled again');
});

test('releasing replaces an unreadable halt file', () => {
  fs.writeFileSync(file, '{}');
  const released = releaseLever(file)!;
  assert.is(released.lifted, null);
  assert.is(readHalt(file).halted, false);
});

test("a run's watcher sees the lever pulled and released within a second, and not a rewrite of the same", async () => {
  const watcher = new HaltWatcher(file);
  assert.equal(watcher.current, { halted: false, state: null });
  const seen: Array<{ reading: HaltReading; at: number }> = [];
  watcher.start((reading) => seen.push({ reading, at: Date.now() }), 50);
  try {
    const pulledAt = Date.now();
    const { state } = pullLever('drill went wrong', file);
    await until(() => seen.length === 1);
    assert.ok(seen[0].at - pulledAt < 1_000, `seen after ${seen[0].at - pulledAt} ms`);
    assert.equal(seen[0].reading, { halted: true, state });
    assert.equal(haltEvent(seen[0].reading), {
      type: 'halt',
      action: 'halt',
      since: state.since,
      by: state.by,
      host: state.host,
      reason: 'drill went wrong',
    });

    fs.writeFileSync(file, JSON.stringify(state, null, 4));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.is(seen.length, 1, 'the same halt written again is no change');

    const { released } = releaseLever(file)!;
    await until(() => seen.length === 2);
    assert.equal(haltEvent(seen[1].reading), {
      type: 'halt',
      action: 'release',
      since: released.since,
      by: released.by,
      host: released.host,
      reason: null,
    });
    fs.rmSync(file);
    await until(() => seen.length === 3);
    assert.equal(seen[2].reading, { halted: false, state: null });
    assert.is(haltEvent(seen[2].reading).reason, 'the halt file was removed');
  } finally {
    watcher.stop();
  }
});

test('live runs: registered while they run, removed when they end; a dead entry is listed dead once', () => {
  const previous = process.env.GAMEDAY_STATE_DIR;
  process.env.GAMEDAY_STATE_DIR = dir;
  try {
    assert.equal(listRuns(), { live: [], dead: [] });
    const unregister = registerLiveRun({ runId: 'run-a', runDir: '/tmp/run-a', experiment: 'a' });
    const { live } = listRuns();
    assert.equal(
      live.map((run) => [run.runId, run.pid, run.host]),
      [['run-a', process.pid, os.hostname()]],
    );

    // A run killed with -9 left its entry behind: its pid is gone.
    const dead = { ...live[0], runId: 'run-killed', pid: deadPid(), startedAt: '2026-01-01T00:00:00.000Z' };
    fs.writeFileSync(path.join(dir, 'runs', 'run-killed.json'), JSON.stringify(dead));
    fs.writeFileSync(path.join(dir, 'runs', 'garbage.json'), 'not json');
    const listed = listRuns();
    assert.equal(
      listed.live.map((run) => run.runId),
      ['run-a'],
    );
    assert.equal(
      listed.dead.map((run) => run.runId),
      ['run-killed'],
    );
    assert.equal(listRuns().dead, [], 'said once, then removed');

    unregister();
    assert.equal(listRuns().live, []);
  } finally {
    if (previous === undefined) delete process.env.GAMEDAY_STATE_DIR;
    else process.env.GAMEDAY_STATE_DIR = previous;
  }
});

test('a halted run: exit code 5, HALTED in report.md and on the page, a junit testcase that is not green', () => {
  const events = readJournal(path.join(__dirname, '..', 'fixtures', 'journals', 'failover-passed.ndjson'));
  const reason = 'halted by alice at 2026-12-04T10:00:00.000Z (gameday halt): deploy';
  const finished = { ...events.at(-1)!, type: 'run.finished', status: 'halted', reason } as JournalEvent;
  const summary = summarize([...events.slice(0, -1), finished]);
  assert.is(summary.status, 'halted');
  assert.is(exitCodeFor('halted'), 5);
  assert.ok(renderMarkdown(summary).includes(`**Result:** HALTED — ${reason}`));
  const none: RenderedCharts = {
    timeline: null,
    journeys: null,
    regions: null,
    phases: null,
    ledger: null,
    budget: null,
    burn: null,
  };
  assert.ok(renderRunPage(summary, none).includes('<span class="badge halted">HALTED</span>'));
  const junit = renderJunit(summary);
  assert.ok(junit.includes(`<testcase classname="gameday.${summary.experiment}" name="run" time="0">`), junit);
  assert.ok(junit.includes(`type="halted"`), junit);
});

/** A pid no process has: past the kernel's pid_max. */
function deadPid(): number {
  const max = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  return max + 1;
}

async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test.run();
