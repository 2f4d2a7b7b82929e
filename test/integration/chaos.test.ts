/**
 * Chaos on gameday itself, small: three lab drills interrupted after the failover, when the
 * writer has moved. kill -9 alone (no recover) is the control: the lab needs a reset, and that
 * drill must count as a failure that says what remained. SIGTERM and kill -9 + `gameday
 * recover` must leave the lab as they found it (the failback is an undo). `npm run chaos` runs 25.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeIteration, runChaos, summaryLine } from '../../bench/chaos/interrupt';
import { startQuickLab } from '../support/quick-lab';

test('a drill the lab needed a reset after counts as a failure; SIGTERM and kill -9 + recover fail back', async () => {
  const n = 3;
  // No calibration drill: fixed phase lengths, and each interruption 0.5 s into the failed-over phase.
  const lengths = { 'steady-state': 500, 'fault-before-detection': 3000, promotion: 300, 'failed-over': 5000 };
  const { iterations, healthy } = await runChaos({
    n,
    modes: ['kill-9', 'SIGTERM', 'kill-9+recover'],
    aims: ['failed-over'],
    aimLengths: { ...lengths, 'rollback-failback': 1000 },
    random: () => 0.1,
    log: (line) => console.log(line),
    // Health checks 300 ms × 2 and 1 s TTLs: each drill detects, moves clients and fails back in about a second
    // each, where `lab up`'s defaults take 3 s and 5 s; what is checked is what each interruption leaves behind.
    startLab: async (labDir) => (await startQuickLab(labDir)).state,
  });
  const lines = iterations.map((iteration) => describeIteration(iteration, n)).join('\n');
  const [control, terminated, killed] = iterations;
  for (const iteration of iterations) assert.is(iteration.phase, 'failed-over', lines);

  assert.is(control.healthy, false, `kill -9 without recover leaves the lab failed over\n${lines}`);
  assert.ok(
    control.remained.some((problem) => /eu-west-1 is primary \(was standby\)/.test(problem)),
    `the failure says the writer moved\n${lines}`,
  );
  assert.ok(control.remained.includes('run lock left behind'), lines);
  assert.ok(control.repaired.includes('lab reset'), `the harness reset the lab\n${lines}`);
  assert.match(describeIteration(control, n), /UNHEALTHY: .*eu-west-1 is primary/);

  // After the reset the next drills start clean, and the product's own rollback must be enough.
  assert.ok(terminated.healthy, `SIGTERM after the failover fails back\n${lines}`);
  assert.is(terminated.exitCode, 3, 'SIGTERM: rolled back, exit 3');
  assert.equal(terminated.repaired, []);
  assert.ok(killed.healthy, `kill -9 + recover after the failover fails back\n${lines}`);
  assert.is(killed.exitCode, null, 'kill -9 leaves no exit code');
  assert.match(killed.recover, /^reverted \d+/, 'recover undid what the killed run left');

  const summary = summaryLine(iterations);
  const counts = summary.match(/^(\d+) of (\d+) healthy, (\d+) unhealthy \((\d+) needed a lab reset\)/);
  assert.ok(counts, summary);
  const [total, unhealthy, reset] = [Number(counts![2]), Number(counts![3]), Number(counts![4])];
  assert.equal([Number(counts![1]), total, unhealthy, reset], [healthy, n, 1, 1], summary);
  assert.is(healthy + unhealthy, total, summary);
  const landed = summary.replace(/^.*interrupted in: /, '').split(', ');
  assert.is(
    landed.reduce((sum, entry) => sum + Number(entry.split(' ')[1]), 0),
    n,
    summary,
  );
});

test.run();
