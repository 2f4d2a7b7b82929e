/**
 * Chaos on gameday itself, small: lab drills interrupted at random moments by kill -9
 * (then `gameday recover`), SIGTERM, and an exception inside a runbook hook; after each
 * the lab must have nothing left of the drill and be healthy. `npm run chaos` runs 20.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeIteration, runChaos } from '../../bench/chaos/interrupt';

test('interrupted lab drills leave the lab healthy every time', async () => {
  const n = 3;
  const { iterations, healthy } = await runChaos({ n, modes: ['kill-9+recover', 'SIGTERM', 'hook-exception'], log: (line) => console.log(line) });
  assert.is(healthy, n, iterations.map((iteration) => describeIteration(iteration, n)).join('\n'));
  const [killed, terminated, hook] = iterations;
  assert.is(killed.exitCode, null, 'kill -9 leaves no exit code');
  assert.not.match(killed.recover, /FAILED/);
  // Killed before the run started there is nothing to answer the signal with; after, it rolls back and exits 3.
  assert.ok(terminated.exitCode === 3 || terminated.exitCode === null, `SIGTERM exit ${terminated.exitCode}`);
  assert.ok(hook.exitCode === 1, `a throwing runbook hook fails the run (exit 1), got ${hook.exitCode}`);
});

test.run();
