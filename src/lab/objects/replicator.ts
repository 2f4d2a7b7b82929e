import http from 'node:http';
import type { ObjectBucket, StoredObject } from './bucket';

/** Where replicas go from one region: the fault proxy on the link to each region, and which region holds a bucket. */
export interface ReplicationRoutes {
  linkTo(destinationRegion: string): { host: string; port: number } | undefined;
  regionOf(bucket: string): string | undefined;
}

/** The header a replica PUT carries so the receiving region stores it as a REPLICA and does not replicate it on. */
export const replicaHeader = 'x-gameday-lab-replica-of';

type Task = { op: 'put'; object: StoredObject } | { op: 'delete'; key: string };

/** One source bucket's stream of changes to one destination bucket, delivered in order. */
interface Queue {
  sourceBucket: string;
  destinationBucket: string;
  destinationRegion: string;
  tasks: Task[];
  pausedUntilMs: number;
  draining: boolean;
  timer: NodeJS.Timeout | null;
}

const attemptTimeoutMs = 2_000;
const retryDelayMs = 200;

/**
 * S3 Cross-Region Replication from one region, as S3 does it: asynchronous, per bucket
 * rule, one ordered queue per (source bucket, destination bucket). Each replica is an HTTP
 * PUT or DELETE to the destination region's S3 endpoint through the fault proxy on the
 * link between the two regions, so a latency toxic delays replication and a cut link holds
 * it (the queue retries until the link carries it again, as S3 keeps retrying). A pause
 * (FIS aws:s3:bucket-pause-replication) holds a queue until its end or until resumed.
 */
export class ObjectReplicator {
  private readonly queues = new Map<string, Queue>();
  private readonly pendingReplicas = new WeakMap<StoredObject, number>();
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  private closed = false;

  constructor(
    readonly region: string,
    private readonly routes: ReplicationRoutes,
  ) {}

  /** A new object version in `bucket`: queue it to every destination an enabled rule matching its key names. */
  objectPut(bucket: ObjectBucket, object: StoredObject): void {
    const destinations = this.destinationsFor(bucket, object.key, 'put');
    if (destinations.length === 0) return;
    object.replicationStatus = 'PENDING';
    this.pendingReplicas.set(object, destinations.length);
    for (const destination of destinations) this.enqueue(bucket.name, destination, { op: 'put', object });
  }

  objectDeleted(bucket: ObjectBucket, key: string): void {
    for (const destination of this.destinationsFor(bucket, key, 'delete'))
      this.enqueue(bucket.name, destination, { op: 'delete', key });
  }

  /** Holds replication from `sourceBucket` to buckets in `destinationRegion` until `untilMs` (epoch ms). */
  pause(sourceBucket: string, destinationRegion: string, untilMs: number): void {
    for (const queue of this.queuesOf(sourceBucket, destinationRegion)) {
      queue.pausedUntilMs = untilMs;
      this.schedule(queue);
    }
    this.pauses.set(`${sourceBucket} ${destinationRegion}`, untilMs);
  }

  resume(sourceBucket: string, destinationRegion: string): void {
    this.pauses.delete(`${sourceBucket} ${destinationRegion}`);
    for (const queue of this.queuesOf(sourceBucket, destinationRegion)) {
      queue.pausedUntilMs = 0;
      this.schedule(queue);
    }
  }

  /** Pauses in force, so a queue created during a pause starts paused. */
  private readonly pauses = new Map<string, number>();

  /** Changes queued and not yet delivered, per source bucket and destination region. */
  backlog(): Array<{
    sourceBucket: string;
    destinationBucket: string;
    destinationRegion: string;
    pending: number;
    pausedUntilMs: number | null;
  }> {
    return [...this.queues.values()].map((queue) => ({
      sourceBucket: queue.sourceBucket,
      destinationBucket: queue.destinationBucket,
      destinationRegion: queue.destinationRegion,
      pending: queue.tasks.length,
      pausedUntilMs: queue.pausedUntilMs > Date.now() ? queue.pausedUntilMs : null,
    }));
  }

  /** Drops every queued change and pause (the lab's reset). */
  clear(): void {
    for (const queue of this.queues.values()) if (queue.timer) clearTimeout(queue.timer);
    this.queues.clear();
    this.pauses.clear();
  }

  close(): void {
    this.closed = true;
    this.clear();
    this.agent.destroy();
  }

  private destinationsFor(
    bucket: ObjectBucket,
    key: string,
    op: 'put' | 'delete',
  ): Array<{ bucket: string; region: string }> {
    const best = new Map<string, number>();
    for (const rule of bucket.replication?.rules ?? []) {
      if (!rule.enabled || !key.startsWith(rule.prefix)) continue;
      if (op === 'delete' && !rule.deleteMarkerReplication) continue;
      const current = best.get(rule.destinationBucket);
      if (current === undefined || rule.priority > current) best.set(rule.destinationBucket, rule.priority);
    }
    return [...best.keys()].flatMap((name) => {
      const region = this.routes.regionOf(name);
      return region ? [{ bucket: name, region }] : [];
    });
  }

  private queuesOf(sourceBucket: string, destinationRegion: string): Queue[] {
    return [...this.queues.values()].filter(
      (queue) => queue.sourceBucket === sourceBucket && queue.destinationRegion === destinationRegion,
    );
  }

  private enqueue(sourceBucket: string, destination: { bucket: string; region: string }, task: Task): void {
    if (this.closed) return;
    const id = `${sourceBucket} ${destination.bucket}`;
    let queue = this.queues.get(id);
    if (!queue) {
      queue = {
        sourceBucket,
        destinationBucket: destination.bucket,
        destinationRegion: destination.region,
        tasks: [],
        pausedUntilMs: this.pauses.get(`${sourceBucket} ${destination.region}`) ?? 0,
        draining: false,
        timer: null,
      };
      this.queues.set(id, queue);
    }
    queue.tasks.push(task);
    this.schedule(queue);
  }

  private schedule(queue: Queue): void {
    if (queue.timer) clearTimeout(queue.timer);
    queue.timer = null;
    const waitMs = queue.pausedUntilMs - Date.now();
    if (waitMs > 0) {
      queue.timer = setTimeout(() => this.schedule(queue), waitMs);
      return;
    }
    if (!queue.draining) void this.drain(queue);
  }

  private async drain(queue: Queue): Promise<void> {
    queue.draining = true;
    try {
      while (!this.closed && queue.tasks.length > 0 && queue.pausedUntilMs <= Date.now()) {
        const task = queue.tasks[0];
        if (await this.deliver(queue, task)) {
          // A clear() during the delivery replaced the queue's tasks; only the one delivered leaves.
          if (queue.tasks[0] === task) queue.tasks.shift();
          if (task.op === 'put') this.delivered(task.object);
        } else {
          await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
        }
      }
    } finally {
      queue.draining = false;
    }
    if (
      !this.closed &&
      queue.tasks.length > 0 &&
      this.queues.get(`${queue.sourceBucket} ${queue.destinationBucket}`) === queue
    )
      this.schedule(queue);
  }

  private delivered(object: StoredObject): void {
    const left = (this.pendingReplicas.get(object) ?? 1) - 1;
    this.pendingReplicas.set(object, left);
    if (left <= 0) object.replicationStatus = 'COMPLETED';
  }

  /** One attempt; false when the link or the destination did not take it (retried). */
  private deliver(queue: Queue, task: Task): Promise<boolean> {
    const link = this.routes.linkTo(queue.destinationRegion);
    if (!link) return Promise.resolve(false);
    const key = task.op === 'put' ? task.object.key : task.key;
    const path = `/${queue.destinationBucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
    const headers: Record<string, string | number> = { [replicaHeader]: queue.sourceBucket };
    if (task.op === 'put') {
      headers['content-type'] = task.object.contentType;
      headers['content-length'] = task.object.body.length;
      for (const [name, value] of Object.entries(task.object.metadata)) headers[`x-amz-meta-${name}`] = value;
    }
    return new Promise((resolve) => {
      const request = http.request(
        {
          host: link.host,
          port: link.port,
          method: task.op === 'put' ? 'PUT' : 'DELETE',
          path,
          headers,
          agent: this.agent,
          timeout: attemptTimeoutMs,
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode !== undefined && response.statusCode < 300));
          response.on('error', () => resolve(false));
        },
      );
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', () => resolve(false));
      request.end(task.op === 'put' ? task.object.body : undefined);
    });
  }
}
