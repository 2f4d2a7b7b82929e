import fs from 'node:fs';
import net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  makeLabTempDir,
  PgNode,
  PgStateError,
  readPostmasterPid,
  startPgCluster,
  stopOrphanPostmaster,
  type PgCluster,
} from '../../src/lab/postgres';
import { eventually } from '../support/eventually';
import { freePortOn } from '../support/net';
import { postmastersUnder, processAlive } from '../support/processes';

const primaryHost = '127.0.0.2';
const standbyHost = '127.0.0.3';

let rootDir = '';
let cluster: PgCluster | undefined;
let relay: HoldableRelay | undefined;
let rebuilt: PgNode | undefined;
let detached: PgNode | undefined;

test.before(async () => {
  rootDir = await makeLabTempDir('gameday-pg-test-');
});

test.after(async () => {
  await relay?.close();
  await rebuilt?.stop('immediate');
  if (detached?.pid) await stopOrphanPostmaster(detached.dataDir, { pid: detached.pid });
  await cluster?.destroy();
  const orphans = postmastersUnder(rootDir);
  fs.rmSync(rootDir, { recursive: true, force: true });
  assert.equal(orphans, [], `postmasters left running under ${rootDir}`);
});

test('a primary and a standby stream, and a row written on the primary appears on the standby', async () => {
  const port = await freePortOn([primaryHost, standbyHost]);
  cluster = await startPgCluster({
    rootDir,
    primary: { name: 'us-east-1', host: primaryHost, port },
    standbys: [{ name: 'eu-west-1', host: standbyHost, port }],
  });
  const { primary, standbys } = cluster;
  const [standby] = standbys;
  console.log(
    `    primary+standby to streaming: ${cluster.startup.ms} ms (template cache ` +
      `${cluster.startup.fromTemplate ? 'hit' : 'miss'})`,
  );

  assert.type(primary.pid, 'number');
  assert.type(standby.pid, 'number');
  assert.is(await primary.role(), 'primary');
  assert.is(await standby.role(), 'standby');

  const seen = await primary.replication();
  assert.is(seen.role, 'primary');
  if (seen.role === 'primary') {
    assert.is(seen.standbys.length, 1);
    assert.is(seen.standbys[0].applicationName, 'eu-west-1');
    assert.is(seen.standbys[0].state, 'streaming');
  }
  const receiver = await standby.replication();
  assert.is(receiver.role, 'standby');
  if (receiver.role === 'standby') {
    assert.is(receiver.receiverStatus, 'streaming');
    assert.is(receiver.upstreamHost, primaryHost);
    assert.is(receiver.upstreamPort, port);
  }

  await primary.query('CREATE TABLE writes (id int PRIMARY KEY, note text NOT NULL)');
  await primary.query("INSERT INTO writes VALUES (1, 'replicated')");
  const rows = await eventually(
    async () => {
      const found = await standby.query<{ note: string }>('SELECT note FROM writes WHERE id = 1').catch(() => []);
      return found.length === 1 ? found : undefined;
    },
    10_000,
    50,
  );
  assert.is(rows[0].note, 'replicated');

  try {
    await new PgNode({ name: 'copy', host: standbyHost, port: port + 1, dataDir: `${rootDir}/copy` }).cloneStandbyFrom(
      primary,
      { host: primaryHost, port },
    );
    assert.unreachable('copying a running primary must be refused');
  } catch (error) {
    assert.instance(error, PgStateError);
  }
});

test('replication held back: acked writes are lost when the primary dies and the standby is promoted', async () => {
  assert.ok(cluster, 'needs the cluster from the first test');
  const { primary } = cluster;
  const [standby] = cluster.standbys;

  // Route replication through a relay we can hold, as the lab's fault proxy would.
  relay = await HoldableRelay.start(primary.host, primary.port);
  await standby.setPrimaryConninfo(relay.host, relay.port);
  await eventually(
    async () => {
      const status = await standby.replication();
      return status.role === 'standby' && status.receiverStatus === 'streaming' && status.upstreamPort === relay?.port
        ? true
        : undefined;
    },
    15_000,
    50,
  );

  for (let id = 2; id <= 5; id++) await primary.query('INSERT INTO writes VALUES ($1, $2)', [id, 'before hold']);
  await eventually(
    async () => {
      const count = await standby.query<{ n: number }>('SELECT count(*)::int AS n FROM writes');
      return count[0].n === 5 ? true : undefined;
    },
    10_000,
    50,
  );

  relay.hold();
  for (let id = 6; id <= 10; id++)
    await primary.query('INSERT INTO writes VALUES ($1, $2)', [id, 'acknowledged, never replicated']);
  const onPrimary = await primary.query<{ n: number }>('SELECT count(*)::int AS n FROM writes');
  assert.is(onPrimary[0].n, 10, 'the primary acknowledged all ten writes');

  const primaryPid = primary.pid;
  await primary.stop('immediate');
  assert.not.ok(primary.running);
  assert.not.ok(processAlive(primaryPid), 'stop() resolves only after the postmaster exited');

  const promoteStarted = Date.now();
  await standby.promote();
  console.log(`    promote: ${Date.now() - promoteStarted} ms`);
  assert.is(await standby.role(), 'primary');
  await standby.query("INSERT INTO writes VALUES (11, 'written on the new primary')");

  const survivors = await standby.query<{ id: number }>('SELECT id FROM writes ORDER BY id');
  assert.equal(
    survivors.map((row) => row.id),
    [1, 2, 3, 4, 5, 11],
    'writes 6..10 were acknowledged by the old primary but are absent on the new one',
  );
});

test('rebuildStandbyFrom turns the old primary into a streaming standby of the new one', async () => {
  assert.ok(cluster, 'needs the cluster from the first test');
  const oldPrimary = cluster.primary;
  const [newPrimary] = cluster.standbys;
  rebuilt = oldPrimary;

  const started = Date.now();
  await oldPrimary.rebuildStandbyFrom(newPrimary, { host: newPrimary.host, port: newPrimary.port });
  await oldPrimary.start();
  await newPrimary.waitStreaming(15_000, 'us-east-1');
  console.log(`    rebuild + start + streaming: ${Date.now() - started} ms`);

  assert.is(await oldPrimary.role(), 'standby');
  await newPrimary.query("INSERT INTO writes VALUES (12, 'after rebuild')");
  const ids = await eventually(
    async () => {
      const rows = await oldPrimary.query<{ id: number }>('SELECT id FROM writes ORDER BY id').catch(() => []);
      return rows.some((row) => row.id === 12) ? rows.map((row) => row.id) : undefined;
    },
    10_000,
    50,
  );
  assert.equal(ids, [1, 2, 3, 4, 5, 11, 12], "the rebuilt node has the new primary's history, not its own lost writes");

  const status = await oldPrimary.replication();
  assert.is(status.role, 'standby');
  if (status.role === 'standby') assert.is(status.upstreamHost, newPrimary.host);
});

test('stop("fast") resolves once the postmaster has exited and frees the port', async () => {
  assert.ok(cluster, 'needs the cluster from the first test');
  for (const node of cluster.nodes) {
    const pid = node.pid;
    await node.stop('fast');
    assert.not.ok(processAlive(pid), `${node.name} postmaster ${pid} still alive`);
  }
  assert.equal(postmastersUnder(rootDir), []);
});

test('a detached postmaster left behind is found and stopped; a stale or stranger pid is never signalled', async () => {
  const port = await freePortOn([primaryHost]);
  detached = new PgNode({
    name: 'orphan',
    host: primaryHost,
    port,
    dataDir: `${rootDir}/orphan`,
    detached: true,
    logFile: `${rootDir}/orphan.log`,
  });
  await detached.initPrimary();
  await detached.start();
  const pid = detached.pid;
  assert.type(pid, 'number');
  assert.is(readPostmasterPid(detached.dataDir), pid);

  // As another process would after a crash: only the pid and the data directory are known.
  // A remembered pid that is not that data dir's postmaster (here: our own) is not signalled;
  // the data dir's postmaster.pid names the real one, which is stopped.
  assert.ok(await stopOrphanPostmaster(detached.dataDir, { pid: process.pid }));
  assert.not.ok(processAlive(pid));
  assert.is(readPostmasterPid(detached.dataDir), undefined);
  assert.match(fs.readFileSync(`${rootDir}/orphan.log`, 'utf8'), 'database system is shut down');
});

/**
 * A TCP relay for the replication link that can hold back everything the primary sends,
 * like a partition that lets the standby's status replies through but no WAL.
 */
class HoldableRelay {
  private held = false;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<HoldableRelay> {
    const relay: { current?: HoldableRelay } = {};
    const server = net.createServer((downstream) => relay.current?.connect(downstream, targetHost, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as net.AddressInfo;
    relay.current = new HoldableRelay(server, address.address, address.port);
    return relay.current;
  }

  hold(): void {
    this.held = true;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private connect(downstream: net.Socket, targetHost: string, targetPort: number): void {
    const upstream = net.connect(targetPort, targetHost);
    for (const socket of [downstream, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        downstream.destroy();
        upstream.destroy();
      });
    }
    downstream.pipe(upstream);
    // Held bytes are dropped, not queued: they must never reach the standby.
    upstream.on('data', (chunk: Buffer) => {
      if (!this.held) downstream.write(chunk);
    });
  }
}

test.run();
