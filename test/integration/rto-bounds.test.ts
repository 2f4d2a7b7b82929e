/**
 * RTO's bounds against measured RTOs on the real lab, for a short and a long DNS TTL: the
 * health checks (300 ms × 2, 250 ms timeout), the measured runbook, the TTL, the client's
 * timeout and its request gap bound what clients see, and the measurement falls between.
 * A harmless fault comes first each time (20 ms on the standby region's ingress, which no
 * client uses before the failover), so the RTO's clock must start at the outage that hurt.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startLab, stopLab } from '../../src/lab/manager';
import type { ExperimentConfig } from '../../src/experiment/schema';
import { runInline } from '../support/run';

async function drillWithTtl(ttlSeconds: number) {
  const labDir = fs.mkdtempSync(path.join(os.tmpdir(), `gameday-bounds-${ttlSeconds}-`));
  await startLab({
    labDir,
    ephemeral: false,
    healthCheck: { requestIntervalMs: 300, failureThreshold: 2, timeoutMs: 250 },
    ttl: { app: ttlSeconds, writer: 1 },
  });
  // The outage must outlast the slowest client's recovery through the failover (the upper bound: about 3 s
  // plus the TTL and the runbook), with room for a loaded machine: 10 s at TTL 1, 20 s at TTL 6.
  const outageSeconds = 8 + 2 * ttlSeconds;
  try {
    const experiment: ExperimentConfig = {
      name: `bounds with TTL ${ttlSeconds}s`,
      target: { kind: 'lab', dir: labDir },
      // The subject is the RTO, so the steady state gates only a lab that is down: in a full suite, a just-started lab
      // beside a neighbour's timed out 4 of the first 23 writes (1 s) and the drill aborted before its faults.
      steadyState: { duration: '1s', successRatio: 0.5 },
      hypothesis: { rto: '60s', recovery: { window: '1s' } },
      traffic: {
        kind: 'http',
        endpoint: 'app',
        path: '/orders',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"item":"x","quantity":1}',
        rate: 20,
        timeout: '1s',
      },
      faults: [
        {
          kind: 'latency',
          name: 'slow-standby',
          region: 'eu-west-1',
          latency: '20ms',
          after: '0s',
          duration: '1500ms',
        },
        {
          kind: 'regionOutage',
          name: 'us-east-1-offline',
          region: 'us-east-1',
          after: '2s',
          duration: `${outageSeconds}s`,
        },
      ],
      failover: { from: 'us-east-1', to: 'eu-west-1', verify: { window: '1s', timeout: '30s' } },
      duration: `${outageSeconds + 3}s`,
    };
    return await runInline(experiment);
  } finally {
    await stopLab(labDir);
    fs.rmSync(labDir, { recursive: true, force: true });
  }
}

for (const ttl of [1, 6]) {
  test(`TTL ${ttl}s: the RTO falls within its bounds, counted from the outage, not the harmless fault`, async () => {
    const { summary } = await drillWithTtl(ttl);
    assert.is(summary.status, 'passed', summary.reason);
    const { rto } = summary;
    assert.is(rto.cause?.name, 'us-east-1-offline');
    const outage = summary.faults.find((fault) => fault.name === 'us-east-1-offline')!;
    assert.is(rto.tFault, outage.injectedAt);
    const bounds = rto.bounds!;
    assert.ok(bounds, 'bounds with a runbook on the lab');
    // lower: 1 check × 300 ms + the runbook; upper adds a check, a 250 ms timeout, the TTL, 1 s and 50 ms.
    const runbook = bounds.parts.runbookMs;
    assert.is(bounds.lowerMs, 300 + runbook);
    assert.is(bounds.upperMs, 600 + 250 + runbook + ttl * 1000 + 1000 + 50);
    assert.ok(
      bounds.lowerMs <= rto.ms! && rto.ms! <= bounds.upperMs,
      `RTO ${rto.ms} ms within [${bounds.lowerMs}, ${bounds.upperMs}]: ${bounds.explanation}`,
    );
    assert.is(bounds.position, 'within');
    // The phases add up to it, detection counted from the outage.
    assert.is(
      rto.phases!.reduce((sum, phase) => sum + phase.ms, 0),
      rto.ms,
    );
    assert.ok(rto.phases![0].ms <= 600 + 250 + 300, `detection ${rto.phases![0].ms} ms`);
    assert.equal(
      summary.impact.filter((episode) => episode.cause?.kind === 'fault').map((episode) => episode.cause!.name),
      ['us-east-1-offline'],
    );
  });
}

test.run();
