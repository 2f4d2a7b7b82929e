import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FailoverOutcome, FailoverRecordSet, chooseFailoverRecord } from '../../src/lab/dns';

/** How a set's health check reads: healthy, unhealthy, no check at all, or a lookup that throws. */
type Health = 'healthy' | 'unhealthy' | 'no-check' | 'unknown-check';

function failoverSet(role: 'PRIMARY' | 'SECONDARY', health: Health): FailoverRecordSet {
  const base = {
    name: 'app.gameday.lab.',
    type: 'A' as const,
    ttl: 30,
    setIdentifier: role === 'PRIMARY' ? 'us-east-1' : 'eu-west-1',
    failover: role,
    values: [role === 'PRIMARY' ? '127.0.0.2' : '127.0.0.3'],
  };
  return health === 'no-check' ? base : { ...base, healthCheckId: `${role}-${health}` };
}

const healthOf = (id: string): boolean => {
  if (id.endsWith('unknown-check')) throw new Error(`no health check '${id}'`);
  return id.endsWith('-healthy');
};

// Route 53 API reference, ResourceRecordSet.Failover, plus the all-unhealthy last resort.
const table: Array<{
  primary?: Health;
  secondary?: Health;
  answers: 'PRIMARY' | 'SECONDARY';
  outcome: FailoverOutcome;
}> = [
  { primary: 'healthy', secondary: 'healthy', answers: 'PRIMARY', outcome: 'primary-healthy' },
  { primary: 'healthy', secondary: 'unhealthy', answers: 'PRIMARY', outcome: 'primary-healthy' },
  { primary: 'unhealthy', secondary: 'healthy', answers: 'SECONDARY', outcome: 'failed-over' },
  { primary: 'unhealthy', secondary: 'unhealthy', answers: 'PRIMARY', outcome: 'all-unhealthy' },
  // A set without a health check is always healthy.
  { primary: 'no-check', secondary: 'healthy', answers: 'PRIMARY', outcome: 'primary-healthy' },
  { primary: 'no-check', secondary: 'unhealthy', answers: 'PRIMARY', outcome: 'primary-healthy' },
  { primary: 'unhealthy', secondary: 'no-check', answers: 'SECONDARY', outcome: 'failed-over' },
  { primary: 'healthy', secondary: 'no-check', answers: 'PRIMARY', outcome: 'primary-healthy' },
  { primary: 'no-check', secondary: 'no-check', answers: 'PRIMARY', outcome: 'primary-healthy' },
  // A check the health function doesn't know counts as unhealthy.
  { primary: 'unknown-check', secondary: 'healthy', answers: 'SECONDARY', outcome: 'failed-over' },
  { primary: 'unknown-check', secondary: 'unknown-check', answers: 'PRIMARY', outcome: 'all-unhealthy' },
  // Half a group.
  { primary: 'healthy', answers: 'PRIMARY', outcome: 'primary-healthy' },
  { primary: 'unhealthy', answers: 'PRIMARY', outcome: 'all-unhealthy' },
  { secondary: 'healthy', answers: 'SECONDARY', outcome: 'failed-over' },
  { secondary: 'unhealthy', answers: 'SECONDARY', outcome: 'all-unhealthy' },
];

for (const row of table) {
  test(
    `failover: primary ${row.primary ?? 'absent'}, secondary ${row.secondary ?? 'absent'} -> ` +
      `${row.answers} (${row.outcome})`,
    () => {
      const group = [
        ...(row.primary ? [failoverSet('PRIMARY', row.primary)] : []),
        ...(row.secondary ? [failoverSet('SECONDARY', row.secondary)] : []),
      ];
      // Order in the group must not matter.
      for (const ordering of [group, [...group].reverse()]) {
        const decision = chooseFailoverRecord(ordering, healthOf);
        assert.is(decision.answeredBy.failover, row.answers);
        assert.is(decision.outcome, row.outcome);
      }
    },
  );
}

test('failover: the reason names the sets, their checks, and what happened', () => {
  const decision = chooseFailoverRecord(
    [failoverSet('PRIMARY', 'unhealthy'), failoverSet('SECONDARY', 'healthy')],
    healthOf,
  );
  assert.is(
    decision.reason,
    "PRIMARY 'us-east-1' unhealthy (health check 'PRIMARY-unhealthy'); failed over to SECONDARY " +
      "'eu-west-1' healthy (health check 'SECONDARY-healthy')",
  );
  const both = chooseFailoverRecord(
    [failoverSet('PRIMARY', 'unhealthy'), failoverSet('SECONDARY', 'unhealthy')],
    healthOf,
  );
  assert.match(both.reason, /no healthy set, so Route 53 treats all as healthy and answers PRIMARY 'us-east-1'/);
  const unknown = chooseFailoverRecord(
    [failoverSet('PRIMARY', 'unknown-check'), failoverSet('SECONDARY', 'healthy')],
    healthOf,
  );
  assert.is(unknown.primary?.healthError, "no health check 'PRIMARY-unknown-check'");
});

test('failover: health is read on every call, never cached', () => {
  let healthy = true;
  const group = [failoverSet('PRIMARY', 'healthy'), failoverSet('SECONDARY', 'no-check')];
  const live = (): boolean => healthy;
  assert.is(chooseFailoverRecord(group, live).answeredBy.failover, 'PRIMARY');
  healthy = false;
  assert.is(chooseFailoverRecord(group, live).answeredBy.failover, 'SECONDARY');
});

test.run();
