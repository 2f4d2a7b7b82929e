import { z } from 'zod';
import { duration, name } from '../core/fields';

/**
 * The object ledger (object RPO): sequenced PUTs into a bucket in the primary region, each
 * acknowledged or not as the S3 client was told; while they run, the replication
 * destination is listed to see each replica land (replication lag over time); after the
 * observation the destination bucket — what serves once the primary region is lost — is
 * read back. Lost objects and object RPO follow the rows' definition (measure/rpo.ts). With
 * `references`, the keys a database names (order rows' receipts) are checked against the
 * destination bucket: the dangling references a user would meet as broken downloads.
 */
export const objectsProbeSchema = z.strictObject({
  kind: z.literal('objects'),
  name: name.default('objects'),
  /** The source bucket, in the target's primary region; its replication rule names the destination. */
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'expected an S3 bucket name' }),
  /** PUTs per second, constant arrival rate (open model). */
  rate: z
    .number({ error: 'expected objects per second, a number > 0' })
    .positive({ error: 'expected objects per second, a number > 0' })
    .max(100, { error: 'at most 100 objects per second from the object ledger' })
    .default(5),
  timeout: duration({ max: '5m' }).prefault('2s'),
  /** How often the destination is listed for replicas. */
  lagEvery: duration({ max: '1m' }).prefault('250ms'),
  readBackTimeout: duration({ max: '5m' }).prefault('10s'),
  /** The dangling-reference check after the observation: a query whose first column is object keys. */
  references: z
    .strictObject({
      /** A postgres:// URL or a database the target names (lab: writer). */
      sql: z.string().min(1),
      query: z.string().min(1).default('SELECT receipt_key FROM orders WHERE receipt_key IS NOT NULL'),
    })
    .optional(),
});

export type ObjectsProbe = z.output<typeof objectsProbeSchema>;
export type ObjectsProbeConfig = z.input<typeof objectsProbeSchema>;
