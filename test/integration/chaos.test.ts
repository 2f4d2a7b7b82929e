/**
 * Chaos on gameday itself, small: lab drills interrupted at chosen moments by kill -9
 * (then `gameday recover`), SIGTERM, and an exception inside a runbook hook; after each
 * the lab must have nothing left of the drill and be healthy. `npm run chaos` runs 20.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeIteration, runChaos } from '../../bench/chaos/interrupt';

test('interrupted lab drills leave the lab healthy every time', async () => {
  const n = 3;
  // Chosen, not random, moments (500 ms + share × the drill's span, ~9 s): the kill lands
  // ~5.5 s in, while the region blackhole is held, so recover has something to undo; SIGTERM
  // ~4.5 s in, once gameday is running and can roll back.
  const shares = [0.55, 0.45, 0.5];
  const { iterations, healthy } = await runChaos({
    n,
    modes: ['kill-9+recover', 'SIGTERM', 'hook-exception'],
    random: () => shares.shift()!,
    log: (line) => console.log(line),
  });
  assert.is(healthy, n, iterations.map((iteration) => describeIteration(iteration, n)).join('\n'));
  const [killed, terminated, hook] = iterations;
  assert.is(killed.exitCode, null, 'kill -9 leaves no exit code');
  assert.match(killed.recover, /^reverted \d+/, 'recover undid what the killed run left injected');
  assert.is(terminated.exitCode, 3, 'SIGTERM: rolled back, exit 3');
  assert.ok(hook.exitCode === 1, `a throwing runbook hook fails the run (exit 1), got ${hook.exitCode}`);
});

test.run();
