import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { objectivesOf } from '../../src/analysis/judge';
import type { RunSummary } from '../../src/analysis/summary';
import type { JournalEvent } from '../../src/core/events';
import { danglingReferences, replicationLag } from '../../src/measure/object-replication';
import { objectsProbe } from '../../src/probes/objects';
import type { ProbeSummaryContext } from '../../src/probes/types';
import { issuesOf } from '../support/validation';

const lab = { name: 'objects', target: { kind: 'lab' }, traffic: { kind: 'http', endpoint: 'app' } };

test('replication lag: from each ack to the replica first seen, per second of acknowledgement', () => {
  const lag = replicationLag(
    [
      { seq: 1, ackedAt: 1_000 },
      { seq: 2, ackedAt: 1_500 },
      { seq: 3, ackedAt: 2_100 },
      { seq: 4, ackedAt: 2_200 },
    ],
    new Map([
      [1, 1_040],
      [2, 1_490],
      [3, 2_900],
    ]),
    1_000,
  );
  assert.equal(lag.timeline, [
    { second: 0, maxLagMs: 40, unreplicated: 0 },
    { second: 1, maxLagMs: 800, unreplicated: 1 },
  ]);
  assert.equal([lag.p50Ms, lag.maxMs, lag.replicated, lag.unreplicated], [40, 800, 3, 1]);
  assert.equal(danglingReferences(['b', 'a', 'c', 'a'], new Set(['c'])), ['a', 'b']);
});

/** The object ledger's fold over a journal: 10 PUTs 100 ms apart, 1..8 acknowledged, only 1..3 replicated. */
function fold(
  readBack: Partial<Extract<JournalEvent, { type: 'objects.readback' }>> | null,
  objectiveMs: number | null,
) {
  const context: ProbeSummaryContext = {
    offset: (t) => t - 10_000,
    regionOfAddress: () => undefined,
    writerIdentity: (writer) => writer,
    objectiveMs,
    latencyThresholds: [],
  };
  const started = {
    type: 'probe.started',
    seq: 1,
    t: 9_000,
    probe: 'objects',
    kind: 'objects',
    url: 's3://gameday-lab-us-east-1',
    rate: 10,
  } as const;
  const accumulator = objectsProbe.summarize(started as never, context);
  const events = [
    { type: 'observe.started', t0: 10_000, durationMs: 5_000 },
    {
      type: 'objects.samples',
      probe: 'objects',
      rows: Array.from(
        { length: 10 },
        (_, i) => [i + 1, 10_000 + i * 100, 20, i < 8] as [number, number, number, boolean],
      ),
    },
    {
      type: 'objects.replicas',
      probe: 'objects',
      rows: [1, 2, 3].map((seq) => [seq, 10_000 + seq * 100] as [number, number]),
    },
    { type: 'objects.samples', probe: 'other', rows: [[99, 10_000, 5, true]] },
    ...(readBack
      ? [
          {
            type: 'objects.readback',
            probe: 'objects',
            region: 'eu-west-1',
            bucket: 'gameday-lab-eu-west-1',
            ok: true,
            seqs: [1, 2, 3],
            attempts: 1,
            references: { checked: 5, missing: ['receipts/a.json', 'receipts/b.json'] },
            ...readBack,
          },
        ]
      : []),
  ];
  for (const event of events) accumulator.add(event as unknown as JournalEvent);
  return accumulator.result().objects;
}

test('object RPO, lost objects and dangling references from the journal; not measured without a read back', () => {
  const objects = fold({}, 500);
  assert.equal(objects.lostSeqs, [4, 5, 6, 7, 8]);
  assert.is(objects.ackedObjects, 8);
  assert.is(objects.writes, 10);
  // As for rows: ack of the last lost (8: 10 700 + 20) − ack of the last survivor before it (3: 10 200 + 20).
  assert.is(objects.ms, 500);
  assert.is(objects.met, true);
  assert.equal([objects.danglingReferences, objects.referencesChecked], [2, 5]);
  assert.equal(objects.destination, { region: 'eu-west-1', bucket: 'gameday-lab-eu-west-1' });
  assert.is(objects.lag.maxMs, 80);
  assert.is(fold({}, 499).met, false);

  const failed = fold({ ok: false, seqs: [], error: 'timed out', references: null }, 500);
  assert.equal([failed.ms, failed.met, failed.danglingReferences], [null, null, null]);
  assert.match(failed.note!, /read back failed after 1 attempts: timed out/);
  assert.match(fold(null, null).note!, /not read back/);
});

test('objectRpo is an objective of its own, judged beside the database RPO', () => {
  const objects = fold({}, 400);
  const summary = {
    rto: { objectiveMs: null },
    rpo: null,
    objects,
    slos: [],
    probes: [],
    steadyState: { before: null, after: null },
  } as unknown as RunSummary;
  const [objective] = objectivesOf(summary);
  assert.equal(objective, {
    id: 'objectRpo',
    name: 'object RPO (object ledger)',
    measured: '500ms, 5 of 8 acknowledged objects lost',
    objective: '≤ 400ms',
    met: false,
  });
});

test('hypothesis objectRpo needs probes.objects; the probe needs a bucket name', () => {
  assert.equal(issuesOf({ ...lab, hypothesis: { objectRpo: '1s' } }).length, 1);
  assert.match(issuesOf({ ...lab, hypothesis: { objectRpo: '1s' } })[0], /hypothesis\.objectRpo: .*probes\.objects/);
  assert.equal(issuesOf({ ...lab, hypothesis: { objectRpo: '1s' }, probes: [{ kind: 'objects', bucket: 'b-1' }] }), []);
  assert.match(
    issuesOf({ ...lab, probes: [{ kind: 'objects', bucket: 'Not_A_Bucket' }] })[0],
    /probes\[0\]\.bucket: expected an S3 bucket name/,
  );
});

test.run();
