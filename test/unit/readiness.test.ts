/**
 * The readiness checks that are arithmetic on the configuration, without a lab: the RTO's
 * lower bound from the health checks and what a TTL (or a sticky cache) adds for the
 * slowest client, against the strictest objective of the experiments to come.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expectationsOf } from '../../src/engine/readiness/expectations';
import { timingChecks } from '../../src/engine/readiness/timing';
import { validateExperiment } from '../../src/experiment/validate';

const experiment = (name: string, fields: Record<string, unknown> = {}) =>
  validateExperiment(
    {
      name,
      target: { kind: 'lab', regions: ['us-east-1', 'eu-west-1', 'ap-south-1'] },
      traffic: { kind: 'http', endpoint: 'app' },
      ...fields,
    },
    `experiments/${name}.ts`,
  );
const healthCheck = { id: 'hc-1', region: 'us-east-1', intervalMs: 10_000, failureThreshold: 3 };

test('the strictest objectives and every move of the experiments to come', () => {
  const expected = expectationsOf([
    experiment('a', { hypothesis: { rto: '60s' } }),
    experiment('b', {
      hypothesis: { rto: '30s' },
      failover: { from: 'us-east-1', to: 'ap-south-1' },
      traffic: { kind: 'http', endpoint: 'app', dns: { cache: 'sticky', stickyFor: '45s' } },
    }),
  ]);
  assert.equal(expected.moves, [
    { from: 'us-east-1', to: 'eu-west-1' },
    { from: 'us-east-1', to: 'ap-south-1' },
  ]);
  assert.equal(expected.rto, { ms: 30_000, experiment: 'b' });
  assert.is(expected.rpo, null);
  assert.equal(expected.sticky, { ms: 45_000, experiment: 'b' });
});

test('detection alone must be below the objective; the TTL on top of it within it', () => {
  const expected = expectationsOf([experiment('drill', { hypothesis: { rto: '30s' } })]);
  // 10 s × (3 − 1) = 20 s of detection at the least; + a 5 s TTL = 25 s ≤ 30 s.
  let [bound, ttl] = timingChecks({ healthCheck, ttlMs: 5_000, recordName: 'app.example.com' }, expected);
  assert.equal([bound.status, ttl.status], ['ok', 'ok']);
  assert.match(bound.detail, /detection alone takes at least 20s, below the RTO objective 30s \(drill\)/);
  assert.match(ttl.detail, /recovers no sooner than 25s after a failure, within the RTO objective 30s/);

  // A 60 s TTL: 80 s for the slowest client.
  [bound, ttl] = timingChecks({ healthCheck, ttlMs: 60_000, recordName: 'app.example.com' }, expected);
  assert.equal([bound.status, ttl.status], ['ok', 'failed']);
  assert.match(ttl.detail, /keeps the old answer for the TTL, 1m: it recovers no sooner than 1m20s/);
  assert.is(ttl.fix, "lower the TTL of app.example.com's failover records to at most 10s");

  // Checks every 30 s, 3 to flip: 60 s of detection is not below a 30 s objective, whatever the TTL.
  [bound] = timingChecks(
    { healthCheck: { ...healthCheck, intervalMs: 30_000 }, ttlMs: 0, recordName: 'app.example.com' },
    expected,
  );
  assert.is(bound.status, 'failed');
  assert.match(bound.detail, /every 30s, 3 failures to flip: detection alone takes at least 1m, not below/);
});

test('a sticky client keeps its answer whatever the TTL; without an objective or a check, it is skipped', () => {
  const sticky = expectationsOf([
    experiment('sticky', {
      hypothesis: { rto: '30s' },
      traffic: { kind: 'http', endpoint: 'app', dns: { cache: 'sticky', stickyFor: '20s' } },
    }),
  ]);
  const [, ttl] = timingChecks({ healthCheck, ttlMs: 1_000, recordName: 'app' }, sticky);
  assert.is(ttl.status, 'failed');
  assert.match(ttl.detail, /keeps its answer 20s whatever the TTL \(traffic\.dns\.stickyFor of sticky\): .* 40s/);

  const none = expectationsOf([experiment('no objective')]);
  assert.equal(
    timingChecks({ healthCheck, ttlMs: 1_000, recordName: 'app' }, none).map((check) => check.status),
    ['skipped', 'skipped'],
  );
  const unread = timingChecks({ healthCheck: null, ttlMs: 1_000, recordName: 'app' }, sticky);
  assert.match(unread[0].detail, /could not be read/);
  const alias = timingChecks(
    { healthCheck, ttlMs: null, recordName: 'app' },
    expectationsOf([experiment('x', { hypothesis: { rto: '1m' } })]),
  );
  assert.equal(
    alias.map((check) => check.status),
    ['ok', 'skipped'],
  );
});

test.run();
