/**
 * `gameday schedule run` as an operator runs it: a cron every three seconds runs a two-second
 * drill against the test service; the scheduler is killed with -9 in the middle of a drill
 * (its fault left injected), stays down while due times pass, and is started again. From
 * both processes' decision logs, the state file, the run directories and the service's own
 * record of injections: every due time from the first to the last was decided exactly once
 * (run, or skipped with its reason), none twice and none dropped; the drill it was killed in
 * was recovered and never run again; every fault was rolled back.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DueTimes } from '../../src/schedule/due-times';
import { scheduleSchema } from '../../src/experiment/schedule';
import type { Decision, EntryState } from '../../src/schedule/state';
import { runCli, spawnCli } from '../support/cli';
import { startFlakyService } from '../support/flaky-service';

const cron = '*/3 * * * * *';
const file = 'test/fixtures/valid/scheduled-drill.ts';

/** Decisions from a scheduler's --json log, as they arrive. */
function follow(child: ReturnType<typeof spawnCli>['child']): Decision[] {
  const decisions: Decision[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) if (line.trim()) decisions.push(JSON.parse(line));
  });
  return decisions;
}

async function until(what: string, holds: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const count = (file: string, line: string) =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((entry) => entry === line).length
    : 0;

test('killed with -9 mid-drill, restarted: no due time runs twice or is dropped, its fault is recovered', async () => {
  const service = await startFlakyService();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-schedule-'));
  const reports = path.join(work, 'reports');
  const log = `${service.downFile}.log`;
  const env = {
    API_URL: service.url,
    DOWN_FILE: service.downFile,
    CRON: cron,
    // A fault of two seconds: long enough to be caught injected on a loaded machine.
    OUTAGE: '2s',
    DURATION: '3s',
    GAMEDAY_STATE_DIR: path.join(work, 'state'),
  };
  const args = ['schedule', 'run', file, '--reports', reports, '--no-pdf', '--json'];
  try {
    const first = spawnCli(args, { env });
    const before = follow(first.child);
    // The second drill's fault is on: kill the scheduler there, leaving it injected.
    await until('a second drill injects its fault', () => count(log, 'injected') >= 2, 45_000);
    await until('the fault is on', () => fs.existsSync(service.downFile), 5_000);
    first.child.kill('SIGKILL');
    await first.done;
    assert.ok(fs.existsSync(service.downFile), 'the killed drill left its fault injected');
    const killedAt = Date.now();
    // At least two due times pass with no scheduler running.
    await new Promise((resolve) => setTimeout(resolve, 6_500));

    const second = spawnCli(args, { env });
    const after = follow(second.child);
    await until('the restart recovers the killed drill', () => after.some((d) => d.kind === 'interrupted'), 30_000);
    assert.not.ok(fs.existsSync(service.downFile), 'recovered: the fault is rolled back');
    // One process acts on an entry: a second scheduler is refused, and changes nothing.
    const refused = await runCli(args, { env });
    assert.is(refused.code, 2, refused.stderr);
    assert.match(
      refused.stderr,
      /already scheduled: test\/fixtures\/valid\/scheduled-drill\.ts \(scheduled drill\) by/,
    );
    await until(
      'a due time after the catch-up is decided on schedule',
      () => {
        const catchUp = after.find((d) => d.kind === 'started' && /run once now/.test(d.reason));
        const caughtUp = catchUp && after.some((d) => d.kind === 'finished' && d.due === catchUp.due);
        return !!caughtUp && after.some((d) => d.due! > catchUp.due! && ['started', 'skipped'].includes(d.kind));
      },
      40_000,
    );
    second.child.kill('SIGTERM');
    const stopped = await second.done;
    assert.is(stopped.code, 0, stopped.stderr);

    const decisions = [...before, ...after];
    const interrupted = after.filter((d) => d.kind === 'interrupted');
    assert.is(interrupted.length, 1);
    const killed = before.filter((d) => d.kind === 'started').at(-1)!;
    assert.is(interrupted[0].due, killed.due, 'the drill it was killed in');
    assert.is(interrupted[0].runDir, killed.runDir);
    assert.match(interrupted[0].reason, /it is not run again; recover: reverted api-down/);

    // Every due time from the first decided to the last: exactly one decision each.
    const decided = new Map<string, string[]>();
    const note = (due: string, what: string) => decided.set(due, [...(decided.get(due) ?? []), what]);
    const dues = new DueTimes(scheduleSchema.parse({ cron }), 0);
    for (const decision of decisions) {
      if (decision.kind === 'skipped' && decision.span && decision.span.count > 1) {
        for (let due = Date.parse(decision.span.first); due <= Date.parse(decision.span.last); due = dues.next(due)!)
          note(new Date(due).toISOString(), `skipped ${decision.cause}`);
      } else if (['started', 'skipped', 'queued'].includes(decision.kind))
        note(decision.due!, `${decision.kind}${decision.cause ? ` ${decision.cause}` : ''}`);
    }
    const times = [...decided.keys()].sort();
    const expected: string[] = [];
    for (let due = Date.parse(times[0]); due <= Date.parse(times.at(-1)!); due = dues.next(due)!)
      expected.push(new Date(due).toISOString());
    const summary = [...decided.entries()].map(([due, what]) => `${due} ${what.join(' + ')}`).join('\n');
    assert.equal(times, expected, `every due time decided, none dropped:\n${summary}`);
    for (const [due, what] of decided) assert.is(what.length, 1, `${due} decided once: ${what.join(', ')}`);

    // What passed while no scheduler ran is said, not silently dropped; the latest of it ran once (missed: run-once).
    const downtime = [...decided.entries()].filter(
      ([due]) => Date.parse(due) > killedAt && Date.parse(due) < killedAt + 6_500,
    );
    assert.ok(downtime.length >= 2, summary);
    assert.ok(
      downtime.every(([, what]) => ['skipped missed', 'started'].includes(what[0])),
      `due while down:\n${summary}`,
    );
    const missed = after.filter((d) => d.kind === 'skipped' && d.cause === 'missed');
    assert.is(missed.length, 1, 'one line for the due times missed together');
    assert.match(missed[0].reason, /passed while no scheduler was running; the latest, \S+, runs once now/);
    const catchUp = after.find((d) => d.kind === 'started' && /run once now/.test(d.reason))!;
    assert.ok(catchUp, 'the latest missed due time runs once');
    assert.ok(catchUp.due! > missed[0].span!.last, 'after the skipped ones');

    // Each start has one run directory and one end; the killed one ended by recovery.
    const started = decisions.filter((d) => d.kind === 'started');
    const runDirs = fs.readdirSync(reports).map((name) => path.join(reports, name));
    assert.equal(started.map((d) => d.runDir).sort(), runDirs.sort(), 'one run directory per start');
    for (const start of started) {
      const ends = decisions.filter((d) => (d.kind === 'finished' || d.kind === 'interrupted') && d.due === start.due);
      assert.is(ends.length, 1, `${start.due} ended once`);
      assert.ok(fs.existsSync(path.join(start.runDir!, 'journal.ndjson')), `${start.runDir} has a journal`);
    }
    // The service saw one injection per drill that got that far, and as many rollbacks.
    assert.ok(count(log, 'injected') <= started.length, `${count(log, 'injected')} injections`);
    assert.is(count(log, 'rolled-back'), count(log, 'injected'), 'every fault rolled back');
    assert.not.ok(fs.existsSync(service.downFile));

    // The state agrees with the log: nothing claimed, the last decisions kept, the cursor at the last due decided.
    const stateDir = path.join(work, 'state', 'schedules');
    const stateFile = fs.readdirSync(stateDir).find((name) => name.endsWith('.json'))!;
    const state = JSON.parse(fs.readFileSync(path.join(stateDir, stateFile), 'utf8')) as EntryState;
    assert.is(state.running, null);
    assert.is(state.cursor, times.at(-1));
    assert.equal(state.decisions.at(-1), decisions.at(-1));
    assert.not.ok(
      fs.readdirSync(stateDir).some((name) => name.endsWith('.lock')),
      'the lock was released',
    );
  } finally {
    await service.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test('schedule list, export and run --once from the CLI: the example GameDay, a refusal, a halted skip', async () => {
  const list = await runCli(['schedule', 'list', 'scenarios/region-gameday.ts', '--json']);
  assert.is(list.code, 0, list.stderr);
  const [day] = JSON.parse(list.stdout);
  assert.is(day.schedule, "At 10:00, only on Tuesday (cron '0 10 * * TUE')");
  assert.is(day.timezone, 'Europe/Berlin');
  assert.equal(day.blackout, ['year-end release freeze (2026-12-18 to 2027-01-04)']);
  const starting = day.next.filter((run: { skipped: string | null }) => run.skipped === null);
  assert.is(starting.length, 5, 'the next five runs after blackout');
  assert.ok(
    day.next.every((run: { due: string; local: string }) => /^Tue .* 10:00 GMT\+[12]$/.test(run.local)),
    JSON.stringify(day.next),
  );

  const refused = await runCli(['schedule', 'export', '--format', 'github-actions', 'scenarios/region-gameday.ts']);
  assert.is(refused.code, 2);
  assert.match(refused.stderr, /^gameday: cannot export to github-actions: GitHub Actions runs schedules in UTC only/);
  assert.is(refused.stdout, '', 'nothing written');

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-schedule-'));
  const env = { GAMEDAY_STATE_DIR: work, API_URL: 'http://127.0.0.1:9', DOWN_FILE: path.join(work, 'down') };
  try {
    const halt = await runCli(['halt', '--reason', 'incident INC-9'], { env });
    assert.is(halt.code, 0, halt.stderr);
    const once = await runCli(['schedule', 'run', '--once', file, '--reports', path.join(work, 'reports')], { env });
    assert.is(once.code, 0, `a skip is the schedule working: ${once.stderr}`);
    assert.match(once.stdout, /^\S+ skipped halted test\/fixtures\/valid\/scheduled-drill\.ts due \S+: halted: /);
    assert.match(once.stdout, /: halted: gameday is halted since \S+ by \S+: incident INC-9/);
    assert.not.ok(fs.existsSync(path.join(work, 'reports')), 'nothing started');
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test.run();
