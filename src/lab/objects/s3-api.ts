import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ObjectBucket, storedObject, type StoredObject } from './bucket';
import {
  escapeXml,
  parseReplicationConfiguration,
  replicationConfigurationXml,
  s3Namespace,
} from './replication-config';
import { replicaHeader } from './replicator';
import { S3Error } from './s3-error';

/** What the S3 wire needs of a region's store. */
export interface S3Store {
  region: string;
  bucket(name: string): ObjectBucket | undefined;
  /** The region holding a bucket of that name, anywhere in the lab (names are global). */
  regionOf(name: string): string | undefined;
  objectPut(bucket: ObjectBucket, object: StoredObject): void;
  objectDeleted(bucket: ObjectBucket, key: string): void;
  now(): number;
}

/**
 * The S3 REST API subset the lab serves, path-style (`/bucket/key`), with S3's XML shapes
 * and error bodies (S3 API reference): PutObject, GetObject, HeadObject, DeleteObject,
 * ListObjectsV2, Get/PutBucketReplication and HeadBucket. Any signature is accepted, as
 * everywhere in the lab. A bucket in another region answers 301 PermanentRedirect with
 * x-amz-bucket-region, as S3 does for a request sent to the wrong region.
 */
export async function serveS3(
  store: S3Store,
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
): Promise<void> {
  const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
  const url = new URL(request.url ?? '/', 'http://lab');
  const [bucketName, ...keyParts] = url.pathname.slice(1).split('/');
  const key = keyParts.map(decodeURIComponent).join('/');
  const method = request.method ?? 'GET';
  try {
    if (!bucketName)
      throw new S3Error(
        'NotImplemented',
        'the lab serves path-style bucket requests only (/bucket/key); ListBuckets is not served',
      );
    const bucket = store.bucket(bucketName);
    if (!bucket) {
      const elsewhere = store.regionOf(bucketName);
      if (elsewhere)
        throw new S3Error(
          'PermanentRedirect',
          `bucket ${bucketName} is in ${elsewhere}, not ${store.region}; send the request to ${elsewhere}`,
          {
            BucketName: bucketName,
            Region: elsewhere,
          },
        );
      throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucketName });
    }
    const query = url.searchParams;
    if (!key) return serveBucket(store, bucket, method, query, body, response, requestId);
    switch (method) {
      case 'PUT':
        return putObject(store, bucket, key, request, body, response, requestId);
      case 'GET':
      case 'HEAD':
        return getObject(bucket, key, method === 'HEAD', response, requestId);
      case 'DELETE':
        if (bucket.objects.delete(key) && request.headers[replicaHeader] === undefined)
          store.objectDeleted(bucket, key);
        response.writeHead(204, { 'x-amz-request-id': requestId });
        response.end();
        return;
    }
    throw new S3Error('MethodNotAllowed', `${method} is not allowed on an object`);
  } catch (error) {
    const s3Error =
      error instanceof S3Error
        ? error
        : new S3Error('InternalError', `the lab failed to serve the request: ${(error as Error).message}`);
    const headers: Record<string, string> = { 'x-amz-request-id': requestId, 'content-type': 'application/xml' };
    if (s3Error.extra.Region) headers['x-amz-bucket-region'] = s3Error.extra.Region;
    if (method === 'HEAD') {
      response.writeHead(s3Error.status, headers);
      response.end();
      return;
    }
    const extra = Object.entries({ ...s3Error.extra, ...(key && s3Error.code === 'NoSuchKey' ? { Key: key } : {}) })
      .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
      .join('');
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${s3Error.code}</Code>` +
      `<Message>${escapeXml(s3Error.message)}</Message>${extra}<RequestId>${requestId}</RequestId></Error>`;
    response.writeHead(s3Error.status, { ...headers, 'content-length': Buffer.byteLength(xml) });
    response.end(xml);
  }
}

function serveBucket(
  store: S3Store,
  bucket: ObjectBucket,
  method: string,
  query: URLSearchParams,
  body: Buffer,
  response: ServerResponse,
  requestId: string,
): void {
  if (query.has('replication')) {
    if (method === 'PUT') {
      const configuration = parseReplicationConfiguration(body.toString('utf8'));
      for (const rule of configuration.rules) {
        if (!store.regionOf(rule.destinationBucket))
          throw new S3Error(
            'InvalidRequest',
            `Destination bucket must exist: ${rule.destinationBucket} (rule ${rule.id})`,
          );
      }
      bucket.replication = configuration;
      response.writeHead(200, { 'x-amz-request-id': requestId, 'content-length': 0 });
      response.end();
      return;
    }
    if (method === 'GET') {
      if (!bucket.replication)
        throw new S3Error('ReplicationConfigurationNotFoundError', 'The replication configuration was not found', {
          BucketName: bucket.name,
        });
      return sendXml(response, replicationConfigurationXml(bucket.replication), requestId);
    }
    throw new S3Error('MethodNotAllowed', `${method} is not allowed on ?replication (GET or PUT)`);
  }
  if (method === 'HEAD') {
    response.writeHead(200, { 'x-amz-request-id': requestId, 'x-amz-bucket-region': bucket.region });
    response.end();
    return;
  }
  if (method === 'GET' && query.get('list-type') === '2')
    return sendXml(response, listObjectsV2(bucket, query), requestId);
  const asked = [...query.keys()].join(', ') || '(no subresource)';
  throw new S3Error(
    'NotImplemented',
    `${method} /${bucket.name}?${asked}: the lab serves ListObjectsV2 (list-type=2) and ?replication on buckets`,
  );
}

function putObject(
  store: S3Store,
  bucket: ObjectBucket,
  key: string,
  request: IncomingMessage,
  body: Buffer,
  response: ServerResponse,
  requestId: string,
): void {
  if (Buffer.byteLength(key) > 1024)
    throw new S3Error('InvalidArgument', 'an object key is at most 1024 bytes of UTF-8');
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers))
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name.slice('x-amz-meta-'.length)] = value;
  const contentType = typeof request.headers['content-type'] === 'string' ? request.headers['content-type'] : undefined;
  const object = storedObject(key, decodeAwsChunked(request, body), {
    contentType,
    metadata,
    lastModifiedMs: store.now(),
  });
  const replicaOf = request.headers[replicaHeader];
  if (replicaOf !== undefined) object.replicationStatus = 'REPLICA';
  bucket.objects.set(key, object);
  if (replicaOf === undefined) store.objectPut(bucket, object);
  response.writeHead(200, { 'x-amz-request-id': requestId, etag: object.etag, 'content-length': 0 });
  response.end();
}

function getObject(
  bucket: ObjectBucket,
  key: string,
  headOnly: boolean,
  response: ServerResponse,
  requestId: string,
): void {
  const object = bucket.objects.get(key);
  if (!object) throw new S3Error('NoSuchKey', 'The specified key does not exist.');
  const headers: Record<string, string | number> = {
    'x-amz-request-id': requestId,
    etag: object.etag,
    'last-modified': new Date(object.lastModifiedMs).toUTCString(),
    'content-type': object.contentType,
    'content-length': object.body.length,
    'accept-ranges': 'bytes',
  };
  if (object.replicationStatus) headers['x-amz-replication-status'] = object.replicationStatus;
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
  response.writeHead(200, headers);
  response.end(headOnly ? undefined : object.body);
}

function listObjectsV2(bucket: ObjectBucket, query: URLSearchParams): string {
  if (query.get('delimiter'))
    throw new S3Error('NotImplemented', 'the lab lists without a delimiter (no CommonPrefixes)');
  const prefix = query.get('prefix') ?? '';
  const maxKeysText = query.get('max-keys') ?? '1000';
  const maxKeys = Number(maxKeysText);
  if (!/^\d+$/.test(maxKeysText))
    throw new S3Error('InvalidArgument', `max-keys must be a whole number ≥ 0, got ${maxKeysText}`);
  const token = query.get('continuation-token');
  const startAfter = query.get('start-after') ?? '';
  const after = token ? Buffer.from(token, 'base64url').toString('utf8') : startAfter;
  const urlEncoded = query.get('encoding-type') === 'url';
  const encode = (text: string) => escapeXml(urlEncoded ? encodeURIComponent(text).replace(/%2F/g, '/') : text);
  const keys = bucket
    .sortedKeys()
    .filter((key) => key.startsWith(prefix) && (!after || Buffer.compare(Buffer.from(key), Buffer.from(after)) > 0));
  const page = keys.slice(0, Math.min(maxKeys, 1000));
  const truncated = keys.length > page.length;
  const contents = page
    .map((key) => {
      const object = bucket.objects.get(key)!;
      return (
        `<Contents><Key>${encode(key)}</Key>` +
        `<LastModified>${new Date(object.lastModifiedMs).toISOString()}</LastModified>` +
        `<ETag>${escapeXml(object.etag)}</ETag><Size>${object.body.length}</Size>` +
        `<StorageClass>STANDARD</StorageClass></Contents>`
      );
    })
    .join('');
  const element = (name: string, value: string | number | undefined | null) =>
    value === undefined || value === null
      ? ''
      : `<${name}>${typeof value === 'string' ? value : String(value)}</${name}>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="${s3Namespace}">` +
    element('Name', escapeXml(bucket.name)) +
    element('Prefix', encode(prefix)) +
    element('KeyCount', page.length) +
    element('MaxKeys', maxKeys) +
    element('IsTruncated', String(truncated)) +
    contents +
    element('ContinuationToken', token ? escapeXml(token) : null) +
    element('NextContinuationToken', truncated ? Buffer.from(page.at(-1)!).toString('base64url') : null) +
    element('StartAfter', startAfter ? encode(startAfter) : null) +
    element('EncodingType', urlEncoded ? 'url' : null) +
    `</ListBucketResult>`
  );
}

/**
 * A body the SDK streamed with `content-encoding: aws-chunked` (size;chunk-signature=…\r\n
 * data\r\n … 0\r\n trailers): the payload is the chunks' data, in order.
 */
function decodeAwsChunked(request: IncomingMessage, body: Buffer): Buffer {
  const encoding = request.headers['content-encoding'];
  if (typeof encoding !== 'string' || !encoding.split(',').some((part) => part.trim() === 'aws-chunked')) return body;
  const chunks: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd < 0) throw new S3Error('InvalidRequest', 'an aws-chunked body ended inside a chunk header');
    const size = parseInt(body.subarray(offset, lineEnd).toString('latin1').split(';')[0], 16);
    if (!Number.isFinite(size))
      throw new S3Error('InvalidRequest', 'an aws-chunked chunk header has no hexadecimal size');
    if (size === 0) return Buffer.concat(chunks);
    chunks.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
}

function sendXml(response: ServerResponse, xml: string, requestId: string): void {
  response.writeHead(200, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(xml),
    'x-amz-request-id': requestId,
  });
  response.end(xml);
}
