/**
 * One code path: the same lab drill, once with faults through the lab's AWS APIs (FIS,
 * Route 53, via the official SDK) and once through the lab's direct control API, must
 * produce the same timeline in the journal. Both run on one lab: every fault of the first
 * is reverted before the second starts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { JournalEvent } from '../../src/core/events';
import type { ExperimentConfig } from '../../src/experiment/schema';
import { startLab, stopLab } from '../../src/lab/manager';
import { runInline } from '../support/run';

let labDir: string;
test.before(async () => {
  labDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-fis-vs-direct-'));
  await startLab({
    labDir,
    ephemeral: false,
    healthCheck: { requestIntervalMs: 300, failureThreshold: 2 },
    ttl: { app: 1, writer: 1 },
  });
});
test.after(async () => {
  await stopLab(labDir);
  fs.rmSync(labDir, { recursive: true, force: true });
});

const drill = (api: 'aws' | 'direct'): ExperimentConfig => ({
  name: `fis vs direct (${api})`,
  target: { kind: 'lab', api, dir: labDir },
  steadyState: { duration: '1s' },
  hypothesis: { rto: '10s', recovery: { window: '1s' } },
  // New connections: keep-alive clients would stay on us-east-1 whatever DNS says (as real ones do).
  traffic: { kind: 'http', endpoint: 'app', path: '/health', rate: 20, timeout: '1s', connection: 'new' },
  faults: [
    {
      kind: 'regionOutage',
      name: 'cut-replication',
      region: 'eu-west-1',
      scope: 'cross-region',
      after: '1s',
      duration: '4s',
    },
    { kind: 'healthCheckFailure', name: 'us-east-1-check-fails', region: 'us-east-1', after: '2s', duration: '3s' },
  ],
  duration: '8s',
});

/**
 * The shape of a timeline, without times or ids: the phases in order, and each fault's
 * events in order. Two faults ending at the same moment revert concurrently, so how their
 * events interleave is a race, not part of the shape.
 */
function shape(events: JournalEvent[]): { phases: string[]; faults: Record<string, string[]> } {
  const phases = events
    .filter((event) => event.type === 'phase' || event.type === 'run.finished')
    .map((event) => (event.type === 'phase' ? `phase ${event.phase}` : event.type));
  const faults: Record<string, string[]> = {};
  for (const event of events)
    if (event.type.startsWith('fault.') && 'fault' in event) (faults[event.fault] ??= []).push(event.type);
  return { phases, faults };
}

test('the FIS/Route 53 path and the direct path give the same journal timeline', async () => {
  const viaAws = await runInline(drill('aws'));
  const direct = await runInline(drill('direct'));
  assert.is(viaAws.status, 'passed', viaAws.summary.reason);
  assert.is(direct.status, 'passed', direct.summary.reason);
  assert.equal(shape(viaAws.events), shape(direct.events));

  for (const name of ['cut-replication', 'us-east-1-check-fails']) {
    const a = viaAws.summary.faults.find((fault) => fault.name === name)!;
    const d = direct.summary.faults.find((fault) => fault.name === name)!;
    assert.ok(
      Math.abs(a.injectedAtMs! - d.injectedAtMs!) < 750,
      `${name} injected at +${a.injectedAtMs} (aws) vs +${d.injectedAtMs} (direct)`,
    );
    assert.ok(
      Math.abs(a.activeMs! - d.activeMs!) < 750,
      `${name} active ${a.activeMs} (aws) vs ${d.activeMs} (direct)`,
    );
  }
  // The AWS path really went through FIS and Route 53.
  const fisInjected = viaAws.events.find(
    (event) => event.type === 'fault.injected' && event.fault === 'cut-replication',
  ) as Extract<JournalEvent, { type: 'fault.injected' }>;
  assert.equal(fisInjected.detail?.actions, ['aws:network:route-table-disrupt-cross-region-connectivity']);
  const injecting = viaAws.events.find(
    (event) => event.type === 'fault.injecting' && event.fault === 'us-east-1-check-fails',
  ) as Extract<JournalEvent, { type: 'fault.injecting' }>;
  assert.is(injecting.rollback.kind, 'route53-health-check');
  // Both drills moved clients to eu-west-1 while us-east-1's check was failing.
  for (const run of [viaAws, direct])
    assert.ok((run.summary.traffic.regions['eu-west-1'] ?? 0) > 10, JSON.stringify(run.summary.traffic.regions));
});

test.run();
