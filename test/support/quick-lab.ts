import { startLab, type RunningLab } from '../../src/lab/manager';

/**
 * A running lab as `gameday lab up` leaves one (its own daemon, until `gameday lab down`),
 * but with health checks every 300 ms × 2 and 1 s TTLs: a failover or a failback through it
 * detects and moves clients in about a second each, where the defaults (1 s × 3, app TTL
 * 5 s) take 3 s and 5 s. For e2e tests whose subject is not `lab up` itself
 * (test/e2e/lab-cli.test.ts tests that).
 */
export function startQuickLab(labDir: string): Promise<RunningLab> {
  return startLab({
    labDir,
    ephemeral: false,
    healthCheck: { requestIntervalMs: 300, failureThreshold: 2, timeoutMs: 500 },
    ttl: { app: 1, writer: 1 },
  });
}
