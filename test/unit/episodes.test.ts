import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { impactEpisodes } from '../../src/measure/episodes';

/** One request every 100 ms from 0 to `endMs`, failing where `failing(t)` says. */
function samples(endMs: number, failing: (t: number) => boolean) {
  const out = [];
  for (let t = 0; t <= endMs; t += 100) out.push({ t, ok: !failing(t) });
  return out;
}

const criteria = { successRatio: 0.95, windowMs: 1_000 };

test('an outage and, long after it recovered, a dip: two episodes with their own onset, recovery and failures', () => {
  const run = samples(20_000, (t) => (t >= 2_000 && t < 5_000) || (t >= 15_000 && t < 15_300));
  const episodes = impactEpisodes(run, criteria);
  assert.equal(
    episodes.map((episode) => [episode.onset, episode.recoveredAt, episode.failed, episode.requests]),
    [
      [2_000, 5_000, 30, 30],
      [15_000, 15_300, 3, 3],
    ],
  );
});

test('failures again before the recovery held a full window: one episode', () => {
  const run = samples(20_000, (t) => (t >= 2_000 && t < 5_000) || (t >= 5_500 && t < 6_000));
  const episodes = impactEpisodes(run, criteria);
  assert.equal(
    episodes.map((episode) => [episode.onset, episode.recoveredAt, episode.failed]),
    [[2_000, 6_000, 35]],
  );
});

test('failures again only after the recovery held a full window: two episodes, though one window spans both', () => {
  // Recovered at 1 100; the outage's first failure at 2 500, 1.4 s later. The window anchored at 1 600 (before
  // 1 100 + W) violates, but only for the failures at its far end: clients were served for more than W in between.
  // One episode would hide the outage inside a blip before the fault, and its RTO with it.
  const run = samples(20_000, (t) => t === 1_000 || (t >= 2_500 && t < 4_000));
  const episodes = impactEpisodes(run, criteria);
  assert.equal(
    episodes.map((episode) => [episode.onset, episode.recoveredAt, episode.failed]),
    [
      [1_000, 1_100, 1],
      [2_500, 4_000, 15],
    ],
  );
});

test('a single failure the ratio tolerates is no episode', () => {
  const run = samples(60_000, (t) => t === 30_000);
  assert.equal(impactEpisodes(run, { successRatio: 0.9, windowMs: 1_000 }), []);
});

test('an outage the run ends in is not recovered; its failures count to the end', () => {
  const run = samples(10_000, (t) => t >= 7_000);
  const [episode] = impactEpisodes(run, criteria);
  assert.equal(
    [episode.onset, episode.recoveredAt, episode.failed, episode.observedAfterRecoveryMs],
    [7_000, null, 31, null],
  );
});

test('failures in the last stretch no full window covers are judged as one window of their own', () => {
  const run = samples(10_000, (t) => t >= 9_500 && t < 9_800);
  const [episode] = impactEpisodes(run, criteria);
  assert.equal([episode.onset, episode.recoveredAt, episode.failed], [9_500, 9_800, 3]);
  assert.is(episode.observedAfterRecoveryMs, 200);
});

test('unsorted samples give the same episodes as sorted ones', () => {
  const run = samples(20_000, (t) => t >= 2_000 && t < 5_000);
  assert.equal(impactEpisodes([...run].reverse(), criteria), impactEpisodes(run, criteria));
});

test.run();
