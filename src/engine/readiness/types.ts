import { GamedayError } from '../../core/errors';

/** One readiness check: what it looked at, what it found, and how to fix what it did not like. */
export interface ReadinessCheck {
  /** 'failover records', 'health check us-east-1', 'rto bound', 'ttl', 'standby eu-west-1', … */
  check: string;
  /** skipped: it could not be checked here, and the detail says why (never counted as passed). */
  status: 'ok' | 'failed' | 'skipped';
  detail: string;
  fix?: string;
}

export interface ReadinessReport {
  /** The target, as `target.opened` would describe it (kind, and the lab's directory or the account). */
  target: string;
  /** No check failed (skipped ones are listed, not counted). */
  ok: boolean;
  checks: ReadinessCheck[];
}

/** The target cannot be checked at all (no regions to fail over between). */
export class ReadinessError extends GamedayError {}

export const ok = (check: string, detail: string): ReadinessCheck => ({ check, status: 'ok', detail });
export const failed = (check: string, detail: string, fix?: string): ReadinessCheck => ({
  check,
  status: 'failed',
  detail,
  ...(fix ? { fix } : {}),
});
export const skipped = (check: string, detail: string): ReadinessCheck => ({ check, status: 'skipped', detail });

/** The checks in one line: 'ready: 12 checks passed, 1 skipped', 'not ready: 2 of 14 checks failed (ttl, …)'. */
export function readinessVerdict(checks: readonly ReadinessCheck[]): string {
  const failedChecks = checks.filter((check) => check.status === 'failed');
  const skippedCount = checks.filter((check) => check.status === 'skipped').length;
  return failedChecks.length === 0
    ? `ready: ${checks.length - skippedCount} checks passed${skippedCount > 0 ? `, ${skippedCount} skipped` : ''}`
    : `not ready: ${failedChecks.length} of ${checks.length} checks failed ` +
        `(${failedChecks.map((check) => check.check).join(', ')})`;
}
