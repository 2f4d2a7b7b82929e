import dgram from 'node:dgram';
import fs from 'node:fs';
import * as dnsPacket from 'dns-packet';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AppConfigError, AppStartError, startApp, type AppEvent, type AppProcess } from '../../src/lab/app';
import { makeLabTempDir, startPgCluster, type PgCluster } from '../../src/lab/postgres';
import { eventually } from '../support/eventually';
import { freePortOn } from '../support/net';
import { postmastersUnder, processAlive } from '../support/processes';

const writerName = 'writer.db.gameday.lab';
const primaryHost = '127.0.0.2';
const standbyHost = '127.0.0.3';

interface Fixture {
  rootDir: string;
  cluster: PgCluster;
  dns: FlippableDns;
  east: AppProcess;
  west: AppProcess;
  westEvents: AppEvent[];
}

const made: { rootDir?: string; cluster?: PgCluster; dns?: FlippableDns; apps: AppProcess[] } = { apps: [] };
let fixture: Fixture;

test.before(async () => {
  const rootDir = await makeLabTempDir('gameday-app-test-');
  made.rootDir = rootDir;
  const pgPort = await freePortOn([primaryHost, standbyHost]);
  const appPort = await freePortOn([primaryHost, standbyHost]);
  const dns = await FlippableDns.start(writerName, primaryHost, 1);
  made.dns = dns;
  const cluster = await startPgCluster({
    rootDir,
    primary: { name: 'us-east-1', host: primaryHost, port: pgPort },
    standbys: [{ name: 'eu-west-1', host: standbyHost, port: pgPort }],
  });
  made.cluster = cluster;

  const appConfig = (region: string, host: string) => ({
    region,
    host,
    port: appPort,
    localDb: { host, port: pgPort, user: 'postgres', database: 'postgres' },
    writer: { name: writerName, port: pgPort, dnsServer: `127.0.0.1:${dns.port}` },
  });
  const westEvents: AppEvent[] = [];
  const started = Date.now();
  const [east, west] = await Promise.all([
    startApp(appConfig('us-east-1', primaryHost)),
    startApp(appConfig('eu-west-1', standbyHost), { onEvent: (event) => westEvents.push(event) }),
  ]);
  made.apps.push(east, west);
  console.log(`    two apps listening in ${Date.now() - started} ms`);
  fixture = { rootDir, cluster, dns, east, west, westEvents };
});

test.after(async () => {
  const pids = made.apps.map((app) => app.pid);
  await Promise.all(made.apps.map((app) => app.stop()));
  await made.dns?.close();
  await made.cluster?.destroy();
  const orphans = made.rootDir ? postmastersUnder(made.rootDir) : [];
  if (made.rootDir) fs.rmSync(made.rootDir, { recursive: true, force: true });
  assert.equal(orphans, [], 'postmasters left running');
  assert.equal(pids.filter(processAlive), [], 'app processes left running');
});

test('health is 200 with the local database role, and every response names its region', async () => {
  const east = await call(fixture.east, 'GET', '/health');
  assert.is(east.status, 200);
  assert.is(east.headers.get('x-gameday-region'), 'us-east-1');
  assert.equal(pick(east.body, ['status', 'role']), { status: 'ok', role: 'primary' });

  const west = await call(fixture.west, 'GET', '/health');
  assert.is(west.status, 200);
  assert.is(west.headers.get('x-gameday-region'), 'eu-west-1');
  assert.equal(pick(west.body, ['status', 'role']), { status: 'ok', role: 'standby' });
});

test('GET / serves the order page; unknown routes and bad input are clear JSON errors', async () => {
  const page = await fetch(`${fixture.east.url}/`);
  assert.is(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', 'text/html');
  const html = await page.text();
  assert.match(html, 'id="order-form"');
  assert.match(html, 'us-east-1');

  const missing = await call(fixture.east, 'GET', '/nope');
  assert.is(missing.status, 404);
  assert.is(field(missing.body, 'error'), 'not_found');

  const badJson = await fetch(`${fixture.east.url}/orders`, { method: 'POST', body: '{nope' });
  assert.is(badJson.status, 400);
  assert.is(field(await badJson.json(), 'error'), 'invalid_json');

  const badOrder = await call(fixture.east, 'POST', '/orders', { item: '', quantity: 1 });
  assert.is(badOrder.status, 400);
  assert.is(field(badOrder.body, 'error'), 'invalid_order');
});

test('orders are written on the DNS-resolved writer and read back from the local replica', async () => {
  const { west, east, cluster } = fixture;
  const created = await call(west, 'POST', '/orders', { item: 'umbrella', quantity: 2 });
  assert.is(created.status, 201, JSON.stringify(created.body));
  assert.is(created.headers.get('x-gameday-writer'), `${primaryHost}:${cluster.primary.port}`);
  const id = field(created.body, 'id');
  assert.type(id, 'number');
  assert.is(field(created.body, 'region'), 'eu-west-1');

  // eu-west-1 reads its replica: the order shows up once replayed.
  const readBack = await eventually(async () => {
    const response = await call(west, 'GET', `/orders/${id}`);
    return response.status === 200 ? response : undefined;
  }, 10_000);
  assert.is(field(readBack.body, 'item'), 'umbrella');
  assert.is(field(readBack.body, 'quantity'), 2);

  const list = await call(east, 'GET', '/orders?limit=5');
  assert.is(list.status, 200);
  const orders = field(list.body, 'orders') as Array<{ id: number }>;
  assert.ok(orders.some((order) => order.id === id));

  const notFound = await call(east, 'GET', '/orders/999999');
  assert.is(notFound.status, 404);
});

test('the storefront: product list → product → cart → checkout, read locally, the order on the writer', async () => {
  const { west, cluster } = fixture;
  // eu-west-1 reads its replica: the products are there once the writer's seed has replayed.
  const list = await eventually(async () => {
    const response = await fetch(`${west.url}/shop`);
    const text = await response.text();
    return response.status === 200 && text.includes('Moka pot') ? { response, text } : undefined;
  }, 10_000);
  assert.match(list.response.headers.get('content-type') ?? '', 'text/html');
  assert.match(list.text, '<strong data-testid="region">eu-west-1</strong>');
  assert.match(list.text, 'href="/shop/products/moka-pot"');

  const product = await fetch(`${west.url}/shop/products/moka-pot`);
  assert.is(product.status, 200);
  const productHtml = await product.text();
  assert.match(productHtml, 'data-testid="add-to-cart"');
  assert.match(productHtml, '$35.00');

  const add = (sku: string, quantity: number, cookie = '') =>
    fetch(`${west.url}/shop/cart`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ sku, quantity: String(quantity) }).toString(),
    });
  const first = await add('moka-pot', 2);
  assert.is(first.status, 303, 'post/redirect/get');
  assert.is(first.headers.get('location'), '/shop/cart');
  const cookieOf = (response: Response) => (response.headers.get('set-cookie') ?? '').split(';')[0];
  assert.is(cookieOf(first), 'gameday_cart=moka-pot:2');
  const second = await add('milk-jug', 1, cookieOf(first));
  const cookie = cookieOf(second);
  assert.is(cookie, 'gameday_cart=moka-pot:2|milk-jug:1');

  const cart = await (await fetch(`${west.url}/shop/cart`, { headers: { cookie } })).text();
  assert.is(cart.match(/data-testid="cart-line"/g)?.length, 2);
  assert.match(cart, '<th data-testid="cart-total">$82.00</th>');

  const customer = `Ada <${Date.now()}>`;
  const placed = await fetch(`${west.url}/shop/checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ customer }).toString(),
  });
  const placedHtml = await placed.text();
  assert.is(placed.status, 200, placedHtml);
  assert.is(placed.headers.get('x-gameday-region'), 'eu-west-1');
  assert.is(placed.headers.get('x-gameday-writer'), `${primaryHost}:${cluster.primary.port}`);
  assert.match(placedHtml, 'data-testid="order-placed"');
  assert.match(placedHtml, customer.replace('<', '&lt;').replace('>', '&gt;'), 'the name is escaped');
  assert.match(placed.headers.get('set-cookie') ?? '', /^gameday_cart=; .*Max-Age=0/);
  const written = await cluster.primary.query<{ item: string; quantity: number; region: string }>(
    `SELECT item, quantity, region FROM orders WHERE customer = '${customer}' ORDER BY id`,
  );
  assert.equal(written, [
    { item: 'Moka pot', quantity: 2, region: 'eu-west-1' },
    { item: 'Milk jug', quantity: 1, region: 'eu-west-1' },
  ]);
});

test('the storefront answers a failure with a page that names the region', async () => {
  const { east } = fixture;
  const missing = await fetch(`${east.url}/shop/products/no-such-thing`);
  assert.is(missing.status, 404);
  const missingHtml = await missing.text();
  assert.match(missingHtml, 'data-testid="error-message">no product no-such-thing in us-east-1');
  assert.match(missingHtml, '<strong data-testid="region">us-east-1</strong>');

  const empty = await fetch(`${east.url}/shop/checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'customer=Bob',
  });
  assert.is(empty.status, 400);
  assert.match(await empty.text(), 'the cart is empty');

  const tampered = await fetch(`${east.url}/shop/cart`, { headers: { cookie: 'gameday_cart=<x>:1' } });
  assert.match(await tampered.text(), 'data-testid="cart-empty"', 'a malformed cart reads as empty');

  const wrongMethod = await fetch(`${east.url}/shop/checkout`);
  assert.is(wrongMethod.status, 405);
  assert.is(wrongMethod.headers.get('allow'), 'POST');
});

test('ledger: 201 only after commit, a duplicate is 409, and the writer lists the seqs sorted', async () => {
  const { west } = fixture;
  for (const seq of [2, 1, 3]) {
    const ack = await call(west, 'POST', '/ledger', { client: 'probe-a', seq });
    assert.is(ack.status, 201, JSON.stringify(ack.body));
    assert.is(field(ack.body, 'seq'), seq);
    assert.ok(ack.headers.get('x-gameday-writer'));
  }
  const duplicate = await call(west, 'POST', '/ledger', { client: 'probe-a', seq: 2 });
  assert.is(duplicate.status, 409);
  assert.is(field(duplicate.body, 'error'), 'duplicate');

  const listed = await call(west, 'GET', '/ledger?client=probe-a');
  assert.is(listed.status, 200);
  assert.equal(field(listed.body, 'seqs'), [1, 2, 3]);

  const committed = await fixture.cluster.primary.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM ledger WHERE client = 'probe-a'",
  );
  assert.is(committed[0].n, 3, 'every 201 is a row committed on the writer');
});

test('failover: health turns 503, writes fail fast, the writer re-resolves when DNS changes', async () => {
  const { cluster, dns, east, west, westEvents } = fixture;
  const [standby] = cluster.standbys;
  const oldWriter = `${primaryHost}:${cluster.primary.port}`;
  const newWriter = `${standbyHost}:${standby.port}`;
  // Wait until the ledger rows replayed on the standby, so the failover loses nothing we check.
  await eventually(async () => {
    const rows = await standby.query<{ n: number }>("SELECT count(*)::int AS n FROM ledger WHERE client = 'probe-a'");
    return rows[0].n === 3 ? true : undefined;
  }, 10_000);

  await cluster.primary.stop('immediate');

  const health = await call(east, 'GET', '/health');
  assert.is(health.status, 503);
  assert.is(field(health.body, 'status'), 'unavailable');
  assert.match(String(field(health.body, 'reason')), 'local database unreachable');

  const writeStarted = Date.now();
  const failed = await call(west, 'POST', '/ledger', { client: 'probe-a', seq: 4 });
  const failMs = Date.now() - writeStarted;
  assert.is(failed.status, 503);
  assert.is(field(failed.body, 'error'), 'writer_unreachable');
  assert.is(failed.headers.get('x-gameday-writer'), oldWriter);
  assert.ok(failMs < 3_000, `a dead writer must fail fast, took ${failMs} ms`);

  // DNS moves before the promotion finished: the app follows and hits a read-only server.
  const queriesBefore = dns.queries;
  dns.answer = standbyHost;
  const readOnly = await eventually(async () => {
    const response = await call(west, 'POST', '/ledger', { client: 'probe-a', seq: 4 });
    return response.headers.get('x-gameday-writer') === newWriter ? response : undefined;
  }, 5_000);
  assert.is(readOnly.status, 503);
  assert.is(field(readOnly.body, 'error'), 'writer_read_only');
  assert.ok(dns.queries > queriesBefore, 'the app asked DNS again after the TTL expired');
  assert.ok(
    westEvents.some((event) => event.event === 'writer_changed' && event.from === oldWriter && event.to === newWriter),
    'the app reported the writer change',
  );

  await standby.promote();
  const ack = await call(west, 'POST', '/ledger', { client: 'probe-a', seq: 4 });
  assert.is(ack.status, 201, JSON.stringify(ack.body));
  assert.is(ack.headers.get('x-gameday-writer'), newWriter);

  const listed = await call(west, 'GET', '/ledger?client=probe-a');
  assert.equal(field(listed.body, 'seqs'), [1, 2, 3, 4]);
});

test('startApp rejects a bad config before spawning, and reports an app that cannot listen', async () => {
  const { east } = fixture;
  const config = {
    region: 'us-east-1',
    host: east.host,
    port: east.port,
    localDb: east.config.localDb,
    writer: { host: primaryHost, port: 70000 },
  };
  try {
    await startApp(config);
    assert.unreachable('an out-of-range writer port must be refused');
  } catch (error) {
    assert.instance(error, AppConfigError);
    assert.match((error as Error).message, 'writer.port');
  }

  try {
    const clash = await startApp({ ...config, writer: { host: primaryHost, port: 5432 } });
    made.apps.push(clash);
    assert.unreachable('a second app on the same address must fail to start');
  } catch (error) {
    assert.instance(error, AppStartError);
    assert.match((error as Error).message, 'EADDRINUSE');
  }
});

test('SIGTERM stops the app gracefully', async () => {
  const { east } = fixture;
  await east.stop();
  assert.not.ok(east.running);
  assert.match(east.logTail(), '"event":"stopped"');
});

/** An authoritative UDP DNS server for one name whose A answer the test can flip. */
class FlippableDns {
  queries = 0;

  private constructor(
    private readonly socket: dgram.Socket,
    readonly port: number,
    private readonly name: string,
    public answer: string,
    private readonly ttl: number,
  ) {
    socket.on('message', (message, remote) => this.respond(message, remote));
  }

  static async start(name: string, answer: string, ttl: number): Promise<FlippableDns> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new FlippableDns(socket, socket.address().port, name, answer, ttl);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private respond(message: Buffer, remote: dgram.RemoteInfo): void {
    const query = dnsPacket.decode(message);
    const question = query.questions?.[0];
    this.queries++;
    const matches = question?.type === 'A' && question.name.toLowerCase() === this.name;
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (matches ? 0 : 3), // rcode 3: NXDOMAIN
      questions: query.questions,
      answers: matches ? [{ type: 'A', name: this.name, ttl: this.ttl, data: this.answer }] : [],
    });
    this.socket.send(response, remote.port, remote.address);
  }
}

interface CallResult {
  status: number;
  headers: Headers;
  body: unknown;
}

async function call(app: AppProcess, method: string, path: string, body?: unknown): Promise<CallResult> {
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

function field(body: unknown, name: string): unknown {
  return (body as Record<string, unknown>)[name];
}

function pick(body: unknown, names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.map((name) => [name, field(body, name)]));
}

test.run();
