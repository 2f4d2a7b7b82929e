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
