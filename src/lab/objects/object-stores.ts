import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ObjectBucket, type StoredObject } from './bucket';
import type { ReplicationConfiguration } from './replication-config';
import { ObjectReplicator } from './replicator';
import { serveS3, type S3Store } from './s3-api';

export interface ObjectRegionLayout {
  name: string;
  /** The region's own S3 endpoint (path-style), where replicas from other regions arrive. */
  endpoint: { host: string; port: number };
}

/** One region's buckets, its replication out of them, and its S3 endpoint. */
class RegionObjects implements S3Store {
  readonly buckets = new Map<string, ObjectBucket>();
  readonly replicator: ObjectReplicator;
  server: http.Server | null = null;

  constructor(
    readonly region: string,
    private readonly all: LabObjectStores,
    linkTo: (destinationRegion: string) => { host: string; port: number } | undefined,
  ) {
    this.replicator = new ObjectReplicator(region, { linkTo, regionOf: (name) => all.regionOf(name) });
  }

  bucket(name: string): ObjectBucket | undefined {
    return this.buckets.get(name);
  }

  regionOf(name: string): string | undefined {
    return this.all.regionOf(name);
  }

  objectPut(bucket: ObjectBucket, object: StoredObject): void {
    this.replicator.objectPut(bucket, object);
  }

  objectDeleted(bucket: ObjectBucket, key: string): void {
    this.replicator.objectDeleted(bucket, key);
  }

  now(): number {
    return Date.now();
  }

  handle(request: IncomingMessage, response: ServerResponse, body: Buffer): Promise<void> {
    return serveS3(this, request, response, body);
  }
}

/**
 * The lab's object storage: per region an S3-compatible store with its own endpoint on the
 * region's address, buckets named per region, and S3 Cross-Region Replication between
 * them over the lab's fault proxies (`linkTo` says which proxy carries a region's replicas
 * to another). Objects live in the lab process's memory: a lab is a drill's world, not a
 * place to keep data.
 */
export class LabObjectStores {
  private readonly regions = new Map<string, RegionObjects>();

  constructor(
    private readonly linkBetween: (source: string, destination: string) => { host: string; port: number } | undefined,
  ) {}

  /** Starts a region's endpoint (once; a reset keeps it) and creates its buckets empty. */
  async addRegion(layout: ObjectRegionLayout, buckets: string[]): Promise<void> {
    let region = this.regions.get(layout.name);
    if (!region) {
      region = new RegionObjects(layout.name, this, (destination) => this.linkBetween(layout.name, destination));
      this.regions.set(layout.name, region);
      const owner = region;
      const server = http.createServer((request, response) => {
        readAll(request).then(
          (body) => owner.handle(request, response, body),
          () => response.destroy(),
        );
      });
      server.keepAliveTimeout = 5_000;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(layout.endpoint.port, layout.endpoint.host, () => resolve());
      });
      region.server = server;
    }
    region.replicator.clear();
    region.buckets.clear();
    for (const name of buckets) region.buckets.set(name, new ObjectBucket(name, layout.name));
  }

  region(name: string): RegionObjects | undefined {
    return this.regions.get(name);
  }

  regionNames(): string[] {
    return [...this.regions.keys()];
  }

  regionOf(bucket: string): string | undefined {
    for (const region of this.regions.values()) if (region.buckets.has(bucket)) return region.region;
    return undefined;
  }

  setReplication(bucket: string, configuration: ReplicationConfiguration): void {
    const region = this.regionOf(bucket);
    this.regions.get(region!)!.buckets.get(bucket)!.replication = configuration;
  }

  /** Pauses replication out of `bucket` to `destinationRegion` (FIS aws:s3:bucket-pause-replication). */
  pauseReplication(bucket: string, destinationRegion: string, untilMs: number): void {
    this.replicatorOf(bucket).pause(bucket, destinationRegion, untilMs);
  }

  resumeReplication(bucket: string, destinationRegion: string): void {
    this.replicatorOf(bucket).resume(bucket, destinationRegion);
  }

  status(): Array<{
    region: string;
    buckets: Array<{ name: string; objects: number }>;
    backlog: ReturnType<ObjectReplicator['backlog']>;
  }> {
    return [...this.regions.values()].map((region) => ({
      region: region.region,
      buckets: [...region.buckets.values()].map((bucket) => ({ name: bucket.name, objects: bucket.objects.size })),
      backlog: region.replicator.backlog(),
    }));
  }

  async close(): Promise<void> {
    for (const region of this.regions.values()) {
      region.replicator.close();
      const server = region.server;
      if (server)
        await new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        });
    }
    this.regions.clear();
  }

  private replicatorOf(bucket: string): ObjectReplicator {
    const region = this.regionOf(bucket);
    if (!region) throw new Error(`no bucket ${bucket} in the lab`);
    return this.regions.get(region)!.replicator;
  }
}

function readAll(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
