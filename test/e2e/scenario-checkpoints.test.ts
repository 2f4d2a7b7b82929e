/**
 * A GameDay's checkpoint answered from another terminal, on a real lab: `gameday approve`
 * says yes and the day goes on (who and how long recorded, every report written), or no
 * and the day ends there, the rest skipped, the lab left healthy; approving when nothing is
 * waiting, as someone who may not, or after the day is a clear error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, spawnCli, waitForOutput } from '../support/cli';
import { GamedayProject } from '../support/gameday';

const project = new GamedayProject();
test.before(() => project.up());
test.after(() => project.down());
test.before.each(() => project.reset());

const threeSteps = `
  participants: [
    { name: 'Ana', role: 'facilitator' },
    { name: 'Chloe', role: 'approver' },
    { name: 'Dev', role: 'observer' },
  ],
  steps: [
    { kind: 'experiment', experiment: drill('first drill') },
    { kind: 'checkpoint', question: 'Go on to the second drill?', timeout: '2m' },
    { kind: 'experiment', experiment: drill('second drill') },
  ],`;

test('approved from another process: the day passes, with who answered and how long it took', async () => {
  const file = project.scenario('approved', threeSteps);
  const day = spawnCli(['run', file, '--reports', project.reports], { cwd: project.dir });
  await waitForOutput(day.child, (text) => text.includes('fault slow-us-east-1 injected'), 60_000);
  const early = await runCli(['approve', 'latest', '--reports', project.reports, '--as', 'Chloe']);
  assert.is(early.code, 2, early.stdout);
  assert.match(early.stderr, /nothing is waiting for an answer: the day is at step 1 \(experiment "first drill"\)/);

  await waitForOutput(day.child, (text) => text.includes('waiting for an answer: gameday approve'), 60_000);
  const stranger = await runCli(['approve', 'latest', '--reports', project.reports, '--as', 'Dev']);
  assert.is(stranger.code, 2);
  assert.match(stranger.stderr, /"Dev" may not answer: .* answered by Ana \(facilitator\), Chloe \(approver\)/);
  // A person takes a moment: the decision's time is measured from the question.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const approved = await runCli(['approve', 'latest', '--reports', project.reports, '--as', 'Chloe']);
  assert.is(approved.code, 0, approved.stderr);
  assert.match(approved.stdout, /step 2 answered yes by Chloe \(\S+ after it was asked\); the day goes on/);

  const result = await day.done;
  assert.is(result.code, 0, result.stderr + result.stdout);
  assert.match(result.stdout, /^PASSED {2}GameDay approved: every objective met: passed \(2 of 2 experiments passed\)/);
  const dayDir = project.dayDir();
  const summary = project.summary(dayDir);
  assert.is(summary.schema, 'gameday/gameday/v1');
  assert.equal(
    summary.steps.map((step) => step.status),
    ['passed', 'done', 'passed'],
  );
  const [checkpoint] = summary.checkpoints;
  assert.is(checkpoint.answer, 'yes');
  assert.is(checkpoint.by, 'Chloe');
  assert.is(checkpoint.via, 'approve');
  assert.ok(checkpoint.decisionMs! >= 1_000, `decision took ${checkpoint.decisionMs} ms`);
  assert.ok(!fs.existsSync(path.join(dayDir, 'checkpoint-answer.json')), 'the answer was taken');
  assert.equal(
    project.journalTypes(dayDir).filter((type) => type.startsWith('checkpoint.')),
    ['checkpoint.asked', 'checkpoint.answered'],
  );
  // The day's reports, and each experiment's own full report in its run directory inside the day's.
  for (const report of ['journal.ndjson', 'summary.json', 'report.md', 'report.html', 'report.pdf', 'junit.xml'])
    assert.ok(fs.existsSync(path.join(dayDir, report)), report);
  for (const experiment of summary.experiments) {
    assert.match(experiment.runDir!, /^(01|03)-\d{8}-\d{6}-(first|second)-drill-[0-9a-f]{4}$/);
    for (const report of ['journal.ndjson', 'summary.json', 'report.html', 'report.pdf', 'junit.xml'])
      assert.ok(fs.existsSync(path.join(dayDir, experiment.runDir!, report)), `${experiment.name}: ${report}`);
  }
  const html = fs.readFileSync(path.join(dayDir, 'report.html'), 'utf8');
  assert.ok(html.includes(`href="${summary.experiments[0].runDir}/report.html"`), 'the day links each report');
  assert.match(html, /yes by Chloe \(gameday approve\) after \d/);
  const junit = fs.readFileSync(path.join(dayDir, 'junit.xml'), 'utf8');
  assert.match(junit, /<testsuite name="approved" tests="3" failures="0" errors="0" skipped="0"/);
  assert.match(junit, /name="step 1: first drill"/);
  assert.match(junit, /name="step 3: second drill"/);

  // The history page counts each experiment of the day as a drill of its own.
  const history = await runCli(['report', '--history', project.reports, '--json']);
  assert.is(history.code, 0, history.stderr);
  const trend = JSON.parse(history.stdout) as {
    skipped: unknown[];
    experiments: Array<{ runs: Array<{ dir: string }> }>;
  };
  assert.equal(trend.skipped, []);
  assert.equal(
    trend.experiments.map((group) => group.runs.map((run) => run.dir)),
    summary.experiments.map((experiment) => [`${path.basename(dayDir)}/${experiment.runDir}`]),
  );

  const late = await runCli(['approve', dayDir]);
  assert.is(late.code, 2);
  assert.match(late.stderr, /the GameDay "approved" is over \(passed\): nothing is waiting for an answer/);
});

test('declined with --no: the day ends there, the rest is skipped, the lab is left healthy', async () => {
  const file = project.scenario('declined', threeSteps);
  const day = spawnCli(['run', file, '--reports', project.reports, '--no-pdf'], { cwd: project.dir });
  await waitForOutput(day.child, (text) => text.includes('waiting for an answer: gameday approve'), 60_000);
  const declined = await runCli(['approve', project.dayDir(), '--no', '--as', 'Ana']);
  assert.is(declined.code, 0, declined.stderr);
  assert.match(declined.stdout, /step 2 answered no by Ana .*; the day ends there/);

  const result = await day.done;
  assert.is(result.code, 3, result.stderr + result.stdout);
  assert.match(result.stdout, /^ABORTED {2}GameDay declined: no-go at step 2 \("Go on to the second drill\?"\)/);
  const summary = project.summary(project.dayDir());
  assert.equal(
    summary.steps.map((step) => step.status),
    ['passed', 'done', 'skipped'],
  );
  assert.match(summary.steps[2].reason!, /^the day ended at step 2: no-go at step 2/);
  assert.equal(
    summary.experiments.map((experiment) => [experiment.status, experiment.runDir === null]),
    [
      ['passed', false],
      ['skipped', true],
    ],
  );
  assert.equal(summary.checkpoints[0].answer, 'no');
  assert.equal(summary.checkpoints[0].by, 'Ana');
  const junit = fs.readFileSync(path.join(project.dayDir(), 'junit.xml'), 'utf8');
  assert.match(junit, /<testcase classname="gameday\.declined" name="step 3: second drill" time="0">\s+<skipped/);
  assert.match(junit, /name="day" time="0">\s+<error message="day ABORTED: no-go at step 2/);
  await project.assertLabClean();
});

test.run();
