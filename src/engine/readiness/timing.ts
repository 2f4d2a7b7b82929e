import { formatDuration } from '../../core/duration';
import { rtoBounds } from '../../measure/phases';
import type { ReadinessExpectations } from './expectations';
import { failed, ok, skipped, type ReadinessCheck } from './types';

export interface TimingInput {
  /** The health check of the region clients move away from, as configured. */
  healthCheck: { id: string; region: string; intervalMs: number; failureThreshold: number } | null;
  /** The failover records' TTL, ms; null when unknown. */
  ttlMs: number | null;
  recordName: string;
}

/**
 * The configuration against the RTO objective, before any drill: the lower bound on RTO
 * (analysis/bounds.ts, measure/phases.ts) is what detection alone takes — the health
 * checks must fail `failureThreshold` times an interval apart, and the first can fail at
 * once — and it must be below the objective. A client that resolved the name just before
 * DNS moved keeps the old answer for its TTL (or longer, with a sticky cache), so the
 * slowest client cannot recover sooner than that bound plus the TTL, which must be within
 * the objective. The runbook's own time (fence, promote) comes on top and is measured by
 * drills, not assumed here. Pure.
 */
export function timingChecks(input: TimingInput, expected: ReadinessExpectations): ReadinessCheck[] {
  const { healthCheck, ttlMs } = input;
  const rto = expected.rto;
  if (!rto) {
    const why = 'no experiment has an RTO objective (hypothesis.rto) to hold the configuration to';
    return [skipped('rto bound', why), skipped('ttl', why)];
  }
  const objective = `the RTO objective ${formatDuration(rto.ms)} (${rto.experiment})`;
  if (!healthCheck) {
    const why = 'the health check of the region clients move away from could not be read';
    return [skipped('rto bound', why), skipped('ttl', why)];
  }
  const lowerMs = rtoBounds({
    healthCheckIntervalMs: healthCheck.intervalMs,
    failureThreshold: healthCheck.failureThreshold,
    healthCheckTimeoutMs: 0,
    runbookMs: 0,
    staleAnswerMs: 0,
    clientTimeoutMs: 0,
    requestIntervalMs: 0,
  }).lowerMs;
  const checks =
    `${healthCheck.region}'s health check ${healthCheck.id} every ${formatDuration(healthCheck.intervalMs)}, ` +
    `${healthCheck.failureThreshold} failures to flip`;
  const bound =
    lowerMs < rto.ms
      ? ok('rto bound', `${checks}: detection alone takes at least ${formatDuration(lowerMs)}, below ${objective}`)
      : failed(
          'rto bound',
          `${checks}: detection alone takes at least ${formatDuration(lowerMs)}, not below ${objective}`,
          'check more often (a shorter RequestInterval) or flip sooner (a lower FailureThreshold), ' +
            'or revisit the objective',
        );
  const sticky = expected.sticky;
  const staleMs = sticky ? sticky.ms : ttlMs;
  if (staleMs === null)
    return [
      bound,
      skipped(
        'ttl',
        `the TTL of ${input.recordName}'s failover records is not known (alias records take their target's)`,
      ),
    ];
  const keeps = sticky
    ? `keeps its answer ${formatDuration(sticky.ms)} whatever the TTL (traffic.dns.stickyFor of ${sticky.experiment})`
    : `keeps the old answer for the TTL, ${formatDuration(staleMs)}`;
  const slowestMs = lowerMs + staleMs;
  const client = `a client that resolved ${input.recordName} just before DNS moved ${keeps}`;
  const ttl =
    slowestMs <= rto.ms
      ? ok(
          'ttl',
          `${client}: it recovers no sooner than ${formatDuration(slowestMs)} after a failure, within ${objective}`,
        )
      : failed(
          'ttl',
          `${client}: it recovers no sooner than ${formatDuration(slowestMs)} after a failure, above ${objective}`,
          sticky
            ? `clients that ignore the TTL miss the objective: shorten their cache, or revisit the objective`
            : `lower the TTL of ${input.recordName}'s failover records to at most ` +
                formatDuration(Math.max(0, rto.ms - lowerMs)),
        );
  return [bound, ttl];
}
