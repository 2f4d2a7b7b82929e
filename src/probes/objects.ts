import type { EventOf, JournalEvent } from '../core/events';
import { replicationLag } from '../measure/object-replication';
import { computeRpo, type AckedWrite, type UnackedWrite } from '../measure/rpo';
import { objectsProbeSchema } from './objects-schema';
import type { ObjectRpoSummary, ProbeAccumulator, ProbeKind, ProbeSummaryContext } from './types';

/**
 * The object ledger (schema and reference: objects-schema.ts): its checks, its plan line, its start (the S3 side,
 * object-ledger.ts, loaded only by a run) and its fold of the journal into `summary.objects`.
 */
export const objectsProbe: ProbeKind<typeof objectsProbeSchema, { summary: null; objects: ObjectRpoSummary }> = {
  schema: objectsProbeSchema,
  label: 'object ledger',
  startOrder: 1,

  validate(probe, context, report) {
    if (context.targetKind === 'endpoints')
      report(['kind'], 'the object ledger needs a target with AWS APIs (lab or aws): it writes with the S3 client');
    const sql = probe.references?.sql;
    if (sql && !sql.startsWith('postgres') && !context.databaseNames.includes(sql))
      report(
        ['references', 'sql'],
        `expected a postgres:// URL or a database the target names (${context.databaseNames.join(', ') || 'none'})`,
      );
  },

  plan: (probe) =>
    `start object ledger ${probe.name}: PutObject s3://${probe.bucket}/gameday-objects/<run id>/${probe.name}/<seq> ` +
    `at ${probe.rate}/s in the primary region; ListObjectsV2 the replication destination every ` +
    `${probe.lagEvery} ms; ` +
    `when the observation ends read the destination back` +
    (probe.references ? ` and check the keys \`${probe.references.query}\` names are in it` : ''),

  async start(probe, context) {
    // Loaded when a run starts one: reading a journal back (analysis, reports) must not load the AWS SDK.
    const { startObjectLedger } = await import('./object-ledger');
    return startObjectLedger(probe, context);
  },

  summarize: (started, context) => new ObjectsFold(started, context),
};

/** Object RPO, lost objects, lag and dangling references from the journal alone. */
class ObjectsFold implements ProbeAccumulator<{ summary: null; objects: ObjectRpoSummary }> {
  private readonly acked: AckedWrite[] = [];
  private readonly unacked: UnackedWrite[] = [];
  private readonly seenAt = new Map<number, number>();
  private readBack: EventOf<'objects.readback'> | undefined;
  private t0: number | null = null;

  constructor(
    private readonly started: EventOf<'probe.started'>,
    private readonly context: ProbeSummaryContext,
  ) {}

  add(event: JournalEvent): void {
    if (event.type === 'observe.started') this.t0 = event.t0;
    if ('probe' in event && event.probe !== this.started.probe) return;
    if (event.type === 'objects.samples') {
      for (const [seq, t, latency, ok] of event.rows)
        if (ok) this.acked.push({ seq, t, ackedAt: t + latency, writer: '' });
        else this.unacked.push({ seq, t });
    } else if (event.type === 'objects.replicas') {
      for (const [seq, at] of event.rows) if (!this.seenAt.has(seq)) this.seenAt.set(seq, at);
    } else if (event.type === 'objects.readback' && !this.readBack) {
      this.readBack = event;
    }
  }

  result(): { summary: null; objects: ObjectRpoSummary } {
    const { started, readBack, context } = this;
    const t0 = this.t0 ?? this.started.t;
    const lag = replicationLag(this.acked, this.seenAt, t0);
    const rpo = readBack?.ok ? computeRpo({ acked: this.acked, unacked: this.unacked, readBack: readBack.seqs }) : null;
    const references = readBack?.references ?? null;
    const ms = rpo ? rpo.rpoMs : null;
    const note = !readBack
      ? 'the destination was not read back (the run was interrupted or did not finish)'
      : !readBack.ok
        ? `the read back failed after ${readBack.attempts} attempts: ${readBack.error}`
        : (references?.error ?? null);
    return {
      summary: null,
      objects: {
        probe: started.probe,
        bucket: started.url.replace(/^s3:\/\//, ''),
        destination: { region: readBack?.region ?? '', bucket: readBack?.bucket ?? '' },
        rate: started.rate,
        ms,
        objectiveMs: context.objectiveMs,
        met: ms === null || context.objectiveMs === null ? null : ms <= context.objectiveMs,
        writes: this.acked.length + this.unacked.length,
        ackedObjects: this.acked.length,
        lostObjects: rpo?.lostWrites ?? 0,
        lostSeqs: rpo?.lostSeqs ?? [],
        lag: {
          p50Ms: lag.p50Ms,
          maxMs: lag.maxMs,
          timeline: lag.timeline.map((second) => ({
            offsetS: second.second,
            maxLagMs: second.maxLagMs,
            unreplicated: second.unreplicated,
          })),
        },
        danglingReferences: references && !references.error ? references.missing.length : null,
        referencesChecked: references && !references.error ? references.checked : null,
        danglingKeys: references?.missing.slice(0, 20) ?? [],
        readBack: readBack ? { ok: readBack.ok, attempts: readBack.attempts, error: readBack.error ?? null } : null,
        note,
      },
    };
  }
}

export type { ObjectsProbe, ObjectsProbeConfig } from './objects-schema';
