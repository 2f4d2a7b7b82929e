// The lab's S3 subset, driven by the official @aws-sdk/client-s3 exactly as gameday and a
// user's code drive real S3 (path-style, the lab's endpoint), and its Cross-Region
// Replication over the lab's fault proxies: replicas arrive asynchronously, a latency toxic
// on the link delays them, a cut link holds them until it carries again, a pause holds them
// until its end. One lab serves the file.
import {
  DeleteObjectCommand,
  GetBucketReplicationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  NotFound,
  PutBucketReplicationCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AwsClients } from '../../src/aws/clients';
import { revertRecord } from '../../src/faults/revert';
import { objectReplicationPauseFault } from '../../src/faults/object-replication-pause';
import { labAwsServices } from '../../src/lab/aws/services';
import type { TargetSession } from '../../src/targets/session';
import { labAwsModel } from '../../src/targets/lab';
import { labBucketFor, objectLinkName } from '../../src/lab/topology';
import { startTestLab } from '../support/lab';

const US = 'us-east-1';
const EU = 'eu-west-1';
const usBucket = labBucketFor(US);
const euBucket = labBucketFor(EU);

let env: Awaited<ReturnType<typeof startTestLab>>;
const clients = new Map<string, S3Client>();

function s3(region: string): S3Client {
  let client = clients.get(region);
  if (!client) {
    client = new S3Client({
      region,
      endpoint: env.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'lab', secretAccessKey: 'lab' },
      maxAttempts: 1,
    });
    clients.set(region, client);
  }
  return client;
}

/** The object in `region`'s bucket, or null when it is not there (yet). */
async function read(region: string, key: string): Promise<{ body: string; status?: string } | null> {
  try {
    const object = await s3(region).send(new GetObjectCommand({ Bucket: labBucketFor(region), Key: key }));
    return { body: await object.Body!.transformToString(), status: object.ReplicationStatus };
  } catch (error) {
    if (error instanceof NoSuchKey) return null;
    throw error;
  }
}

/** Polls until the replica is in `region`; returns how long that took from `sinceMs`. */
async function replicaArrives(region: string, key: string, sinceMs: number, limitMs = 10_000): Promise<number> {
  for (;;) {
    if (await read(region, key)) return Date.now() - sinceMs;
    if (Date.now() - sinceMs > limitMs) throw new Error(`${key} did not reach ${region} within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test.before(async () => {
  env = await startTestLab({ awsServices: labAwsServices, regions: [US, EU] });
});

test.after(async () => {
  for (const client of clients.values()) client.destroy();
  await env?.close();
});

test('PutObject, GetObject, HeadObject, DeleteObject: body, ETag, metadata and content type round-trip', async () => {
  const put = await s3(US).send(
    new PutObjectCommand({
      Bucket: usBucket,
      Key: 'receipts/order 1.json',
      Body: '{"order":1}',
      ContentType: 'application/json',
      Metadata: { order: '1' },
    }),
  );
  assert.is(put.ETag, `"${createHash('md5').update('{"order":1}').digest('hex')}"`);
  const got = await s3(US).send(new GetObjectCommand({ Bucket: usBucket, Key: 'receipts/order 1.json' }));
  assert.is(await got.Body!.transformToString(), '{"order":1}');
  assert.is(got.ContentType, 'application/json');
  assert.equal(got.Metadata, { order: '1' });
  assert.is(got.ETag, put.ETag);
  assert.is(got.ContentLength, 11);
  const head = await s3(US).send(new HeadObjectCommand({ Bucket: usBucket, Key: 'receipts/order 1.json' }));
  assert.is(head.ETag, put.ETag);
  assert.ok(head.LastModified instanceof Date && Math.abs(head.LastModified.getTime() - Date.now()) < 60_000);
  await s3(US).send(new DeleteObjectCommand({ Bucket: usBucket, Key: 'receipts/order 1.json' }));
  const missing = await s3(US)
    .send(new GetObjectCommand({ Bucket: usBucket, Key: 'receipts/order 1.json' }))
    .catch((error: unknown) => error);
  assert.instance(missing, NoSuchKey);
  const headMissing = await s3(US)
    .send(new HeadObjectCommand({ Bucket: usBucket, Key: 'receipts/order 1.json' }))
    .catch((error: unknown) => error);
  assert.instance(headMissing, NotFound);
});

test('ListObjectsV2: keys in order under a prefix, pages through continuation tokens', async () => {
  for (const key of ['list/c', 'list/a', 'list/b', 'other/x'])
    await s3(US).send(new PutObjectCommand({ Bucket: usBucket, Key: key, Body: key }));
  const first = await s3(US).send(new ListObjectsV2Command({ Bucket: usBucket, Prefix: 'list/', MaxKeys: 2 }));
  assert.equal(
    first.Contents?.map((object) => object.Key),
    ['list/a', 'list/b'],
  );
  assert.is(first.IsTruncated, true);
  assert.is(first.KeyCount, 2);
  assert.is(first.Contents?.[0].Size, 6);
  const second = await s3(US).send(
    new ListObjectsV2Command({ Bucket: usBucket, Prefix: 'list/', ContinuationToken: first.NextContinuationToken }),
  );
  assert.equal(
    second.Contents?.map((object) => object.Key),
    ['list/c'],
  );
  assert.is(second.IsTruncated, false);
  const none = await s3(US).send(new ListObjectsV2Command({ Bucket: usBucket, Prefix: 'nothing/' }));
  assert.is(none.KeyCount, 0);
  assert.is(none.Contents, undefined);
});

test('errors: an unknown bucket is NoSuchBucket; a bucket asked of the wrong region is PermanentRedirect', async () => {
  const unknown = await s3(US)
    .send(new GetObjectCommand({ Bucket: 'no-such-bucket-here', Key: 'k' }))
    .catch((error: unknown) => error);
  assert.instance(unknown, NoSuchBucket);
  const wrongRegion = await s3(US)
    .send(new GetObjectCommand({ Bucket: euBucket, Key: 'k' }))
    .catch((error: unknown) => error);
  assert.instance(wrongRegion, S3ServiceException);
  assert.is((wrongRegion as S3ServiceException).name, 'PermanentRedirect');
  assert.is((wrongRegion as S3ServiceException).$metadata.httpStatusCode, 301);
});

test('Get/PutBucketReplication: each bucket replicates to the other region; a rule put is read back', async () => {
  const initial = await s3(US).send(new GetBucketReplicationCommand({ Bucket: usBucket }));
  assert.equal(
    initial.ReplicationConfiguration?.Rules?.map((rule) => [rule.ID, rule.Status, rule.Destination?.Bucket]),
    [[`to-${EU}`, 'Enabled', `arn:aws:s3:::${euBucket}`]],
  );
  const role = initial.ReplicationConfiguration!.Role!;
  await s3(US).send(
    new PutBucketReplicationCommand({
      Bucket: usBucket,
      ReplicationConfiguration: {
        Role: role,
        Rules: [
          {
            ID: 'only-receipts',
            Priority: 1,
            Status: 'Enabled',
            Filter: { Prefix: 'receipts/' },
            Destination: { Bucket: `arn:aws:s3:::${euBucket}` },
            DeleteMarkerReplication: { Status: 'Disabled' },
          },
        ],
      },
    }),
  );
  const changed = await s3(US).send(new GetBucketReplicationCommand({ Bucket: usBucket }));
  assert.equal(changed.ReplicationConfiguration?.Rules?.[0].Filter, { Prefix: 'receipts/' });
  const started = Date.now();
  await s3(US).send(new PutObjectCommand({ Bucket: usBucket, Key: 'scratch/1', Body: 'not replicated' }));
  await s3(US).send(new PutObjectCommand({ Bucket: usBucket, Key: 'receipts/1', Body: 'replicated' }));
  await replicaArrives(EU, 'receipts/1', started);
  assert.is(await read(EU, 'scratch/1'), null, 'a key outside the rule prefix does not replicate');
  const bad = await s3(US)
    .send(
      new PutBucketReplicationCommand({
        Bucket: usBucket,
        ReplicationConfiguration: {
          Role: role,
          Rules: [{ ID: 'r', Status: 'Enabled', Destination: { Bucket: 'arn:aws:s3:::does-not-exist' } }],
        },
      }),
    )
    .catch((error: unknown) => error);
  assert.is((bad as S3ServiceException).name, 'InvalidRequest');
  await s3(US).send(
    new PutBucketReplicationCommand({ Bucket: usBucket, ReplicationConfiguration: initial.ReplicationConfiguration }),
  );
});

test('replication is asynchronous: the source PENDING then COMPLETED, the replica REPLICA, both ways', async () => {
  const started = Date.now();
  await s3(US).send(new PutObjectCommand({ Bucket: usBucket, Key: 'both/us', Body: 'from us' }));
  await s3(EU).send(new PutObjectCommand({ Bucket: euBucket, Key: 'both/eu', Body: 'from eu' }));
  await replicaArrives(EU, 'both/us', started);
  await replicaArrives(US, 'both/eu', started);
  assert.equal(await read(EU, 'both/us'), { body: 'from us', status: 'REPLICA' });
  assert.equal(await read(US, 'both/us'), { body: 'from us', status: 'COMPLETED' });
  await s3(US).send(new DeleteObjectCommand({ Bucket: usBucket, Key: 'both/us' }));
  for (let i = 0; (await read(EU, 'both/us')) && i < 500; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.is(await read(EU, 'both/us'), null, 'the delete replicated (DeleteMarkerReplication Enabled)');
});

test('the link between the regions carries replication: latency delays it, a cut holds it until restored', async () => {
  const link = env.lab.proxies.get(objectLinkName(US, EU))!;
  const baseline = await (async () => {
    const started = Date.now();
    await s3(US).send(new PutObjectCommand({ Bucket: usBucket, Key: 'link/baseline', Body: 'x' }));
    return replicaArrives(EU, 'link/baseline', started);
  })();
  link.addToxic({ name: 'slow', type: 'latency', stream: 'upstream', attributes: { latency: 600 } });
  try {
    const started = Date.now();
    await s3(US).send(new PutObjectCommand({ Bucket: usBucket, Key: 'link/slow', Body: 'x' }));
    const lag = await replicaArrives(EU, 'link/slow', started);
    assert.ok(lag >= 600, `replication lag ${lag} ms with 600 ms on the link (baseline ${baseline} ms)`);
  } finally {
    link.removeToxic('slow');
  }
  await link.setEnabled(false);
  const cutAt = Date.now();
  await s3(US).send(new PutObjectCommand({ Bucket: usBucket, Key: 'link/cut', Body: 'x' }));
  await new Promise((resolve) => setTimeout(resolve, 700));
  assert.is(await read(EU, 'link/cut'), null, 'held while the link is cut');
  assert.is((await read(US, 'link/cut'))?.status, 'PENDING');
  await link.setEnabled(true);
  const lag = await replicaArrives(EU, 'link/cut', cutAt);
  assert.ok(lag >= 700, `delivered ${lag} ms after the put, once the link carried again`);
  assert.is((await read(US, 'link/cut'))?.status, 'COMPLETED');
});

test('a pause holds replication to the destination region until it ends; resume releases it sooner', async () => {
  const pausedAt = Date.now();
  env.lab.objects.pauseReplication(usBucket, EU, pausedAt + 800);
  await s3(US).send(new PutObjectCommand({ Bucket: usBucket, Key: 'pause/timed', Body: 'x' }));
  const lag = await replicaArrives(EU, 'pause/timed', pausedAt);
  assert.ok(lag >= 800, `delivered ${lag} ms into an 800 ms pause's end`);
  env.lab.objects.pauseReplication(usBucket, EU, Date.now() + 60_000);
  await s3(US).send(new PutObjectCommand({ Bucket: usBucket, Key: 'pause/resumed', Body: 'x' }));
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.is(await read(EU, 'pause/resumed'), null);
  const resumedAt = Date.now();
  env.lab.objects.resumeReplication(usBucket, EU);
  const afterResume = await replicaArrives(EU, 'pause/resumed', resumedAt);
  assert.ok(afterResume < 5_000, `delivered ${afterResume} ms after the resume`);
});

test("the app stores a receipt per order in its region's bucket and keeps the key in the order row", async () => {
  const usApp = `http://${env.lab.layout.regions[0].address}:${env.lab.layout.ports.app}`;
  const created = await fetch(`${usApp}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ item: 'moka-pot', quantity: 2, customer: 'ada' }),
  });
  assert.is(created.status, 201);
  const order = (await created.json()) as { id: number; receiptKey: string };
  assert.match(order.receiptKey, /^receipts\/[0-9a-f-]{36}\.json$/);
  const [row] = await env.lab
    .region(US)
    .pg.query<{ receipt_key: string }>('SELECT receipt_key FROM orders WHERE id = $1', [order.id]);
  assert.is(row.receipt_key, order.receiptKey);
  const stored = await read(US, order.receiptKey);
  assert.equal(JSON.parse(stored!.body), { ...JSON.parse(stored!.body), item: 'moka-pot', quantity: 2, region: US });
  await replicaArrives(EU, order.receiptKey, Date.now());
  const receipt = await fetch(`${usApp}/orders/${order.id}/receipt`);
  assert.is(receipt.status, 200);
  assert.is(((await receipt.json()) as { item: string }).item, 'moka-pot');
  await s3(US).send(new DeleteObjectCommand({ Bucket: usBucket, Key: order.receiptKey }));
  const broken = await fetch(`${usApp}/orders/${order.id}/receipt`);
  assert.is(broken.status, 404);
  assert.is(((await broken.json()) as { error: string }).error, 'receipt_missing');
});

test('objectReplicationPause through the lab FIS: replication held, rolled back as recover does', async () => {
  const clients = new AwsClients({ endpoint: env.endpoint, labCredentials: true });
  const target = { aws: { model: labAwsModel([US, EU], US, env.endpoint), clients } } as unknown as TargetSession;
  const fault = objectReplicationPauseFault.schema.parse({ kind: 'objectReplicationPause', region: US });
  try {
    const prepared = await objectReplicationPauseFault.via.aws.prepare(
      { ...fault, name: 'pause-us' },
      { target, runId: 'objects-test', aws: target.aws!.model, heldForMs: () => 60_000 },
    );
    assert.is(prepared.rollback.kind, 'fis');
    const injected = await prepared.inject();
    assert.equal((injected as { actions: string[] }).actions, ['aws:s3:bucket-pause-replication']);
    const writtenAt = Date.now();
    await s3(US).send(new PutObjectCommand({ Bucket: usBucket, Key: 'fault/held', Body: 'x' }));
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.is(await read(EU, 'fault/held'), null, 'held while the experiment runs');
    assert.is((await read(US, 'fault/held'))?.status, 'PENDING');
    // The rollback record is what `gameday recover` reverts from a killed run's journal.
    await revertRecord(prepared.rollback);
    const lag = await replicaArrives(EU, 'fault/held', writtenAt);
    assert.ok(lag >= 700, `replicated ${lag} ms after the write, once the experiment stopped`);
    assert.is((await read(US, 'fault/held'))?.status, 'COMPLETED');
    await revertRecord(prepared.rollback);
  } finally {
    clients.destroy();
  }
});

test.run();
