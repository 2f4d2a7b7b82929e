import { createHash } from 'node:crypto';
import { bucketArn } from './arn';
import type { ReplicationConfiguration } from './replication-config';

/** S3's x-amz-replication-status: on a source object until its replica lands, and on the replica itself. */
export type ReplicationStatus = 'PENDING' | 'COMPLETED' | 'FAILED' | 'REPLICA';

export interface StoredObject {
  key: string;
  body: Buffer;
  /** Quoted MD5 of the body, as S3 gives for a single-part upload. */
  etag: string;
  lastModifiedMs: number;
  contentType: string;
  metadata: Record<string, string>;
  replicationStatus: ReplicationStatus | null;
}

export function storedObject(
  key: string,
  body: Buffer,
  options: { contentType?: string; metadata?: Record<string, string>; lastModifiedMs: number },
): StoredObject {
  return {
    key,
    body,
    etag: `"${createHash('md5').update(body).digest('hex')}"`,
    lastModifiedMs: options.lastModifiedMs,
    contentType: options.contentType ?? 'binary/octet-stream',
    metadata: options.metadata ?? {},
    replicationStatus: null,
  };
}

/** One bucket in one region: its objects by key and its replication rules (S3 bucket names are global). */
export class ObjectBucket {
  readonly objects = new Map<string, StoredObject>();
  replication: ReplicationConfiguration | null = null;

  constructor(
    readonly name: string,
    readonly region: string,
  ) {}

  get arn(): string {
    return bucketArn(this.name);
  }

  /** Keys in UTF-8 binary order, as ListObjectsV2 returns them. */
  sortedKeys(): string[] {
    return [...this.objects.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }
}
