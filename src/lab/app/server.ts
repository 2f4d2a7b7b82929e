import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pool, QueryResultRow } from 'pg';
import type { AppConfig } from './config';
import { createPool, DbFailure, describeTarget, queryOnce, queryPool, type DbFailureKind } from './db';
import { createAppMetrics } from './metrics';
import { CapacityLimit, reportShed } from './capacity';
import { cartRoutes } from './carts';
import { renderIndexPage } from './page';
import { HttpError, readText, type Reply } from './reply';
import { ReceiptStore } from './receipts';
import { shopRoutes } from './shop';
import { ensureSchema } from './schema';
import { WriteQueue, type QueuedWrite, type WriteToQueue } from './write-queue';
import { WriterDirectory, WriterResolutionError, type CurrentWriter } from './writer';

/** Lifecycle events the app reports (main.ts prints them as JSON lines; startApp waits for `listening`). */
export type AppEvent =
  | { event: 'listening'; region: string; host: string; port: number; pid: number }
  | { event: 'writer_changed'; from: string | undefined; to: string; ttlSeconds: number }
  | { event: 'schema_ready'; writer: string }
  | { event: 'schema_deferred'; reason: string }
  | { event: 'stopping'; reason: string }
  | { event: 'scaled'; workers: number; fromWorkers: number; ms: number; shed: number }
  /** The write queue replayed up to write `replayed`: nothing waits in it any more. */
  | { event: 'queue_drained'; replayed: number }
  | { event: 'stopped' };

export interface AppServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

const defaultOrderLimit = 20;
const maxOrderLimit = 100;
const closeGraceMs = 5_000;
/** How often a region's write queue is tried against the writer while it holds writes. */
const replayIntervalMs = 100;
/** A write the writer has not answered within this long goes to the region's write queue, when it has one. */
const queueAfterMs = 1_000;

interface OrderRow {
  id: string;
  item: string;
  quantity: number;
  customer: string | null;
  region: string;
  created_at: Date;
  receipt_key: string | null;
}

const orderColumns = 'id::text AS id, item, quantity, customer, region, created_at, receipt_key';

export async function startAppServer(config: AppConfig, emit: (event: AppEvent) => void): Promise<AppServer> {
  const applicationName = `gameday-app-${config.region}`;
  const localTarget = describeTarget(config.localDb.host, config.localDb.port);
  const localPool: Pool = createPool(
    config.localDb,
    config.localDb.host,
    config.localDb.port,
    config.timeouts,
    applicationName,
  );
  const receipts = config.objects ? new ReceiptStore(config.objects, config.timeouts.statementMs) : null;
  const metrics = createAppMetrics(config.region);
  const queue = config.writeQueue ? WriteQueue.open(config.writeQueue.file) : null;
  let replaying: Promise<void> | null = null;
  const replayTimer = queue
    ? setInterval(() => {
        if (queue.pending > 0) replaying ??= replayQueue(queue).finally(() => (replaying = null));
      }, replayIntervalMs)
    : undefined;
  const writers = new WriterDirectory(config.writer, config.localDb, config.timeouts, applicationName, (change) =>
    emit({ event: 'writer_changed', ...change }),
  );

  /** Run `work` on the current writer, creating the schema there first if not done yet. */
  async function onWriter<T>(work: (writer: CurrentWriter) => Promise<T>): Promise<{ result: T; writer: string }> {
    let writer: CurrentWriter;
    try {
      writer = await writers.get();
    } catch (error) {
      const known = writers.lastKnownTarget;
      throw new HttpError(
        503,
        'writer_unresolvable',
        (error as Error).message,
        known ? { 'x-gameday-writer': known } : {},
      );
    }
    const headers = { 'x-gameday-writer': writer.target };
    try {
      if (!writer.schemaReady) {
        await ensureSchema(writer.pool, writer.target);
        writer.schemaReady = true;
        emit({ event: 'schema_ready', writer: writer.target });
      }
      return { result: await metrics.onWriter(() => work(writer)), writer: writer.target };
    } catch (error) {
      throw dbHttpError(error, 'writer', headers);
    }
  }

  async function onLocal<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw dbHttpError(error, 'local_db', { 'x-gameday-db': localTarget });
    }
  }

  async function health(): Promise<Reply> {
    try {
      const rows = await queryOnce<{ in_recovery: boolean }>(
        config.localDb,
        config.timeouts,
        'SELECT pg_is_in_recovery() AS in_recovery',
      );
      return {
        status: 200,
        body: {
          status: 'ok',
          region: config.region,
          db: localTarget,
          role: rows[0].in_recovery ? 'standby' : 'primary',
        },
      };
    } catch (error) {
      const kind = error instanceof DbFailure ? error.kind : 'internal';
      return {
        status: 503,
        body: {
          status: 'unavailable',
          region: config.region,
          db: localTarget,
          reason: `local database ${kind}: ${(error as Error).message}`,
        },
      };
    }
  }

  async function createOrder(req: http.IncomingMessage): Promise<Reply> {
    const body = objectBody(await readJson(req));
    const item = body.item;
    if (typeof item !== 'string' || item.trim().length === 0 || item.length > 200) {
      throw new HttpError(400, 'invalid_order', 'item must be a non-empty string of at most 200 characters');
    }
    const quantity = body.quantity ?? 1;
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > 1000) {
      throw new HttpError(400, 'invalid_order', 'quantity must be an integer 1..1000');
    }
    const customer = body.customer ?? null;
    if (customer !== null && (typeof customer !== 'string' || customer.length > 200)) {
      throw new HttpError(400, 'invalid_order', 'customer must be a string of at most 200 characters');
    }
    const receiptKey = receipts?.newKey() ?? null;
    if (receipts && receiptKey)
      await receipts.put(receiptKey, { item, quantity, customer, region: config.region, at: new Date().toISOString() });
    return orQueue({ kind: 'order', item, quantity, customer, region: config.region, receiptKey }, async () => {
      const { result, writer } = await onWriter((w) =>
        queryPool<OrderRow>(
          w.pool,
          w.target,
          `INSERT INTO orders (item, quantity, customer, region, receipt_key) VALUES ($1, $2, $3, $4, $5) ` +
            `RETURNING ${orderColumns}`,
          [item, quantity, customer, config.region, receiptKey],
        ),
      );
      return { status: 201, body: orderJson(result[0]), headers: { 'x-gameday-writer': writer } };
    });
  }

  async function getOrder(idText: string): Promise<Reply> {
    if (!/^\d{1,15}$/.test(idText)) throw new HttpError(400, 'invalid_id', 'order id must be a positive integer');
    const rows = await onLocal(() =>
      queryPool<OrderRow>(localPool, localTarget, `SELECT ${orderColumns} FROM orders WHERE id = $1`, [idText]),
    );
    if (rows.length === 0) {
      // Reads come from this region's replica, which may not have replayed a fresh write yet.
      throw new HttpError(404, 'not_found', `order ${idText} not found in ${config.region}'s database`);
    }
    return { status: 200, body: orderJson(rows[0]), headers: { 'x-gameday-db': localTarget } };
  }

  /** The order's receipt from this region's bucket: what a customer downloading it gets here. */
  async function getReceipt(idText: string): Promise<Reply> {
    const order = await getOrder(idText);
    const key = (order.body as { receiptKey: string | null }).receiptKey;
    if (!key) throw new HttpError(404, 'no_receipt', `order ${idText} has no receipt object`);
    if (!receipts) throw new HttpError(503, 'no_receipt_store', `${config.region}'s app has no bucket configured`);
    const receipt = await receipts.get(key);
    if (receipt === null)
      throw new HttpError(
        404,
        'receipt_missing',
        `order ${idText}'s receipt ${key} is not in ${config.objects!.bucket} (${config.region})`,
      );
    return { status: 200, body: JSON.parse(receipt) as unknown, headers: { 'x-gameday-receipt-key': key } };
  }

  async function listOrders(url: URL): Promise<Reply> {
    const limitText = url.searchParams.get('limit');
    const limit = limitText === null ? defaultOrderLimit : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > maxOrderLimit) {
      throw new HttpError(400, 'invalid_limit', `limit must be an integer 1..${maxOrderLimit}`);
    }
    const rows = await onLocal(() =>
      queryPool<OrderRow>(localPool, localTarget, `SELECT ${orderColumns} FROM orders ORDER BY id DESC LIMIT $1`, [
        limit,
      ]),
    );
    return {
      status: 200,
      body: { region: config.region, orders: rows.map(orderJson) },
      headers: { 'x-gameday-db': localTarget },
    };
  }

  async function appendLedger(req: http.IncomingMessage): Promise<Reply> {
    const body = objectBody(await readJson(req));
    const client = ledgerClient(body.client);
    const seq = body.seq;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
      throw new HttpError(400, 'invalid_ledger_entry', 'seq must be a non-negative integer');
    }
    // Autocommit: the INSERT has committed on the writer when the query returns, so a 201
    // is an acknowledgement the RPO measurement can hold the writer to (a 202: to the queue's replay).
    return orQueue({ kind: 'ledger', client, seq, region: config.region }, () => insertLedger(client, seq));
  }

  async function insertLedger(client: string, seq: number): Promise<Reply> {
    const { result, writer } = await onWriter((w) =>
      queryPool<{ committed_at: Date }>(
        w.pool,
        w.target,
        'INSERT INTO ledger (client, seq, region) VALUES ($1, $2, $3) RETURNING committed_at',
        [client, seq, config.region],
      ).catch((error: unknown) => {
        if (error instanceof DbFailure && error.kind === 'duplicate') {
          throw new HttpError(
            409,
            'duplicate',
            `ledger entry ${client}/${seq} already exists`,
            { 'x-gameday-writer': w.target },
            { client, seq },
          );
        }
        throw error;
      }),
    );
    return {
      status: 201,
      body: { client, seq, region: config.region, writer, committedAt: result[0].committed_at.toISOString() },
      headers: { 'x-gameday-writer': writer },
    };
  }

  /**
   * A write through the queue, when the region has one: queued behind any write still waiting (the order they were
   * acknowledged in is the order they are replayed in), or when the writer cannot take it now — it fails as
   * unavailable, or has not answered within queueAfterMs (a partitioned writer never answers: the bytes are held) —
   * and acknowledged 202 once on disk. Otherwise straight to the writer. A write queued after its deadline may still
   * commit on the writer: a ledger entry is not written twice by the replay, an order would be.
   */
  async function orQueue(write: WriteToQueue, direct: () => Promise<Reply>): Promise<Reply> {
    if (!queue) return direct();
    if (queue.pending > 0) return queuedReply(queue.enqueue(write));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), queueAfterMs)));
    const attempt = direct();
    try {
      const answer = await Promise.race([attempt, late]);
      if (answer !== 'late') return answer;
      attempt.catch(() => undefined);
    } catch (error) {
      if (!writerUnavailable(error)) throw error;
    } finally {
      clearTimeout(timer);
    }
    return queuedReply(queue.enqueue(write));
  }

  function queuedReply(write: QueuedWrite): Reply {
    const { n, queuedAt, kind, ...fields } = write;
    return {
      status: 202,
      body: { queued: true, position: n, kind, ...fields, queuedAt: new Date(queuedAt).toISOString() },
      headers: { 'x-gameday-queued': String(n) },
    };
  }

  /**
   * The queue replayed on the writer, oldest first, one write at a time; at the first failure it stops, to go on
   * from that write. A ledger entry already there (its first attempt committed, the answer late or lost) is not
   * written again, and its replay says so.
   */
  async function replayQueue(q: WriteQueue): Promise<void> {
    for (let write = q.next(); write; write = q.next()) {
      const replaying = write;
      let found: boolean;
      try {
        found = (await onWriter((w) => replayOn(w, replaying))).result;
      } catch {
        return;
      }
      q.replayed(replaying, found);
      if (q.pending === 0) emit({ event: 'queue_drained', replayed: replaying.n });
    }
  }

  /** One queued write committed on the writer; true when it was there already (a ledger entry). */
  async function replayOn(w: CurrentWriter, write: QueuedWrite): Promise<boolean> {
    if (write.kind === 'ledger') {
      const inserted = await queryPool(
        w.pool,
        w.target,
        'INSERT INTO ledger (client, seq, region) VALUES ($1, $2, $3) ' +
          'ON CONFLICT (client, seq) DO NOTHING RETURNING seq',
        [write.client, write.seq, write.region],
      );
      return inserted.length === 0;
    }
    await queryPool(
      w.pool,
      w.target,
      'INSERT INTO orders (item, quantity, customer, region, receipt_key) VALUES ($1, $2, $3, $4, $5)',
      [write.item, write.quantity, write.customer, write.region, write.receiptKey ?? null],
    );
    return false;
  }

  async function readLedger(url: URL): Promise<Reply> {
    const client = ledgerClient(url.searchParams.get('client') ?? undefined);
    // ORDER BY the column, not the text alias (which would sort 10 before 2).
    const { result, writer } = await onWriter((w) =>
      queryPool<{ seq: string }>(
        w.pool,
        w.target,
        'SELECT seq::text AS seq FROM ledger WHERE client = $1 ORDER BY ledger.seq',
        [client],
      ),
    );
    return {
      status: 200,
      body: { client, writer, seqs: result.map((row) => Number(row.seq)) },
      headers: { 'x-gameday-writer': writer },
    };
  }

  /** One ledger entry as this region's own database holds it: a client reading its own write from its region. */
  async function readLocalLedgerEntry(url: URL): Promise<Reply> {
    const client = ledgerClient(url.searchParams.get('client') ?? undefined);
    const seqText = url.searchParams.get('seq') ?? '';
    if (!/^\d{1,15}$/.test(seqText))
      throw new HttpError(400, 'invalid_ledger_entry', 'seq must be a non-negative integer');
    const rows = await onLocal(() =>
      queryPool<{ committed_at: Date }>(
        localPool,
        localTarget,
        'SELECT committed_at FROM ledger WHERE client = $1 AND seq = $2',
        [client, seqText],
      ),
    );
    // A replica that has not replayed the write yet: the answer is behind, not wrong.
    if (rows.length === 0)
      throw new HttpError(404, 'not_found', `ledger entry ${client}/${seqText} not in ${config.region}'s database`);
    return {
      status: 200,
      body: { client, seq: Number(seqText), region: config.region, committedAt: rows[0].committed_at.toISOString() },
      headers: { 'x-gameday-db': localTarget },
    };
  }

  // The storefront's and the carts' routes reach the databases the same way: the region's own, and the writer.
  const databases = {
    region: config.region,
    local: <R extends QueryResultRow>(sql: string, params: unknown[] = []) =>
      onLocal(() => queryPool<R>(localPool, localTarget, sql, params)),
    writer: async <R extends QueryResultRow>(sql: string, params: unknown[] = []) => {
      const { result, writer } = await onWriter((w) => queryPool<R>(w.pool, w.target, sql, params));
      return { rows: result, writer };
    },
  };
  const shop = shopRoutes(databases);
  const carts = cartRoutes(databases);

  async function route(req: http.IncomingMessage, url: URL): Promise<Reply> {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const shopReply = shop(req, url) ?? carts(req, url);
    if (shopReply) return shopReply;
    const only = (allowed: string, handler: () => Promise<Reply>): Promise<Reply> => {
      if (method !== allowed)
        throw new HttpError(405, 'method_not_allowed', `${method} ${path} is not supported; use ${allowed}`, {
          allow: allowed,
        });
      return handler();
    };
    if (path === '/')
      return only('GET', async () => ({ status: 200, body: renderIndexPage(config.region), html: true }));
    if (path === '/health') return only('GET', health);
    if (path === '/orders') {
      if (method === 'POST') return createOrder(req);
      return only('GET', () => listOrders(url));
    }
    const orderMatch = /^\/orders\/([^/]+)$/.exec(path);
    if (orderMatch) return only('GET', () => getOrder(orderMatch[1]));
    const receiptMatch = /^\/orders\/([^/]+)\/receipt$/.exec(path);
    if (receiptMatch) return only('GET', () => getReceipt(receiptMatch[1]));
    if (path === '/ledger') {
      if (method === 'POST') return appendLedger(req);
      return only('GET', () => readLedger(url));
    }
    if (path === '/ledger/entry') return only('GET', () => readLocalLedgerEntry(url));
    throw new HttpError(
      404,
      'not_found',
      `no route ${method} ${path}; routes: GET /, GET /health, GET|POST /orders, GET /orders/:id, ` +
        'GET /orders/:id/receipt, GET|POST /ledger, GET /ledger/entry, GET|PUT /carts/:customer, GET /shop (the ' +
        'storefront), GET /metrics',
    );
  }

  const limit = config.capacity ? new CapacityLimit(config.capacity.rpsPerWorker) : null;
  const server = http.createServer(
    metrics.instrument((req, res) => {
      res.setHeader('x-gameday-region', config.region);
      const url = new URL(req.url ?? '/', 'http://app.invalid');
      // Health checks are not shed: a fleet at capacity is busy, not down.
      if (limit && url.pathname !== '/health' && !limit.take()) {
        req.resume();
        reportShed();
        const message = `worker ${process.pid} is at its capacity of ${config.capacity!.rpsPerWorker} requests/s`;
        send(res, {
          status: 503,
          body: { error: 'over_capacity', message, region: config.region },
          headers: { 'retry-after': '1' },
        });
        return;
      }
      route(req, url).then(
        (reply) => send(res, reply),
        (error: unknown) => send(res, errorReply(error, config.region)),
      );
    }),
  );
  // A keep-alive client must not hold a socket to a region longer than the lab's faults last.
  server.keepAliveTimeout = 5_000;
  // Workers share the port and the cluster hands out connections, not requests: one request per connection spreads
  // the load over every worker, as a load balancer in front of a fleet does.
  if (config.capacity) server.maxRequestsPerSocket = 1;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;

  // Best effort: a region can start while its writer is unreachable or still a standby;
  // every write retries until the schema is in place.
  writers
    .get()
    .then(async (writer) => {
      await ensureSchema(writer.pool, writer.target);
      writer.schemaReady = true;
      emit({ event: 'schema_ready', writer: writer.target });
    })
    .catch((error: unknown) =>
      emit({ event: 'schema_deferred', reason: error instanceof Error ? error.message : String(error) }),
    );

  emit({ event: 'listening', region: config.region, host: address.address, port: address.port, pid: process.pid });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const forced = setTimeout(() => server.closeAllConnections(), closeGraceMs);
      await closed;
      clearTimeout(forced);
      clearInterval(replayTimer);
      await replaying;
      queue?.close();
      await Promise.all([writers.close(), localPool.end().catch(() => undefined)]);
      emit({ event: 'stopped' });
    })();
    return closing;
  };
  return { host: address.address, port: address.port, close };
}

function dbHttpError(error: unknown, scope: 'writer' | 'local_db', headers: Record<string, string>): unknown {
  if (error instanceof HttpError) return error;
  if (error instanceof WriterResolutionError) return new HttpError(503, 'writer_unresolvable', error.message, headers);
  if (!(error instanceof DbFailure)) return error;
  const statusByKind: Record<DbFailureKind, number> = {
    unreachable: 503,
    timeout: 503,
    read_only: 503,
    schema_missing: 503,
    duplicate: 409,
    internal: 500,
  };
  return new HttpError(statusByKind[error.kind], `${scope}_${error.kind}`, error.message, headers);
}

/** The writer cannot take a write now (unreachable, timed out, not yet a primary, not resolvable): a queue may. */
function writerUnavailable(error: unknown): boolean {
  return (
    error instanceof HttpError &&
    ['writer_unreachable', 'writer_timeout', 'writer_read_only', 'writer_unresolvable'].includes(error.code)
  );
}

function errorReply(error: unknown, region: string): Reply {
  if (error instanceof HttpError) {
    return {
      status: error.status,
      body: { error: error.code, message: error.message, region, ...error.details },
      headers: error.headers,
    };
  }
  return {
    status: 500,
    body: { error: 'internal', message: error instanceof Error ? error.message : String(error), region },
  };
}

function send(res: http.ServerResponse, reply: Reply): void {
  if (res.headersSent) return;
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  const text = reply.html ? String(reply.body) : JSON.stringify(reply.body);
  res.setHeader('content-type', reply.html ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.statusCode = reply.status;
  res.end(text);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const text = await readText(req);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, 'invalid_json', `request body is not JSON: ${(error as Error).message}`);
  }
}

function objectBody(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HttpError(400, 'invalid_json', 'request body must be a JSON object');
  return value as Record<string, unknown>;
}

function ledgerClient(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 100) {
    throw new HttpError(400, 'invalid_ledger_entry', 'client must be a non-empty string of at most 100 characters');
  }
  return value;
}

function orderJson(row: OrderRow) {
  return {
    id: Number(row.id),
    item: row.item,
    quantity: row.quantity,
    customer: row.customer,
    region: row.region,
    createdAt: row.created_at.toISOString(),
    receiptKey: row.receipt_key,
  };
}
