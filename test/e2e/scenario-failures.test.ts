/**
 * How a GameDay ends when a step does not pass, on a real lab: a failed experiment ends the
 * day (its fault rolled back, the rest skipped) unless it may continue; SIGTERM during a
 * step rolls the running experiment back and ends the day; after kill -9, `gameday recover`
 * on the day's directory undoes what its experiment left.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readJournal } from '../../src/core/journal';
import { runCli, spawnCli, waitForOutput } from '../support/cli';
import { GamedayProject } from '../support/gameday';

const project = new GamedayProject();
test.before(() => project.up());
test.after(() => project.down());
test.before.each(() => project.reset());

/** 600 ms added to every answer of a client that waits 300 ms: every request fails while it lasts. */
const failing = "drill('failing drill', { latency: '600ms', timeout: '300ms', rto: '500ms' })";

test('a failed step without continueOnFailure ends the day: its fault rolled back, the rest skipped', async () => {
  const file = project.scenario(
    'gate',
    `steps: [
      { kind: 'experiment', experiment: ${failing} },
      { kind: 'wait', duration: '1s' },
      { kind: 'experiment', experiment: drill('never reached') },
    ],`,
  );
  const result = await runCli(['run', file, '--reports', project.reports, '--no-pdf'], { cwd: project.dir });
  assert.is(result.code, 1, result.stderr + result.stdout);
  assert.match(
    result.stdout,
    /^FAILED {2}GameDay gate: step 1 \(failing drill\) failed: RTO \d+ ms > objective 500 ms/,
  );
  const summary = project.summary(project.dayDir());
  assert.equal(
    summary.steps.map((step) => step.status),
    ['failed', 'skipped', 'skipped'],
  );
  assert.is(summary.experiments[0].rto!.met, false);
  const run = readJournal(path.join(project.dayDir(), summary.experiments[0].runDir!, 'journal.ndjson'));
  assert.ok(
    run.some((event) => event.type === 'fault.reverted' && event.fault === 'slow-us-east-1'),
    'the experiment rolled its fault back',
  );
  await project.assertLabClean();
});

test('with continueOnFailure the day goes on; the day still fails on its "passed" objective', async () => {
  const file = project.scenario(
    'lenient',
    `steps: [
      { kind: 'experiment', experiment: ${failing}, continueOnFailure: true },
      { kind: 'experiment', experiment: drill('reached anyway') },
    ],`,
  );
  const result = await runCli(['run', file, '--reports', project.reports, '--no-pdf'], { cwd: project.dir });
  assert.is(result.code, 1, result.stderr + result.stdout);
  assert.match(
    result.stdout,
    /^FAILED {2}GameDay lenient: passed not met \(1 of 2 experiments passed; failing drill failed\)/,
  );
  const summary = project.summary(project.dayDir());
  assert.equal(
    summary.experiments.map((experiment) => [experiment.name, experiment.status, experiment.continueOnFailure]),
    [
      ['failing drill', 'failed', true],
      ['reached anyway', 'passed', false],
    ],
  );
  await project.assertLabClean();
});

test('SIGTERM during a step: the running experiment rolls back, the day ends aborted, exit 3', async () => {
  const file = project.scenario(
    'interrupted',
    `steps: [
      { kind: 'experiment', experiment: drill('held fault', { hold: '5m' }) },
      { kind: 'checkpoint', question: 'Go on?' },
    ],`,
  );
  const day = spawnCli(['run', file, '--reports', project.reports, '--no-pdf', '--json'], { cwd: project.dir });
  await waitForOutput(day.child, (text) => text.includes('fault slow-us-east-1 injected'), 60_000);
  day.child.kill('SIGTERM');
  const result = await day.done;
  assert.is(result.code, 3, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.is(summary.status, 'aborted');
  assert.match(summary.reason, /^interrupted by SIGTERM during step 1 \(held fault\), whose faults were rolled back/);
  assert.equal(
    summary.steps.map((step: { status: string }) => step.status),
    ['aborted', 'skipped'],
  );
  await project.assertLabClean();
});

test("kill -9 mid-step, then recover on the day undoes its experiment's fault and finishes the day", async () => {
  const file = project.scenario(
    'killed',
    `steps: [{ kind: 'experiment', experiment: drill('held fault', { hold: '5m' }) }],`,
  );
  const day = spawnCli(['run', file, '--reports', project.reports, '--no-pdf'], { cwd: project.dir });
  await waitForOutput(day.child, (text) => text.includes('fault slow-us-east-1 injected'), 60_000);
  day.child.kill('SIGKILL');
  await day.done;
  const dayDir = project.dayDir();
  const recovered = await runCli(['recover', dayDir]);
  assert.is(recovered.code, 0, recovered.stderr + recovered.stdout);
  assert.match(recovered.stdout, /released its stale lock .+run\.lock/);
  assert.match(recovered.stdout, /01-\S+: reverted slow-us-east-1 \(lab: /);
  assert.not.ok(fs.existsSync(path.join(project.labDir, 'run.lock')), 'the dead day no longer holds the lab');
  await project.assertLabClean();
  const last = readJournal(path.join(dayDir, 'journal.ndjson')).at(-1)!;
  assert.is(last.type, 'scenario.finished');
  assert.match((last as { reason: string }).reason, /recover undid every fault its experiments had injected/);
  const again = await runCli(['recover', dayDir]);
  assert.is(again.code, 0);
  assert.match(again.stdout, /nothing to recover/);
  const report = await runCli(['report', dayDir, '--no-pdf', '--json']);
  assert.is(report.code, 0, report.stderr);
  assert.is(JSON.parse(report.stdout).status, 'aborted');
});

test.run();
