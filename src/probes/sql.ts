import { z } from 'zod';
import { duration, name } from '../core/fields';
import { checkProbeSummary, okOrFailed } from './check-changes';
import { checkDatabase } from './endpoint-check';
import { PeriodicCheck } from './periodic';
import { describeDatabase, passwordRedactor, redactUrl, SqlCheck } from './sql-check';
import type { ProbeKind, ProbeSummary } from './types';

const sqlCell = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'expected a string, number, boolean or null',
});
const regexSource = z.string({ error: 'expected a regular expression as a string' }).refine(
  (source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  },
  { error: 'not a valid regular expression' },
);

/** Runs a query at an interval against PostgreSQL; ok when it succeeds and `expect` holds. */
export const sqlProbeSchema = z.strictObject({
  kind: z.literal('sql'),
  name: name.default('sql'),
  /**
   * A postgres:// URL (password from the URL or PGPASSWORD; never journaled), or a database the target names (lab:
   * writer, db-<region>).
   */
  connection: z
    .string({ error: 'expected a postgres:// URL or a database name of the target' })
    .min(1, { error: 'must not be empty' }),
  query: z.string({ error: 'expected an SQL statement' }).min(1, { error: 'must not be empty' }).default('select 1'),
  /**
   * rows: that many rows; value: the first row's first column equals it (compared as text); matches: that column
   * matches the regex.
   */
  expect: z
    .union(
      [
        z.strictObject({ rows: z.number().int().min(0) }),
        z.strictObject({ value: sqlCell }),
        z.strictObject({ matches: regexSource }),
      ],
      {
        error: "expected { rows: <count> }, { value: <first column of the first row> } or { matches: '<regex>' }",
      },
    )
    .optional(),
  every: duration({ max: '1h' }).prefault('1s'),
  /** Bounds connecting and the query each. */
  timeout: duration({ max: '5m' }).prefault('2s'),
  /**
   * 'new': a connection per check (sees a failover as a fresh client); 'keep-alive': one connection, replaced when it
   * fails.
   */
  session: z.enum(['new', 'keep-alive']).default('new'),
});

export type SqlProbe = z.output<typeof sqlProbeSchema>;
export type SqlProbeConfig = z.input<typeof sqlProbeSchema>;

/** What a fresh database client sees: a query at an interval against PostgreSQL, with an expected result. */
export const sqlProbe: ProbeKind<typeof sqlProbeSchema, { summary: ProbeSummary }> = {
  schema: sqlProbeSchema,
  label: 'probe',
  startOrder: 2,

  validate: (probe, context, report) =>
    checkDatabase(probe.connection, context, (path, message) => report(['connection', ...path], message)),

  plan: (probe) =>
    `start sql probe ${probe.name}: \`${probe.query}\` on ${describeDatabase(probe.connection)} ` +
    `every ${probe.every} ms ` +
    `(${probe.session === 'new' ? 'a new connection each time' : 'one kept connection'}, timeout ` +
    `${probe.timeout} ms)${probe.expect ? `, expecting ${JSON.stringify(probe.expect)}` : ''}`,

  async start(probe, { session, journal, resolvers }) {
    const connection = session.databaseUrl(probe.connection) ?? probe.connection;
    const sql = new SqlCheck(probe, connection, resolvers.ownResolver());
    const check = new PeriodicCheck(
      probe,
      journal,
      redactUrl(connection),
      sql.check,
      passwordRedactor(connection),
      () => sql.close(),
    );
    check.start();
    return { name: probe.name, kind: probe.kind, stop: () => check.stop() };
  },

  summarize: (started, context) => checkProbeSummary(started, context, okOrFailed),
};
