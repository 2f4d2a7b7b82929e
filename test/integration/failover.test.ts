/**
 * The failover runbook on the real lab: every step journaled and timed, the RTO
 * explained by its phases, fencing verified, failback; and the old writer never takes a
 * write again once it comes back.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LabClient } from '../../src/lab/client';
import { startLab, stopLab, type RunningLab } from '../../src/lab/manager';
import type { ExperimentConfig } from '../../src/experiment/schema';
import { eventually } from '../support/eventually';
import { runInline } from '../support/run';

let labDir: string;
let lab: RunningLab;

test.before(async () => {
  labDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-failover-'));
  lab = await startLab({
    labDir,
    ephemeral: false,
    healthCheck: { requestIntervalMs: 300, failureThreshold: 2, timeoutMs: 250 },
    ttl: { app: 1, writer: 1 },
  });
});

test.after(async () => {
  await stopLab(labDir);
  fs.rmSync(labDir, { recursive: true, force: true });
});

const drill = (overrides: Partial<ExperimentConfig> = {}): ExperimentConfig => ({
  name: 'runbook',
  target: { kind: 'lab', dir: labDir },
  // These tests judge the runbook; the steady-state check has its own (engine-exec). Its 1 s here holds 19 requests,
  // so a single one slowed past the 1 s timeout on a loaded machine would abort the drill (CI, once: 94.7%).
  steadyState: { duration: '1s', successRatio: 0.9 },
  hypothesis: { rto: '20s', recovery: { window: '1s' } },
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
  faults: [{ kind: 'regionOutage', name: 'us-east-1-offline', region: 'us-east-1', after: '1s', duration: '6s' }],
  failover: { from: 'us-east-1', to: 'eu-west-1', verify: { window: '1s', timeout: '20s' } },
  duration: '9s',
  ...overrides,
});

test('a region outage: detect, decide, fence, promote, shift, verify, notify, failback; phases = RTO', async () => {
  const result = await runInline(drill());
  assert.is(result.status, 'passed', result.summary.reason);
  const failover = result.summary.failover!;
  assert.is(failover.ok, true, failover.reason ?? '');
  assert.equal(
    failover.steps.map((step) => `${step.name} ${step.status}`),
    ['detect', 'decide', 'fence', 'promote', 'shift-traffic', 'verify', 'notify', 'failback'].map(
      (name) => `${name} succeeded`,
    ),
  );
  const detect = failover.steps[0];
  assert.is(detect.detail?.signal, 'route53-health-check');
  assert.match(String(failover.steps[2].detail?.verified), /old writer instance stopped/);
  const { rto } = result.summary;
  assert.ok(rto.ms !== null && rto.ms > 0);
  assert.is(
    rto.phases!.reduce((sum, phase) => sum + phase.ms, 0),
    rto.ms,
    JSON.stringify(rto.phases),
  );
  // Detection cannot beat (threshold − 1) intervals; the bounds hold the measured RTO.
  assert.ok(rto.phases![0].ms >= 300 - 50, `detection ${rto.phases![0].ms} ms`);
  const bounds = rto.bounds!;
  assert.ok(bounds.lowerMs >= 300 && bounds.upperMs >= bounds.lowerMs + 1_000, JSON.stringify(bounds));
  assert.is(bounds.position, 'within', bounds.explanation);
  assert.ok((result.summary.traffic.regions['eu-west-1'] ?? 0) > 0, 'clients were served by eu-west-1');
  // Failback: us-east-1 holds the writer again and eu-west-1 streams from it.
  const status = await lab.client.status();
  assert.equal(Object.fromEntries(status.regions.map((region) => [region.name, region.role])), {
    'us-east-1': 'primary',
    'eu-west-1': 'standby',
  });
});

test('split brain: after failover the old writer comes back as a standby and accepts no write', async () => {
  const result = await runInline(
    drill({
      failover: { from: 'us-east-1', to: 'eu-west-1', verify: { window: '1s', timeout: '20s' }, failback: false },
    }),
  );
  assert.is(result.status, 'passed', result.summary.reason);
  const client = new LabClient(lab.state.controlUrl);
  try {
    await client.startDatabase('us-east-1');
    const status = await client.status();
    const oldWriter = status.regions.find((region) => region.name === 'us-east-1')!;
    assert.is(oldWriter.database.actualRole, 'standby', 'the old writer rejoined as a standby');
    // Sequenced writes through the old region's app all land on the new writer.
    const appUrl = lab.state.regions.find((region) => region.name === 'us-east-1')!.appUrl;
    const eu = lab.state.regions.find((region) => region.name === 'eu-west-1')!.address;
    const runClient = `split-brain-${Date.now()}`;
    for (let seq = 1; seq <= 20; seq++) {
      const response = await eventually(async () => {
        const r = await fetch(`${appUrl}/ledger`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ client: runClient, seq }),
        });
        return r.status === 201 ? r : undefined;
      }, 10_000);
      assert.match(
        response.headers.get('x-gameday-writer') ?? '',
        new RegExp(`^${eu.replace(/\./g, '\\.')}:`),
        `write ${seq} went to eu-west-1`,
      );
    }
    const euApp = lab.state.regions.find((region) => region.name === 'eu-west-1')!.appUrl;
    const seqs = ((await (await fetch(`${euApp}/ledger?client=${runClient}`)).json()) as { seqs: number[] }).seqs;
    assert.equal(
      seqs,
      Array.from({ length: 20 }, (_, i) => i + 1),
      'every acknowledged write is on the one writer, once',
    );
  } finally {
    await client.reset();
  }
});

test('a manual runbook without approval fails over no one', async () => {
  // The runbook stops at decide, right after detection: a 3 s outage and 5 s of observation are plenty.
  const result = await runInline(
    drill({
      failover: { mode: 'manual', from: 'us-east-1', to: 'eu-west-1' },
      hypothesis: { recovery: { window: '1s' } },
      faults: [{ kind: 'regionOutage', name: 'us-east-1-offline', region: 'us-east-1', after: '1s', duration: '3s' }],
      duration: '5s',
    }),
  );
  const steps = result.summary.failover!.steps.map((step) => `${step.name} ${step.status}`);
  assert.equal(steps, ['detect succeeded', 'decide failed']);
  assert.match(result.summary.failover!.reason ?? '', /not approved/);
  const status = await lab.client.status();
  assert.is(status.regions.find((region) => region.name === 'us-east-1')!.role, 'primary', 'nothing moved');
});

test('planned switchover (gameday failover): every acked write survives; custom steps run where declared', async () => {
  const calls: string[] = [];
  const marker = path.join(labDir, 'after-promote');
  const experiment = drill({
    faults: [],
    probes: [{ kind: 'ledger', endpoint: 'app', rate: 20 }],
    hypothesis: { rpo: '0ms', recovery: { window: '1s' } },
    failover: {
      kind: 'planned',
      from: 'us-east-1',
      to: 'eu-west-1',
      verify: { window: '1s', timeout: '20s' },
      steps: [
        {
          after: 'decide',
          name: 'page the on-call',
          run: ({ from, to, step }) => void calls.push(`${step}: ${from}->${to}`),
        },
        { after: 'promote', name: 'mark', exec: `touch ${marker}` },
      ],
    },
  });
  const result = await runInline(experiment, { failoverOnly: true });
  try {
    assert.is(result.status, 'passed', result.summary.reason);
    const steps = result.summary.failover!.steps.map((step) => step.name);
    assert.equal(steps, [
      'detect',
      'decide',
      'page the on-call',
      'fence',
      'promote',
      'mark',
      'shift-traffic',
      'verify',
      'notify',
    ]);
    assert.equal(calls, ['page the on-call: us-east-1->eu-west-1']);
    assert.ok(fs.existsSync(marker));
    const rpo = result.summary.rpo!;
    // Writes went on through the switchover; how many (20/s) depends on how long it took, which a quicker one shortens.
    assert.ok(rpo.ackedWrites > 5, `acked ${rpo.ackedWrites}`);
    assert.is(rpo.lostWrites, 0, `lost: ${JSON.stringify(rpo.lostSeqs)}`);
    assert.is(rpo.met, true);
  } finally {
    await new LabClient(lab.state.controlUrl).reset();
  }
});

test('a failing custom step stops the runbook with a clear journal entry', async () => {
  const result = await runInline(
    drill({
      faults: [],
      failover: {
        from: 'us-east-1',
        to: 'eu-west-1',
        steps: [{ after: 'decide', name: 'precheck', exec: 'echo replica lag too high; exit 9' }],
      },
    }),
    { failoverOnly: true },
  );
  assert.is(result.status, 'failed');
  const precheck = result.summary.failover!.steps.find((step) => step.name === 'precheck')!;
  assert.is(precheck.status, 'failed');
  assert.match(precheck.error ?? '', /exited with code 9: replica lag too high/);
  assert.not.ok(
    result.summary.failover!.steps.some((step) => step.name === 'fence'),
    'nothing moved after the failed step',
  );
  assert.match(result.summary.reason, /failover step precheck failed/);
});

test('inverting a failing health check is refused: it would send clients back to the broken region', async () => {
  try {
    const result = await runInline(
      drill({
        failover: {
          from: 'us-east-1',
          to: 'eu-west-1',
          trafficShift: 'invert-health-check',
          verify: { window: '1s', timeout: '20s' },
          failback: false,
        },
      }),
    );
    const shift = result.summary.failover!.steps.find((step) => step.name === 'shift-traffic')!;
    assert.is(shift.status, 'failed');
    assert.match(shift.error ?? '', /health check hc-app-us-east-1 is failing; inverting it would report it healthy/);
    assert.not.ok(
      result.events.some((event) => event.type === 'fault.injecting' && event.kind === 'failover'),
      'nothing was inverted',
    );
  } finally {
    await new LabClient(lab.state.controlUrl).reset();
  }
});

test.run();
