/**
 * Strategies that change where clients enter, each on a lab of its own, measured by a real
 * run of the same kind of drill (us-east-1 drops off the network, the runbook promotes
 * eu-west-1):
 * - global-load-balancer: clients keep one address and the shift waits for no DNS TTL;
 * - active-active: both regions serve, and the region left serves its own reads throughout.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SampleRow } from '../../src/core/events';
import type { ExperimentConfig } from '../../src/experiment/schema';
import { runInline } from '../support/run';
import { strategyOutage } from '../support/strategy-outage';

let scratch: string;
test.before(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-strategy-entry-'));
});
test.after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const outage = (strategy: string, overrides: Partial<ExperimentConfig> = {}) =>
  strategyOutage(scratch, strategy, overrides);

test('global-load-balancer: one address for clients, and the shift waits for no DNS TTL', async () => {
  // A 20 s TTL on app.gameday.lab: a client of the DNS name would keep its answer that long.
  const ttlMs = 20_000;
  const base = outage('global-load-balancer');
  const result = await runInline({
    ...base,
    target: { ...(base.target as object), ttl: { app: '20s', writer: '1s' } } as ExperimentConfig['target'],
  });
  const { summary } = result;
  assert.is(result.status, 'passed', summary.reason);
  // Every request went to the one address of the balancer, not to a name.
  assert.match(summary.traffic.url, /^http:\/\/127\.0\.0\.1:\d+\/orders$/);
  assert.ok((summary.traffic.regions['us-east-1'] ?? 0) > 0, 'us-east-1 served before the outage');
  assert.ok((summary.traffic.regions['eu-west-1'] ?? 0) > 0, 'eu-west-1 served after it');
  const shift = summary.failover!.steps.find((step) => step.name === 'shift-traffic')!;
  assert.match(String(shift.detail?.entry), /load balancer .* routes to eu-west-1/);
  const phases = Object.fromEntries(summary.rto.phases!.map((phase) => [phase.name, phase.ms]));
  // The balancer moved when the health check failed: after promotion the shift is one look at it, and what
  // is left is the app's own writer name (TTL 1 s); clients of the 20 s record would have waited it out.
  assert.ok(phases['traffic shift'] < 1_500, `shift ${phases['traffic shift']} ms`);
  assert.ok(
    phases['traffic shift'] + phases['stabilisation'] < ttlMs / 2,
    `shift ${phases['traffic shift']} ms + stabilisation ${phases['stabilisation']} ms`,
  );
  assert.ok(summary.rto.ms! < ttlMs / 2, `RTO ${summary.rto.ms} ms with a ${ttlMs} ms TTL on the DNS name`);
  // The bounds know there is no stale DNS answer to wait out.
  assert.ok(summary.rto.bounds!.upperMs < ttlMs, JSON.stringify(summary.rto.bounds));
});

test('active-active: both regions serve; eu-west-1 serves its reads throughout the loss of the writer', async () => {
  const base = outage('active-active');
  const result = await runInline({
    ...base,
    // A TTL of 0: each request asks DNS. With 1 s, the probe's two or three answers before the fault could all
    // start with one region (the rotation is shared by every client of the name), and the spread would be luck.
    target: { ...(base.target as object), ttl: { app: '0s', writer: '1s' } } as ExperimentConfig['target'],
    // Clients of their own: each request a new connection, sent where DNS answers at the time (a kept connection
    // would stay with the region it was opened to).
    traffic: { ...base.traffic, connection: 'new' } as ExperimentConfig['traffic'],
    // eu-west-1's own clients, reading: from its replica, then from it promoted.
    probes: [
      {
        kind: 'http',
        name: 'reads-eu-west-1',
        endpoint: 'app-eu-west-1',
        path: '/orders?limit=5',
        rate: 10,
        timeout: '1s',
      },
    ],
  });
  const { summary, events } = result;
  assert.is(result.status, 'passed', summary.reason);
  const faultAt = events.find((event) => event.type === 'fault.injected')!.t;
  const before = events
    .flatMap((event) => (event.type === 'traffic.samples' ? event.rows : ([] as SampleRow[])))
    .filter((row) => row[0] < faultAt && row[3] === 1);
  const servedBy = new Set(before.map((row) => row[5]));
  assert.ok(servedBy.has('us-east-1') && servedBy.has('eu-west-1'), `before the fault: ${[...servedBy].join(', ')}`);
  const reads = summary.probes.find((probe) => probe.probe === 'reads-eu-west-1')!;
  assert.ok(reads.requests > 50, `${reads.requests} reads`);
  assert.is(reads.errors, 0, `eu-west-1's reads failed ${reads.errors} times`);
  // The writer's region was lost: its writes needed the promotion.
  assert.ok(summary.rto.ms! > 0, 'the writes through the entry point were hurt');
  assert.ok(summary.failover!.steps.some((step) => step.name === 'promote' && step.status === 'succeeded'));
});

test.run();
