/** Configuration of one region's app process, and its validation. */

export interface AppDbConfig {
  host: string;
  port: number;
  user: string;
  database: string;
}

/** Find the writer by DNS, as clients of a failover record would (TTL honoured). */
export interface AppWriterByDns {
  name: string;
  port: number;
  /** `host:port` of the DNS server to ask; the system resolver when omitted. */
  dnsServer?: string;
}

/** A fixed writer address, for topologies without DNS failover. */
export interface AppWriterFixed {
  host: string;
  port: number;
}

export type AppWriterConfig = AppWriterByDns | AppWriterFixed;

export interface AppTimeouts {
  /** Opening a database connection; a dead or blackholed server fails this fast. */
  connectMs: number;
  /** One statement, enforced by the server (statement_timeout) and by the client. */
  statementMs: number;
  /** Ceiling for a DNS query of the writer name. */
  dnsMs: number;
}

/** The region's bucket, where each order's receipt object is stored. */
export interface AppObjectsConfig {
  /** `host:port` of the region's S3 endpoint (path-style). */
  endpoint: string;
  bucket: string;
}

/**
 * A region's fleet as worker processes of a known capacity (app/cluster.ts): how many run
 * at start, standing by (scaled down) and serving (scaled up), and how many requests a
 * second each one serves before it sheds load (503 over_capacity). Without it the app is
 * one process, unlimited.
 */
export interface AppCapacity {
  workers: number;
  minWorkers: number;
  maxWorkers: number;
  rpsPerWorker: number;
}

export interface AppConfig {
  region: string;
  host: string;
  port: number;
  /** This region's database (primary or replica): health and reads. */
  localDb: AppDbConfig;
  /** Where writes go. Writer connections use localDb's user and database. */
  writer: AppWriterConfig;
  /** Without it, orders carry no receipt object (receiptKey null). */
  objects?: AppObjectsConfig;
  timeouts: AppTimeouts;
  capacity?: AppCapacity;
  /**
   * A durable local queue (write-queue.ts) for the writes that cannot reach the writer: acknowledged once on disk,
   * replayed in order once a writer takes them. None: such a write fails.
   */
  writeQueue?: { file: string };
}

/** What callers write: timeouts optional. */
export type AppConfigInput = Omit<AppConfig, 'timeouts'> & { timeouts?: Partial<AppTimeouts> };

export const defaultAppTimeouts: AppTimeouts = { connectMs: 1_500, statementMs: 2_000, dnsMs: 1_000 };

export function isWriterByDns(writer: AppWriterConfig): writer is AppWriterByDns {
  return 'name' in writer;
}

export class AppConfigError extends Error {
  override readonly name = 'AppConfigError';
  constructor(
    readonly source: string,
    readonly field: string,
    problem: string,
  ) {
    super(`${source}: ${field} ${problem}`);
  }
}

/** Validate untrusted input (JSON from argv or env) into an AppConfig, naming the bad field. */
export function parseAppConfig(input: unknown, source: string): AppConfig {
  const fail = (field: string, problem: string): never => {
    throw new AppConfigError(source, field, problem);
  };
  const root = objectAt(input, 'config', fail);
  const localDb = objectAt(root.localDb, 'localDb', fail);
  const writer = objectAt(root.writer, 'writer', fail);
  const timeouts = root.timeouts === undefined ? {} : objectAt(root.timeouts, 'timeouts', fail);
  const objects = root.objects === undefined ? undefined : objectAt(root.objects, 'objects', fail);

  let parsedWriter: AppWriterConfig;
  if ('name' in writer) {
    parsedWriter = {
      name: stringAt(writer.name, 'writer.name', fail),
      port: portAt(writer.port, 'writer.port', fail),
      ...(writer.dnsServer === undefined ? {} : { dnsServer: hostPortAt(writer.dnsServer, 'writer.dnsServer', fail) }),
    };
  } else if ('host' in writer) {
    parsedWriter = { host: stringAt(writer.host, 'writer.host', fail), port: portAt(writer.port, 'writer.port', fail) };
  } else {
    return fail('writer', 'must be { name, port, dnsServer? } (DNS) or { host, port } (fixed)');
  }

  const timeout = (field: keyof AppTimeouts): number => {
    const value = timeouts[field];
    if (value === undefined) return defaultAppTimeouts[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      return fail(`timeouts.${field}`, 'must be a positive number of milliseconds');
    return value;
  };

  let capacity: AppCapacity | undefined;
  if (root.capacity !== undefined) {
    const fields = objectAt(root.capacity, 'capacity', fail);
    const whole = (field: keyof AppCapacity, max: number): number => {
      const value = fields[field];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max)
        return fail(`capacity.${field}`, `must be an integer 1..${max}`);
      return value;
    };
    capacity = {
      workers: whole('workers', 16),
      minWorkers: whole('minWorkers', 16),
      maxWorkers: whole('maxWorkers', 16),
      rpsPerWorker: whole('rpsPerWorker', 10_000),
    };
    if (capacity.minWorkers > capacity.maxWorkers) fail('capacity.minWorkers', 'must be at most capacity.maxWorkers');
    if (capacity.workers < capacity.minWorkers || capacity.workers > capacity.maxWorkers)
      fail('capacity.workers', 'must be within capacity.minWorkers..maxWorkers');
  }

  let writeQueue: AppConfig['writeQueue'];
  if (root.writeQueue !== undefined)
    writeQueue = { file: stringAt(objectAt(root.writeQueue, 'writeQueue', fail).file, 'writeQueue.file', fail) };

  return {
    region: stringAt(root.region, 'region', fail),
    host: stringAt(root.host, 'host', fail),
    port: portAt(root.port, 'port', fail, true),
    localDb: {
      host: stringAt(localDb.host, 'localDb.host', fail),
      port: portAt(localDb.port, 'localDb.port', fail),
      user: stringAt(localDb.user, 'localDb.user', fail),
      database: stringAt(localDb.database, 'localDb.database', fail),
    },
    writer: parsedWriter,
    ...(objects
      ? {
          objects: {
            endpoint: hostPortAt(objects.endpoint, 'objects.endpoint', fail),
            bucket: stringAt(objects.bucket, 'objects.bucket', fail),
          },
        }
      : {}),
    timeouts: { connectMs: timeout('connectMs'), statementMs: timeout('statementMs'), dnsMs: timeout('dnsMs') },
    ...(capacity ? { capacity } : {}),
    ...(writeQueue ? { writeQueue } : {}),
  };
}

type Fail = (field: string, problem: string) => never;

function objectAt(value: unknown, field: string, fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(field, 'must be an object');
  return value as Record<string, unknown>;
}

function stringAt(value: unknown, field: string, fail: Fail): string {
  if (typeof value !== 'string' || value.length === 0) return fail(field, 'must be a non-empty string');
  return value;
}

function portAt(value: unknown, field: string, fail: Fail, allowZero = false): number {
  const min = allowZero ? 0 : 1;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 65535) {
    return fail(field, `must be an integer port ${min}..65535`);
  }
  return value;
}

function hostPortAt(value: unknown, field: string, fail: Fail): string {
  const text = stringAt(value, field, fail);
  const match = /^(.+):(\d+)$/.exec(text);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535)
    return fail(field, `must be "host:port", got "${text}"`);
  return text;
}
