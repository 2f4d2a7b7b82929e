import type { S3Client } from '@aws-sdk/client-s3';
import { sdk } from '../aws/sdk';
import { describeAwsError } from '../aws/clients';
import { now, sleep } from '../core/clock';
import type { EventOf } from '../core/events';
import type { Journal } from '../core/journal';
import { danglingReferences } from '../measure/object-replication';
import type { ObjectsProbe } from './objects-schema';
import type { CachingResolver } from './resolver';
import { postgresClient } from './sql-check';
import type { ProbeHandle, ProbeStartContext } from './types';

const flushEveryMs = 500;

/** The object ledger while it runs (see objects.ts): the S3 client's side, loaded only by a run. */
export async function startObjectLedger(probe: ObjectsProbe, context: ProbeStartContext): Promise<ProbeHandle> {
  const aws = context.session.aws;
  if (!aws) throw new Error(`object ledger ${probe.name}: the target has no AWS APIs to reach S3 through`);
  const source = aws.clients.s3(aws.model.primary);
  const destination = await replicationDestination(source, probe.bucket, (region) => aws.clients.s3(region));
  const ledger = new ObjectLedger(probe, context.journal, context.runId, source, destination, {
    connection: probe.references ? (context.session.databaseUrl(probe.references.sql) ?? probe.references.sql) : null,
    resolver: context.resolvers.ownResolver(),
  });
  context.journal.append({
    type: 'probe.started',
    probe: probe.name,
    kind: probe.kind,
    url: `s3://${probe.bucket}`,
    rate: probe.rate,
    client: ledger.prefix,
    detail: `replicating to s3://${destination.bucket} in ${destination.region}`,
  });
  ledger.start();
  let finished: Promise<void> | null = null;
  const finish = (options: { readBack: boolean }) => (finished ??= ledger.finish(options));
  return { name: probe.name, kind: probe.kind, endObservation: finish, stop: () => finish({ readBack: false }) };
}

interface Destination {
  region: string;
  bucket: string;
  client: S3Client;
}

/** The source bucket's first enabled replication rule's destination, and the region S3 says that bucket is in. */
async function replicationDestination(
  source: S3Client,
  bucket: string,
  clientFor: (region: string) => S3Client,
): Promise<Destination> {
  try {
    const { ReplicationConfiguration } = await source.send(new sdk.s3.GetBucketReplicationCommand({ Bucket: bucket }));
    const rule = ReplicationConfiguration?.Rules?.find((candidate) => candidate.Status === 'Enabled');
    const arn = rule?.Destination?.Bucket;
    if (!arn) throw new Error(`bucket ${bucket} has no enabled replication rule`);
    const destinationBucket = arn.replace(/^arn:aws:s3:::/, '');
    const head = await source
      .send(new sdk.s3.HeadBucketCommand({ Bucket: destinationBucket }))
      .catch((error: unknown) => {
        const region = (error as { $response?: { headers?: Record<string, string> } }).$response?.headers?.[
          'x-amz-bucket-region'
        ];
        if (region) return { BucketRegion: region };
        throw error;
      });
    const region = head.BucketRegion;
    if (!region) throw new Error(`S3 did not say which region bucket ${destinationBucket} is in`);
    return { region, bucket: destinationBucket, client: clientFor(region) };
  } catch (error) {
    throw new Error(`object ledger: the replication destination of ${bucket}: ${describeAwsError(error)}`);
  }
}

/** The writes, the lag sightings and the read back, journaled as they happen. */
class ObjectLedger {
  readonly prefix: string;
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private lagTimer: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private rows: Array<[number, number, number, boolean]> = [];
  private sightings: Array<[number, number]> = [];
  private readonly seen = new Set<number>();
  private listing = false;

  constructor(
    private readonly probe: ObjectsProbe,
    private readonly journal: Journal,
    runId: string,
    private readonly source: S3Client,
    private readonly destination: Destination,
    private readonly references: { connection: string | null; resolver: CachingResolver | null },
  ) {
    this.prefix = `gameday-objects/${runId}/${probe.name}/`;
  }

  private keyOf(seq: number): string {
    return `${this.prefix}${String(seq).padStart(9, '0')}`;
  }

  start(): void {
    const t0 = now();
    const intervalMs = 1000 / this.probe.rate;
    // Open model: write i is due at t0 + i / rate; a slow PUT never delays the next.
    const tick = () => {
      while (t0 + this.seq * intervalMs <= now()) {
        const seq = ++this.seq;
        this.put(seq, t0 + (seq - 1) * intervalMs);
      }
      this.timer = setTimeout(tick, Math.max(1, t0 + this.seq * intervalMs - now()));
    };
    tick();
    this.lagTimer = setInterval(() => void this.listReplicas(), this.probe.lagEvery);
    this.flushTimer = setInterval(() => this.flush(), flushEveryMs);
  }

  private put(seq: number, t: number): void {
    const body = JSON.stringify({ seq, t });
    const done = this.source
      .send(new sdk.s3.PutObjectCommand({ Bucket: this.probe.bucket, Key: this.keyOf(seq), Body: body }), {
        abortSignal: AbortSignal.timeout(this.probe.timeout),
      })
      .then(
        () => true,
        () => false,
      )
      .then((ok) => {
        this.rows.push([seq, Math.round(t * 10) / 10, Math.round((now() - t) * 10) / 10, ok]);
      });
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }

  private async listReplicas(): Promise<void> {
    if (this.listing) return;
    this.listing = true;
    try {
      const keys = await this.listDestination(this.probe.lagEvery * 4);
      const at = now();
      for (const key of keys) {
        const seq = Number(key.slice(this.prefix.length));
        if (Number.isInteger(seq) && !this.seen.has(seq)) {
          this.seen.add(seq);
          this.sightings.push([seq, Math.round(at * 10) / 10]);
        }
      }
    } catch {
      // The destination unreachable for a moment is lag too: the next listing sees what landed.
    } finally {
      this.listing = false;
    }
  }

  private async listDestination(timeoutMs: number, prefix = this.prefix): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.destination.client.send(
        new sdk.s3.ListObjectsV2Command({ Bucket: this.destination.bucket, Prefix: prefix, ContinuationToken: token }),
        { abortSignal: AbortSignal.timeout(timeoutMs) },
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  private flush(): void {
    if (this.rows.length > 0) {
      this.journal.append({ type: 'objects.samples', probe: this.probe.name, rows: this.rows });
      this.rows = [];
    }
    if (this.sightings.length > 0) {
      this.journal.append({ type: 'objects.replicas', probe: this.probe.name, rows: this.sightings });
      this.sightings = [];
    }
  }

  async finish(options: { readBack: boolean }): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    if (this.lagTimer) clearInterval(this.lagTimer);
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.timer = this.lagTimer = this.flushTimer = null;
    await Promise.all([...this.inFlight]);
    this.flush();
    if (!options.readBack) return;
    const deadline = now() + this.probe.readBackTimeout;
    let attempts = 0;
    let error = '';
    for (;;) {
      attempts++;
      try {
        const keys = await this.listDestination(this.probe.timeout);
        const seqs = keys.map((key) => Number(key.slice(this.prefix.length))).filter(Number.isInteger);
        this.journal.append({
          type: 'objects.readback',
          probe: this.probe.name,
          region: this.destination.region,
          bucket: this.destination.bucket,
          ok: true,
          seqs,
          attempts,
          references: await this.checkReferences(),
        });
        return;
      } catch (failure) {
        error = describeAwsError(failure);
      }
      if (now() > deadline) break;
      await sleep(500);
    }
    this.journal.append({
      type: 'objects.readback',
      probe: this.probe.name,
      region: this.destination.region,
      bucket: this.destination.bucket,
      ok: false,
      seqs: [],
      attempts,
      error,
      references: null,
    });
  }

  /** The keys the query names, checked against one listing of the destination bucket. */
  private async checkReferences(): Promise<EventOf<'objects.readback'>['references']> {
    const { connection, resolver } = this.references;
    const spec = this.probe.references;
    if (!connection || !spec) return null;
    let referenced: string[];
    try {
      const client = await postgresClient(connection, resolver, {
        timeoutMs: this.probe.timeout,
        applicationName: `gameday-objects-${this.probe.name}`,
      });
      await client.connect();
      try {
        const result = await client.query({ text: spec.query, rowMode: 'array' });
        referenced = (result.rows as unknown[][]).map((row) => String(row[0]));
      } finally {
        await client.end().catch(() => undefined);
      }
    } catch (error) {
      return { checked: 0, missing: [], error: `the reference query failed: ${(error as Error).message}` };
    }
    try {
      const present = new Set(await this.listDestination(this.probe.readBackTimeout, ''));
      return { checked: new Set(referenced).size, missing: danglingReferences(referenced, present) };
    } catch (error) {
      return { checked: 0, missing: [], error: `listing ${this.destination.bucket}: ${describeAwsError(error)}` };
    }
  }
}
