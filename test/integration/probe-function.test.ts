/**
 * The function probe through the real engine: whatever the user's function does —
 * throw, reject, hang, return `{ ok: false }` — is a sample, and the run still rolls back
 * and reaches its verdict.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EventOf, JournalEvent } from '../../src/core/events';
import { readJournal } from '../../src/core/journal';
import { runExperiment } from '../../src/engine/run';
import type { ExperimentConfig } from '../../src/experiment/schema';
import { loadExperiment } from '../../src/experiment/loader';
import { summarize } from '../../src/analysis/summarize';
import { flakyServicePerTest } from '../support/flaky-service';
import { runInline } from '../support/run';
import { tempDir } from '../support/temp-dir';

const service = flakyServicePerTest(test);

const of = <T extends JournalEvent['type']>(events: JournalEvent[], type: T) =>
  events.filter((event): event is EventOf<T> => event.type === type);

function outage(probes: ExperimentConfig['probes']): ExperimentConfig {
  return {
    name: 'function probe',
    target: { kind: 'endpoints', endpoints: { api: service().url } },
    traffic: { kind: 'http', endpoint: 'api', rate: 20, timeout: '1s' },
    steadyState: { duration: '500ms' },
    hypothesis: { rto: '5s', recovery: { window: '1s' } },
    faults: [
      {
        kind: 'exec',
        name: 'down',
        after: '500ms',
        duration: '1s',
        inject: `touch ${service().downFile}`,
        rollback: `rm -f ${service().downFile}`,
      },
    ],
    duration: '3s',
    probes,
  };
}

test('a function that throws every other call: each throw a failed sample; the run rolls back and passes', async () => {
  const result = await runInline(
    outage([
      {
        kind: 'function',
        name: 'every-other',
        every: '100ms',
        run: async ({ seq, target }) => {
          if (seq % 2 === 1) throw new Error(`odd call ${seq} against ${target.endpoints.api}`);
          return { seq };
        },
      },
    ]),
  );
  assert.is(result.status, 'passed', result.summary.reason);
  assert.not.ok(fs.existsSync(service().downFile), 'rolled back');
  const probe = result.summary.probes.find((entry) => entry.probe === 'every-other')!;
  assert.ok(probe, JSON.stringify(result.summary.probes));
  assert.is(probe.kind, 'function');
  // 500 ms steady state + 3 s observation (+ post-check) at 10 calls/s.
  assert.ok(probe.requests >= 30, `${probe.requests} calls`);
  assert.ok(Math.abs(probe.errors - probe.requests / 2) <= 1, `${probe.errors} of ${probe.requests} failed`);
  const rows = of(result.events, 'check.samples').flatMap((event) => event.rows);
  assert.is(rows.length, probe.requests);
  assert.equal(rows[0].slice(2), [0, `odd call 1 against ${service().url}`, null]);
  assert.equal(rows[1].slice(2), [1, '', { seq: 2 }]);
  // Every call flips the outcome, so every sample is a change of its own.
  assert.is(probe.changes!.length, probe.requests);
  assert.equal(summarize(result.events), result.summary, 'the journal alone rebuilds the summary');
  const stopped = of(result.events, 'probe.stopped').find((event) => event.probe === 'every-other')!;
  assert.equal([stopped.requests, stopped.errors], [probe.requests, probe.errors]);
  const report = fs.readFileSync(path.join(result.runDir, 'report.md'), 'utf8');
  assert.match(report, /`every-other` \(function\): function:every-other: \d+ checks, \d+ failed/);
  assert.match(report, /FAILED: odd call 1 against/);
});

test('synchronous throws, non-Error throws, hangs and { ok: false } are failed samples with their reason', async () => {
  const result = await runInline(
    outage([
      {
        kind: 'function',
        name: 'sync-throw',
        every: '200ms',
        run: () => {
          throw new TypeError('boom');
        },
      },
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      {
        kind: 'function',
        name: 'throws-string',
        every: '200ms',
        run: async () => {
          throw 'plain string';
        },
      },
      { kind: 'function', name: 'hangs', every: '200ms', timeout: '150ms', run: () => new Promise(() => undefined) },
      { kind: 'function', name: 'says-no', every: '200ms', run: () => ({ ok: false, detail: 'replica lag 12 s' }) },
      { kind: 'function', name: 'big-value', every: '200ms', run: () => 'x'.repeat(1_000) },
      {
        kind: 'function',
        name: 'aborted-late-reject',
        every: '200ms',
        timeout: '50ms',
        run: ({ signal }) =>
          new Promise((_resolve, reject) =>
            signal.addEventListener('abort', () => setTimeout(() => reject(new Error('late')), 10)),
          ),
      },
    ]),
  );
  assert.is(result.status, 'passed', result.summary.reason);
  const byName = (name: string) => result.summary.probes.find((entry) => entry.probe === name)!;
  const firstChange = (name: string) => byName(name).changes![0];
  assert.equal([firstChange('sync-throw').ok, firstChange('sync-throw').detail], [false, 'boom']);
  assert.is(firstChange('throws-string').detail, 'plain string');
  assert.is(firstChange('hangs').detail, 'timed out after 150 ms');
  assert.ok(
    byName('hangs').latencyMs.p50! >= 150 && byName('hangs').latencyMs.p50! < 400,
    `hang latency ${byName('hangs').latencyMs.p50}`,
  );
  assert.is(firstChange('says-no').detail, 'replica lag 12 s');
  assert.is(firstChange('aborted-late-reject').detail, 'timed out after 50 ms');
  for (const name of ['sync-throw', 'throws-string', 'hangs', 'says-no', 'aborted-late-reject']) {
    assert.is(byName(name).errors, byName(name).requests, `${name}: every call failed`);
    assert.is(byName(name).changes!.length, 1, `${name}: one unchanging outcome`);
  }
  const big = byName('big-value');
  assert.is(big.errors, 0);
  assert.is(big.changes![0].detail, 'ok', 'a large return value is not journaled');
});

test('from an experiment file: probes.fn with a throwing run, loaded as the CLI loads it', async () => {
  process.env.API_URL = service().url;
  process.env.DOWN_FILE = service().downFile;
  const experiment = loadExperiment(path.resolve(__dirname, '../fixtures/valid/probe-function-throws.ts'));
  const runDir = tempDir('gameday-run-');
  const result = await runExperiment(experiment, { runId: path.basename(runDir), runDir });
  assert.is(result.status, 'passed', result.summary.reason);
  assert.not.ok(fs.existsSync(service().downFile), 'rolled back');
  const probe = result.summary.probes.find((entry) => entry.probe === 'flaky-check')!;
  assert.ok(
    probe.requests >= 30 && Math.abs(probe.errors - probe.requests / 2) <= 1,
    `${probe.errors} of ${probe.requests}`,
  );
  const events = readJournal(path.join(runDir, 'journal.ndjson'));
  assert.is(events[events.length - 1].type, 'run.finished');
  assert.not.ok(of(events, 'error').length, JSON.stringify(of(events, 'error')));
});

test.run();
