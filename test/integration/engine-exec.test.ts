import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ExperimentConfig } from '../../src/experiment/schema';
import { flakyServicePerTest, startFlakyService, type FlakyService } from '../support/flaky-service';
import { runInline } from '../support/run';

const service = flakyServicePerTest(test);

/** An experiment against `on` (the test's own flaky service by default): `downFor` of 503s starting at +1s. */
function outage(overrides: Partial<ExperimentConfig> & { downFor?: string; on?: FlakyService } = {}): ExperimentConfig {
  const { downFor = '2s', on = service(), ...rest } = overrides;
  return {
    name: 'outage',
    target: { kind: 'endpoints', endpoints: { api: on.url } },
    traffic: { kind: 'http', endpoint: 'api', path: '/health', rate: 20, timeout: '1s' },
    steadyState: { duration: '500ms' },
    hypothesis: { rto: '10s', recovery: { successRatio: 0.95, window: '1s' } },
    faults: [
      {
        kind: 'exec',
        name: 'down',
        after: '1s',
        duration: downFor,
        inject: `touch ${on.downFile}`,
        rollback: `rm -f ${on.downFile}`,
      },
    ],
    duration: '5s',
    ...rest,
  };
}

// The first three tests are three views of one run of the plain outage, with a second http probe for the third:
// its RTO, its journal, its probes.
let shared: Promise<{ result: Awaited<ReturnType<typeof runInline>>; on: FlakyService }> | undefined;
const sharedService = startFlakyService();
function plainOutage() {
  shared ??= sharedService.then(async (on) => ({
    result: await runInline(
      outage({ on, probes: [{ kind: 'http', name: 'home', endpoint: 'api', path: '/', rate: 10 }] }),
    ),
    on,
  }));
  return shared;
}
test.after(async () => (await sharedService).close());

test('measured RTO is within one probe interval + 50 ms of the outage the service served', async () => {
  const { result, on } = await plainOutage();
  const { served, downFile } = on;
  assert.is(result.status, 'passed', result.summary.reason);
  assert.is(served.length, 1, JSON.stringify(served));
  const trueOutageMs = served[0].upFrom! - served[0].downFrom;
  const probeIntervalMs = 1000 / 20;
  assert.ok(result.summary.rto.ms !== null);
  const error = Math.abs(result.summary.rto.ms! - trueOutageMs);
  assert.ok(
    error <= probeIntervalMs + 50,
    `RTO ${result.summary.rto.ms} ms vs the ${Math.round(trueOutageMs)} ms outage served ` +
      `(error ${Math.round(error)} ms)`,
  );
  assert.ok(result.summary.traffic.errors >= 30, 'clients saw the outage');
  assert.not.ok(fs.existsSync(downFile), 'rolled back');
});

test('the journal records the rollback before the injection and every line parses', async () => {
  const { result, on } = await plainOutage();
  const { downFile } = on;
  const types = result.events.map((event) => event.type);
  const injecting = types.indexOf('fault.injecting');
  const injected = types.indexOf('fault.injected');
  assert.ok(injecting >= 0 && injected > injecting, 'fault.injecting is written before fault.injected');
  const record = result.events[injecting] as Extract<(typeof result.events)[number], { type: 'fault.injecting' }>;
  assert.equal(record.rollback, { kind: 'exec', command: `rm -f ${downFile}`, timeoutMs: 30_000 });
  assert.is(types[types.length - 1], 'run.finished');
  const lines = fs.readFileSync(path.join(result.runDir, 'journal.ndjson'), 'utf8').trim().split('\n');
  assert.is(lines.length, result.events.length);
  for (const file of ['summary.json', 'report.md']) assert.ok(fs.existsSync(path.join(result.runDir, file)), file);
  const summary = JSON.parse(fs.readFileSync(path.join(result.runDir, 'summary.json'), 'utf8'));
  assert.is(summary.schema, 'gameday/run/v2');
  assert.ok(summary.traffic.latencyMs.p99 > 0);
});

test('further http probes are measured alongside the traffic', async () => {
  const { result } = await plainOutage();
  const home = result.summary.probes.find((probe) => probe.probe === 'home');
  assert.ok(home, JSON.stringify(result.summary.probes));
  assert.ok(
    home!.requests > 30 && home!.errors > 5,
    `home: ${home!.requests} requests, ${home!.errors} errors (the outage hits it too)`,
  );
  assert.is(result.summary.traffic.probe, 'traffic', 'RTO stays measured from the traffic probe');
});

test('a breached stop condition aborts and rolls back at once', async () => {
  const result = await runInline(
    outage({ downFor: '20s', duration: '25s', stopConditions: [{ kind: 'errorRatio', above: 0.5, window: '1s' }] }),
  );
  assert.is(result.status, 'aborted');
  assert.match(result.summary.reason, /stop condition stopConditions\[0\] errorRatio/);
  assert.ok(result.summary.durationMs! < 15_000, `stopped early (${result.summary.durationMs} ms)`);
  assert.ok(result.events.some((e) => e.type === 'fault.reverted'));
  assert.not.ok(fs.existsSync(service().downFile));
});

test('steady state not met: nothing is injected', async () => {
  fs.writeFileSync(service().downFile, '');
  const marker = path.join(service().dir, 'injected');
  // The post-check still waits for the target to recover after the abort; it never will here, so 1 s, not 30 s.
  const result = await runInline(
    outage({
      steadyState: { duration: '500ms', recoveryTimeout: '1s' },
      faults: [{ kind: 'exec', after: '0s', inject: `touch ${marker}`, rollback: 'true' }],
    }),
  );
  assert.is(result.status, 'aborted');
  // The reason says what the clients got: here the service's 503 on every request.
  assert.match(result.summary.reason, /^steady state not met before any fault: success ratio 0\.0% < 99\.0% /);
  assert.match(result.summary.reason, /\((\d+) of \1 requests failed: HTTP 503 ×\1\); nothing was injected$/);
  assert.not.ok(result.events.some((e) => e.type === 'fault.injecting'));
  assert.not.ok(fs.existsSync(marker));
});

test('an unreachable target is an error and nothing is injected', async () => {
  const config = outage();
  config.target = { kind: 'endpoints', endpoints: { api: 'http://127.0.0.1:9' } };
  const result = await runInline(config);
  assert.is(result.status, 'error');
  assert.match(result.summary.reason, /target unreachable: api \(http:\/\/127\.0\.0\.1:9\): ECONNREFUSED/);
  assert.not.ok(result.events.some((e) => e.type === 'fault.injecting'));
});

test('a failing inject command is an error, and its rollback still runs', async () => {
  const marker = path.join(service().dir, 'rolled-back');
  const result = await runInline(
    outage({
      faults: [
        {
          kind: 'exec',
          name: 'half-done',
          after: '500ms',
          inject: 'echo partial; exit 7',
          rollback: `touch ${marker}`,
        },
      ],
    }),
  );
  assert.is(result.status, 'error');
  assert.match(
    result.summary.reason,
    /half-done could not be injected: inject `echo partial; exit 7` exited with code 7: partial/,
  );
  assert.ok(fs.existsSync(marker), 'the rollback registered before inject ran');
});

test('a failing rollback makes the run an error and says the fault may still be active', async () => {
  const result = await runInline(
    outage({
      faults: [{ kind: 'exec', name: 'sticky', after: '500ms', duration: '500ms', inject: 'true', rollback: 'exit 3' }],
      duration: '1500ms',
    }),
  );
  assert.is(result.status, 'error');
  assert.match(result.summary.reason, /rollback failed; the fault may still be active/);
  assert.match(result.summary.faults[0].error ?? '', /exited with code 3/);
});

test('a hanging rollback times out and later rollbacks still run, newest first', async () => {
  const order = path.join(service().dir, 'order');
  const result = await runInline(
    outage({
      duration: '1s',
      faults: [
        { kind: 'exec', name: 'first', after: '200ms', inject: 'true', rollback: `echo first >> ${order}` },
        { kind: 'exec', name: 'hangs', after: '400ms', inject: 'true', rollback: 'sleep 30', rollbackTimeout: '1s' },
        { kind: 'exec', name: 'last', after: '600ms', inject: 'true', rollback: `echo last >> ${order}` },
      ],
    }),
  );
  assert.is(result.status, 'error');
  assert.is(fs.readFileSync(order, 'utf8'), 'last\nfirst\n');
  assert.match(result.summary.faults.find((f) => f.name === 'hangs')!.error ?? '', /timed out after 1000 ms/);
});

test('aborting through the signal rolls back and reports aborted', async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort({ signal: 'SIGINT' }), 2_000);
  const result = await runInline(outage({ downFor: '20s', duration: '25s' }), { signal: controller.signal });
  assert.is(result.status, 'aborted');
  assert.is(result.summary.reason, 'interrupted by SIGINT');
  assert.not.ok(fs.existsSync(service().downFile));
});

test.run();
