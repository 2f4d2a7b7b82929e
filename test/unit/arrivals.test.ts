import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Arrivals } from '../../src/probes/arrivals';

test('a stalled event loop is caught up in bursts with I/O turns between, none skipped', async () => {
  const fired: number[] = [];
  const arrivals = new Arrivals(100_000, async (seq) => {
    fired.push(seq);
  });
  arrivals.start();
  const stallUntil = performance.now() + 30;
  while (performance.now() < stallUntil) {
    // a blocked event loop: about 3,000 arrivals fall due meanwhile
  }
  // The most releases between two turns of the event loop (a check phase each).
  let seen = fired.length;
  let mostBetweenTurns = 0;
  let turning = true;
  const turn = () => {
    mostBetweenTurns = Math.max(mostBetweenTurns, fired.length - seen);
    seen = fired.length;
    if (turning) setImmediate(turn);
  };
  setImmediate(turn);
  // Catching up takes a loop turn per 200; a loaded machine turns slower, so wait for the count, not a time.
  const deadline = performance.now() + 5_000;
  while (fired.length < 3_000 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  turning = false;
  await arrivals.stop();
  assert.ok(fired.length >= 3_000, `only ${fired.length} fired`);
  assert.ok(mostBetweenTurns <= 200, `${mostBetweenTurns} released without an I/O turn`);
  assert.equal(
    fired,
    Array.from({ length: fired.length }, (_, i) => i + 1),
  );
});

test.run();
