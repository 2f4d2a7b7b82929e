import { z } from 'zod';
import type { EventOf, JournalEvent } from '../core/events';
import { duration, httpUrl, name } from '../core/fields';
import { computeRpo, type AckedWrite, type UnackedWrite } from '../measure/rpo';
import { checkDatabase, checkUrlOrEndpoint } from './endpoint-check';
import { ledgerUrls } from './ledger-http';
import { defaultLedgerTable } from './ledger-sql';
import { describeDatabase } from './sql-check';
import type { ProbeAccumulator, ProbeKind, ProbeSummaryContext, RpoSummary } from './types';
import { LedgerSession } from './write-ledger';

/**
 * The write ledger (for RPO): sequenced writes `POST <path> {client, seq}` at a constant
 * rate, each acknowledged by 201 once committed on the writer; after the observation
 * `GET <path>?client=` reads back the seqs the writer holds. The lab app speaks it; any
 * service with the same API can be measured. With `sql` instead, the writes are INSERTs
 * straight into a table on a PostgreSQL writer, read back by a SELECT.
 */
export const ledgerProbeSchema = z.strictObject({
  kind: z.literal('ledger'),
  name: name.default('ledger'),
  /** Absolute URL of the ledger resource; or `endpoint` (a name from the target) plus `path` (default '/ledger'). */
  url: httpUrl.optional(),
  endpoint: z.string().optional(),
  path: z.string().startsWith('/', { error: "must start with '/'" }).optional(),
  /**
   * Instead of url/endpoint: a postgres:// URL or a database the target names (lab: writer, db-<region>); writes are
   * INSERTs.
   */
  sql: z
    .string({ error: 'expected a postgres:// URL or a database name of the target' })
    .min(1, { error: 'must not be empty' })
    .optional(),
  /** The SQL ledger's table (default gameday_ledger), created if missing; a plain identifier, quoted as given. */
  table: z
    .string({ error: 'expected a table name' })
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, {
      error: 'expected a plain SQL identifier: a letter or _, then letters, digits or _ (at most 63)',
    })
    .optional(),
  /** SQL ledger: 'keep-alive' (default) reuses connections, 'new' connects for every write. */
  session: z.enum(['new', 'keep-alive']).optional(),
  /** Writes per second, constant arrival rate (open model). */
  rate: z
    .number({ error: 'expected writes per second, a number > 0' })
    .positive({ error: 'expected writes per second, a number > 0' })
    .max(1_000, { error: 'at most 1000 writes per second from the ledger' })
    .default(10),
  timeout: duration({ max: '5m' }).prefault('2s'),
  /** HTTP ledger: 'keep-alive' (default) or 'new', as for http probes. */
  connection: z.enum(['keep-alive', 'new']).optional(),
  /** Endpoint name to read back from (default: where the writes went). */
  readBackFrom: z.string().optional(),
  /** How long the read back keeps retrying while the writer does not answer. */
  readBackTimeout: duration({ max: '5m' }).prefault('10s'),
});

export type LedgerProbe = z.output<typeof ledgerProbeSchema>;
export type LedgerProbeConfig = z.input<typeof ledgerProbeSchema>;

const stopAtTheEnd = 'stop it when the observation ends and read back what the writer holds (before any rollback)';

/** Acknowledged writes the new writer lacks: the write ledger, over HTTP or straight to PostgreSQL. */
export const ledgerProbe: ProbeKind<typeof ledgerProbeSchema, { summary: null; rpo: RpoSummary }> = {
  schema: ledgerProbeSchema,
  label: 'write ledger',
  startOrder: 1,

  /**
   * A ledger writes over HTTP (url or endpoint) or straight to PostgreSQL (sql), and takes only the fields of its kind.
   */
  validate(probe, context, report) {
    const only = (
      field: 'url' | 'endpoint' | 'path' | 'connection' | 'readBackFrom' | 'table' | 'session',
      message: string,
    ) => {
      if (probe[field] !== undefined) report([field], message);
    };
    if (probe.sql !== undefined) {
      only('url', 'give either sql or url, not both: sql writes straight to PostgreSQL, url through an HTTP service');
      only(
        'endpoint',
        'give either sql or endpoint, not both: sql writes straight to PostgreSQL, endpoint through an HTTP service',
      );
      only('path', 'only applies to an HTTP ledger (url or endpoint), not to one with sql');
      only('connection', "only applies to an HTTP ledger; a SQL ledger takes session: 'keep-alive' | 'new'");
      only('readBackFrom', 'only applies to an HTTP ledger; a SQL ledger reads back from its sql database');
      // An empty sql is already reported by its field's own rule.
      if (probe.sql !== '') checkDatabase(probe.sql, context, (path, message) => report(['sql', ...path], message));
      return;
    }
    checkUrlOrEndpoint(probe, context, report);
    only('table', 'only applies to a SQL ledger (sql)');
    only('session', "only applies to a SQL ledger (sql); an HTTP ledger takes connection: 'keep-alive' | 'new'");
    if (probe.readBackFrom !== undefined && !context.endpointNames.includes(probe.readBackFrom)) {
      report(
        ['readBackFrom'],
        `unknown endpoint ${JSON.stringify(probe.readBackFrom)}; the target has: ${context.endpointNames.join(', ')}`,
      );
    }
  },

  // A SQL ledger is reached when it starts: it creates its table before the first write.
  preflightUrl: (probe, endpoints) => (probe.sql === undefined ? ledgerUrls(probe, endpoints).write : null),

  plan(probe, endpoints) {
    if (probe.sql === undefined)
      return (
        `start write ledger ${probe.name}: POST ${ledgerUrls(probe, endpoints).write} {client, ` +
        `seq} at ${probe.rate}/s; ${stopAtTheEnd}`
      );
    const table = probe.table ?? defaultLedgerTable;
    return (
      `start write ledger ${probe.name}: create table ${table} if missing, then INSERT INTO ` +
      `${table} (client, seq) on ${describeDatabase(probe.sql)} at ${probe.rate}/s ` +
      `(${probe.session === 'new' ? 'a new connection per write' : 'kept connections'}, timeout ` +
      `${probe.timeout} ms); ${stopAtTheEnd}`
    );
  },

  async start(probe, context) {
    const target = {
      session: context.session,
      lookup: context.resolvers.shared?.lookup(),
      resolver: context.resolvers.shared,
    };
    const session = await LedgerSession.start(probe, target, context.journal, { runId: context.runId });
    let finished: Promise<void> | null = null;
    const finish = (options: { readBack: boolean; signal?: AbortSignal }) => (finished ??= session.finish(options));
    return {
      name: probe.name,
      kind: probe.kind,
      endObservation: finish,
      stop: () => finish({ readBack: false }),
    };
  },

  summarize: (started, context) => new LedgerFold(started, context),
};

/**
 * RPO from the ledger's journal events alone: its writes (ledger.samples) and the read
 * back. Without a read back (interrupted, or the writer never answered) nothing can be
 * said about lost writes, so ms is null and an objective counts as missed.
 */
class LedgerFold implements ProbeAccumulator<{ summary: null; rpo: RpoSummary }> {
  private readonly acked: AckedWrite[] = [];
  private readonly unacked: UnackedWrite[] = [];
  private readBack: EventOf<'ledger.readback'> | undefined;

  constructor(
    private readonly started: EventOf<'probe.started'>,
    private readonly context: ProbeSummaryContext,
  ) {}

  add(event: JournalEvent): void {
    if (event.type === 'ledger.samples' && event.probe === this.started.probe) {
      for (const [seq, t, latency, , ok, , writer] of event.rows) {
        // One name per database: the target knows how its writers name themselves.
        if (ok) this.acked.push({ seq, t, ackedAt: t + latency, writer: this.context.writerIdentity(writer) });
        else this.unacked.push({ seq, t });
      }
    } else if (event.type === 'ledger.readback' && event.probe === this.started.probe && !this.readBack) {
      this.readBack = event;
    }
  }

  result(): { summary: null; rpo: RpoSummary } {
    return { summary: null, rpo: this.rpo() };
  }

  private rpo(): RpoSummary {
    const { started, acked, unacked, readBack } = this;
    const objectiveMs = this.context.objectiveMs;
    const base = {
      objectiveMs,
      writes: acked.length + unacked.length,
      probe: started.probe,
      url: started.url,
      rate: started.rate,
      client: started.client ?? '',
      readBack: readBack
        ? {
            ok: readBack.ok,
            url: readBack.url,
            writer: readBack.writer,
            region: readBack.region,
            attempts: readBack.attempts,
            error: readBack.error ?? null,
          }
        : null,
    };
    if (!readBack?.ok) {
      const note = readBack
        ? `the read back failed after ${readBack.attempts} attempts: ${readBack.error}`
        : 'the ledger was not read back (the run was interrupted or did not finish)';
      return {
        // Not measured: neither met nor missed here (as an SLO without requests); the verdict counts a declared
        // objective it could not measure as missed.
        ...base,
        ms: null,
        met: null,
        ackedWrites: acked.length,
        lostWrites: 0,
        duplicateWrites: 0,
        splitBrain: false,
        lostSeqs: [],
        unconfirmedWrites: 0,
        staleWriterAcks: 0,
        writers: [],
        note,
      };
    }
    const result = computeRpo({ acked, unacked, readBack: readBack.seqs }, { maxLostSeqs: 100 });
    const ms = Math.round(result.rpoMs);
    return {
      ...base,
      ms,
      met: objectiveMs === null ? null : ms <= objectiveMs && !result.splitBrain,
      ackedWrites: result.ackedWrites,
      lostWrites: result.lostWrites,
      duplicateWrites: result.duplicateWrites,
      splitBrain: result.splitBrain,
      lostSeqs: result.lostSeqs,
      unconfirmedWrites: result.unconfirmedWrites,
      staleWriterAcks: result.staleWriterAcks,
      writers: result.writers,
      note: acked.length === 0 ? 'no write was acknowledged' : null,
    };
  }
}
