// Acceptance tests of the local multi-region lab on real processes: PostgreSQL primary and
// hot standby, one app per region, fault proxies, the in-process DNS server and health
// checks. One lab serves the whole file; tests that change the topology reset it after.
import { execFile } from 'node:child_process';
import { promises as dnsPromises } from 'node:dns';
import fs from 'node:fs';
import http from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { HealthCheckChange, HealthObservation } from '../../src/lab/healthcheck';
import { Lab } from '../../src/lab/lab';
import type { PgPrimaryReplication, PgStandbyReplication } from '../../src/lab/postgres';
import { healthCheckIdFor, objectLinkName } from '../../src/lab/topology';

const PRIMARY = 'us-east-1';
const STANDBY = 'eu-west-1';
const APP_NAME = 'app.gameday.lab';
const WRITER_NAME = 'writer.db.gameday.lab';

let lab: Lab;
let dataRoot: string | undefined;
/** Every postgres and app pid the lab ever had, so the end can check none outlived it. */
const seenPids = new Set<number>();
/** Patterns matching the command lines of this lab's processes (filled once ports are known). */
const processPatterns: string[] = [];

test.before(async () => {
  // uvu runs no test and says nothing of why when a before hook throws: say it here.
  await startLab().catch((error: unknown) => {
    console.error('lab.test: the lab did not come up:', error);
    throw error;
  });
});

async function startLab(): Promise<void> {
  lab = await Lab.start({
    regions: [PRIMARY, STANDBY],
    primary: PRIMARY,
    healthCheck: { requestIntervalMs: 200, failureThreshold: 3, timeoutMs: 500 },
    ttl: { app: 1 },
  });
  dataRoot = lab.dataRoot;
  // Postmasters run `postgres -D <dataRoot>/pg/<region>`; apps get their JSON config, which
  // names the internal port, as an argument.
  processPatterns.push(lab.dataRoot, `"port":${lab.layout.ports.appInternal}`);
  // The leak check at the end means something only if the patterns find the live processes.
  for (const pattern of processPatterns)
    assert.is((await pgrep(pattern)).length, 2, `pgrep -f ${pattern} finds both regions' processes`);
  notePids();
  console.log(`    lab up in ${lab.startupMs} ms (ports from ${lab.layout.ports.app}, data ${lab.dataRoot})`);
}

test.after(async () => {
  // Idempotent: normally the last test closed it already; this covers a failed run.
  await lab?.close();
  await assertNothingLeft();
});

// ------------------------------------------------------------------ tests

test('DNS failover: app.gameday.lab moves only after failureThreshold failed health checks, with the TTL', async () => {
  const { failureThreshold } = lab.layout.healthCheck;
  const ttl = lab.layout.ttl.app;
  const primary = addressOf(PRIMARY);
  const secondary = addressOf(STANDBY);
  const checkId = healthCheckIdFor(PRIMARY);

  assert.equal(await digA(APP_NAME), [{ address: primary, ttl }], 'dig before the fault');
  assert.equal(await nodeA(APP_NAME), [{ address: primary, ttl }], 'Node resolver before the fault');

  // Consecutive failed observations of the primary's check since the fault, as the registry
  // publishes them ('observation' is emitted before the 'change' it causes).
  let failures = 0;
  let failuresAtChange = -1;
  let change: HealthCheckChange | undefined;
  const onObservation = (observation: { id: string } & HealthObservation) => {
    if (observation.id === checkId) failures = observation.ok ? 0 : failures + 1;
  };
  const onChange = (event: HealthCheckChange) => {
    if (event.id !== checkId || event.status !== 'Unhealthy' || change) return;
    change = event;
    failuresAtChange = failures;
  };
  lab.healthChecks.on('observation', onObservation);
  lab.healthChecks.on('change', onChange);

  const proxy = appProxy(PRIMARY);
  interface Sample {
    via: 'dig' | 'node';
    failuresAtSend: number;
    changedAtSend: boolean;
    changedAtReply: boolean;
    answer: Array<{ address: string; ttl: number }>;
  }
  const samples: Sample[] = [];
  const sample = async (via: Sample['via']) => {
    const failuresAtSend = failures;
    const changedAtSend = change !== undefined;
    const answer = via === 'dig' ? await digA(APP_NAME) : await nodeA(APP_NAME);
    samples.push({ via, failuresAtSend, changedAtSend, changedAtReply: change !== undefined, answer });
  };

  try {
    failures = 0;
    // A blackhole: requests reach the app, responses never come back, the check times out.
    proxy.addToxic({ name: 'blackhole', type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } });
    const deadline = Date.now() + 20_000;
    // Sample DNS until both clients have seen the failed-over answer a few times.
    while (samples.filter((s) => s.changedAtSend).length < 6) {
      if (Date.now() > deadline)
        throw new Error(
          `no failover within 20 s; failures seen: ${failures}; status ` +
            `${JSON.stringify(lab.healthChecks.status(checkId))}`,
        );
      await Promise.all([sample('dig'), sample('node')]);
      await sleep(30);
    }

    assert.ok(change, 'the primary health check became Unhealthy');
    assert.is(change!.cause, 'observation');
    assert.is(failuresAtChange, failureThreshold, 'flipped on exactly the threshold-th consecutive failure');
    const recent = lab.healthChecks.status(checkId).recentObservations;
    const lastBeforeChange = recent.filter((o) => o.at <= change!.at).slice(-failureThreshold);
    assert.equal(
      lastBeforeChange.map((o) => o.ok),
      new Array(failureThreshold).fill(false),
      'the observations that flipped it all failed',
    );

    // Not earlier: every answer completed before the change named the primary, including
    // answers given while 1..threshold-1 failures had already been observed.
    const before = samples.filter((s) => !s.changedAtReply);
    for (const s of before)
      assert.equal(s.answer, [{ address: primary, ttl }], `${s.via} answer before the health check flipped`);
    const duringFailures = before.filter((s) => s.failuresAtSend >= 1);
    assert.ok(
      duringFailures.some((s) => s.via === 'dig'),
      'dig sampled while the check was failing but not yet Unhealthy',
    );
    assert.ok(
      duringFailures.some((s) => s.via === 'node'),
      'Node sampled while the check was failing but not yet Unhealthy',
    );

    // After: every answer to a query sent after the change names the secondary, with the TTL.
    const after = samples.filter((s) => s.changedAtSend);
    assert.ok(
      after.some((s) => s.via === 'dig') && after.some((s) => s.via === 'node'),
      'both clients sampled after the change',
    );
    for (const s of after)
      assert.equal(s.answer, [{ address: secondary, ttl }], `${s.via} answer after the health check flipped`);
  } finally {
    lab.healthChecks.off('observation', onObservation);
    lab.healthChecks.off('change', onChange);
    removeToxics(proxy);
  }

  // Healing the path brings the primary back (failback), once enough checks succeed.
  await eventually('the primary health check to recover', 15_000, () =>
    lab.healthChecks.isHealthy(checkId) ? true : undefined,
  );
  assert.equal(await digA(APP_NAME), [{ address: primary, ttl }], 'dig after recovery');
  assert.equal(await nodeA(APP_NAME), [{ address: primary, ttl }], 'Node resolver after recovery');
});

test('replication: an order written through the primary region appears on the standby', async () => {
  const created = await httpRequest('POST', `${appUrl(PRIMARY)}/orders`, { item: 'replicated umbrella', quantity: 3 });
  assert.is(created.status, 201, JSON.stringify(created.body));
  assert.is(created.headers['x-gameday-region'], PRIMARY);
  assert.is(created.headers['x-gameday-writer'], `${addressOf(PRIMARY)}:${lab.layout.ports.pg}`);
  const id = (created.body as { id: number }).id;
  assert.type(id, 'number');

  const standby = lab.region(STANDBY).pg;
  assert.is(await standby.role(), 'standby');
  const rows = await eventually('the order on the standby', 10_000, async () => {
    const found = await standby.query<{ item: string; quantity: number; region: string }>(
      'SELECT item, quantity, region FROM orders WHERE id = $1',
      [id],
    );
    return found.length > 0 ? found : undefined;
  });
  assert.equal(rows, [{ item: 'replicated umbrella', quantity: 3, region: PRIMARY }]);

  // And the standby region's app reads it from its local replica.
  const read = await httpRequest('GET', `${appUrl(STANDBY)}/orders/${id}`);
  assert.is(read.status, 200, JSON.stringify(read.body));
  assert.is((read.body as { item: string }).item, 'replicated umbrella');
});

test('dbStop + promotion: the primary crashes, the standby is promoted, its region takes writes', async () => {
  try {
    await lab.stopDatabase(PRIMARY, 'immediate');
    assert.not.ok(lab.region(PRIMARY).pg.running, 'the primary database is stopped');

    const promoted = await lab.promote(STANDBY);
    assert.is(promoted.previousPrimary, PRIMARY);
    assert.is(await lab.region(STANDBY).pg.role(), 'primary');

    // The writer name now points at the promoted region, with the writer TTL.
    assert.equal(await nodeA(WRITER_NAME), [{ address: addressOf(STANDBY), ttl: lab.layout.ttl.writer }]);
    assert.equal(await digA(WRITER_NAME), [{ address: addressOf(STANDBY), ttl: lab.layout.ttl.writer }]);

    // The standby region's app still has the old writer cached until the TTL expires.
    const newWriter = `${addressOf(STANDBY)}:${lab.layout.ports.pg}`;
    const created = await eventually('a 201 from the standby region after promotion', 15_000, async () => {
      const response = await httpRequest('POST', `${appUrl(STANDBY)}/orders`, {
        item: 'post-failover order',
        quantity: 1,
      });
      return response.status === 201 ? response : undefined;
    });
    assert.is(created.headers['x-gameday-writer'], newWriter);
    const id = (created.body as { id: number }).id;
    const rows = await lab.region(STANDBY).pg.query<{ item: string }>('SELECT item FROM orders WHERE id = $1', [id]);
    assert.equal(rows, [{ item: 'post-failover order' }], 'the order is on the promoted database');

    const status = await lab.status();
    assert.equal(Object.fromEntries(status.regions.map((region) => [region.name, region.role])), {
      [PRIMARY]: 'standby',
      [STANDBY]: 'primary',
    });

    // The old primary must not come back as a second writer: it rejoins as a standby of the new one.
    const started = await lab.startDatabase(PRIMARY);
    assert.is(started.rebuilt, true);
    assert.is(await lab.region(PRIMARY).pg.role(), 'standby');
    await lab.region(STANDBY).pg.waitStreaming(30_000, PRIMARY);
    await eventually('the post-failover order replicated back to the old primary', 15_000, async () => {
      const back = await lab.region(PRIMARY).pg.query<{ item: string }>('SELECT item FROM orders WHERE id = $1', [id]);
      return back.length === 1 ? back : undefined;
    });
    const refused = await lab
      .region(PRIMARY)
      .pg.query("INSERT INTO orders (item, quantity) VALUES ('split brain', 1)")
      .then(
        () => null,
        (error: Error) => error.message,
      );
    assert.match(refused ?? 'accepted', /read-only transaction/, 'the rejoined old primary refuses writes');
  } finally {
    await resetLab();
  }
});

test(
  'lost writes: with WAL held on the replication link, acknowledged writes after the hold are ' +
    'missing from the promoted writer',
  async () => {
    const client = `lost-writes-${process.pid}-${Date.now()}`;
    const standby = lab.region(STANDBY).pg;
    const acknowledged: number[] = [];
    const write = async (seq: number) => {
      const response = await httpRequest('POST', `${appUrl(PRIMARY)}/ledger`, { client, seq });
      assert.is(response.status, 201, `ledger write ${seq}: ${JSON.stringify(response.body)}`);
      acknowledged.push(seq);
    };
    const standbySeqs = async () =>
      (
        await standby.query<{ seq: string }>('SELECT seq::text AS seq FROM ledger WHERE client = $1 ORDER BY seq', [
          client,
        ])
      ).map((row) => Number(row.seq));

    try {
      // Writes before the fault replicate normally.
      const replicated = [1, 2, 3, 4, 5];
      for (const seq of replicated) await write(seq);
      await eventually('the first writes on the standby', 10_000, async () =>
        (await standbySeqs()).length === replicated.length ? true : undefined,
      );

      // Hold the WAL stream into the standby (downstream = primary to standby) far longer than the test.
      lab.proxies
        .get(`replication-${STANDBY}`)!
        .addToxic({ name: 'wal-lag', type: 'latency', stream: 'downstream', attributes: { latency: 60_000 } });
      const held = [6, 7, 8, 9, 10, 11, 12, 13];
      for (const seq of held) await write(seq);
      assert.equal(await standbySeqs(), replicated, 'nothing written after the hold reached the standby');

      await lab.stopDatabase(PRIMARY, 'immediate');
      await lab.promote(STANDBY);

      // Read the ledger back from the new writer, through the standby region's app.
      const newWriter = `${addressOf(STANDBY)}:${lab.layout.ports.pg}`;
      const readBack = await eventually('the ledger from the new writer', 15_000, async () => {
        const response = await httpRequest('GET', `${appUrl(STANDBY)}/ledger?client=${encodeURIComponent(client)}`);
        return response.status === 200 && response.headers['x-gameday-writer'] === newWriter ? response : undefined;
      });
      const present = (readBack.body as { seqs: number[] }).seqs;
      const inDatabase = await standbySeqs();
      assert.equal(present, inDatabase, 'the app reads what the promoted database has');

      const lost = acknowledged.filter((seq) => !present.includes(seq));
      assert.ok(lost.length > 0, 'some acknowledged writes were lost');
      assert.equal(lost, held, 'exactly the writes acknowledged after the hold were lost');
      assert.equal(present, replicated, 'the writes that replicated before the hold survived');
      assert.equal(
        present.filter((seq) => !acknowledged.includes(seq)),
        [],
        'nothing present that was never acknowledged',
      );
    } finally {
      await resetLab();
    }
  },
);

test('latency and timeout toxics on an app ingress proxy: delay, then time-outs, then service restored', async () => {
  const region = STANDBY;
  const proxy = appProxy(region);
  const url = `${appUrl(region)}/health`;
  const latencyMs = 300;
  try {
    // The toxic adds a floor under every response, which a loaded machine cannot lower: so the
    // fastest request shows it is there, or gone. (A median of 307 ms once it was gone, with a
    // 47 ms baseline, was the machine: a neighbouring test file busy on both cores.)
    const baseline = await healthTimesMs(url, 5);

    proxy.addToxic({ name: 'slow', type: 'latency', stream: 'downstream', attributes: { latency: latencyMs } });
    const slowed = await healthTimesMs(url, 5);
    assert.ok(
      slowed.fastest >= latencyMs,
      `fastest ${slowed.fastest} ms with a ${latencyMs} ms latency toxic (baseline median ${baseline.median} ms)`,
    );
    assert.ok(
      slowed.median < latencyMs + 1_000,
      `median ${slowed.median} ms with a ${latencyMs} ms latency toxic is within a generous margin`,
    );

    proxy.addToxic({ name: 'blackhole', type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } });
    for (let i = 0; i < 3; i++) {
      const outcome = await httpRequest('GET', url, undefined, 1_000).then(
        (response) => `HTTP ${response.status}`,
        (error: Error) => error.message,
      );
      assert.match(outcome, /timed out after 1000 ms/, `request ${i + 1} through the blackhole`);
    }

    removeToxics(proxy);
    const restored = await httpRequest('GET', url, undefined, 2_000);
    assert.is(restored.status, 200);
    const after = await healthTimesMs(url, 5);
    assert.ok(
      after.fastest < latencyMs,
      `fastest ${after.fastest} ms (median ${after.median}) once the toxics are gone ` +
        `(baseline median ${baseline.median} ms)`,
    );
  } finally {
    removeToxics(proxy);
  }
  // The blackhole made the region's check fail; let it recover before the next test.
  await eventually(`${region}'s health check to recover`, 15_000, () =>
    lab.healthChecks.isHealthy(healthCheckIdFor(region)) ? true : undefined,
  );
});

test('reset() restores the first topology: primary, streaming, no toxics, healthy checks, fresh data', async () => {
  const { ports } = lab.layout;
  const client = `reset-${process.pid}-${Date.now()}`;
  const written = await httpRequest('POST', `${appUrl(PRIMARY)}/ledger`, { client, seq: 1 });
  assert.is(written.status, 201, JSON.stringify(written.body));
  const before = lab.processes();

  // Make a mess: toxics on every kind of proxy, a proxy down, an inverted check, a crashed
  // primary that has stopped answering /health, a promoted standby, and a stopped app.
  appProxy(PRIMARY).addToxic({ name: 'slow', type: 'latency', attributes: { latency: 200 } });
  lab.proxies.get(`db-${STANDBY}`)!.addToxic({ name: 'blackhole', type: 'timeout', attributes: { timeout: 0 } });
  lab.proxies
    .get(`replication-${STANDBY}`)!
    .addToxic({ name: 'wal-lag', type: 'latency', attributes: { latency: 5_000 } });
  await lab.proxies.get(`db-${PRIMARY}`)!.setEnabled(false);
  lab.updateHealthCheck(STANDBY, { inverted: true });
  await lab.stopDatabase(PRIMARY, 'immediate');
  await eventually(`${PRIMARY}'s health check to fail`, 15_000, () =>
    lab.healthChecks.isHealthy(healthCheckIdFor(PRIMARY)) ? undefined : true,
  );
  await lab.promote(STANDBY);
  await lab.stopApp(STANDBY);

  await lab.reset();
  notePids();

  const status = await lab.status();
  const byName = Object.fromEntries(status.regions.map((region) => [region.name, region]));
  assert.is(byName[PRIMARY].role, 'primary');
  assert.is(byName[STANDBY].role, 'standby');
  assert.is(await lab.region(PRIMARY).pg.role(), 'primary');
  assert.is(await lab.region(STANDBY).pg.role(), 'standby');

  // Replication streams, through the standby's replication proxy.
  const primaryReplication = byName[PRIMARY].replication as PgPrimaryReplication;
  assert.equal(
    primaryReplication.standbys.map((s) => [s.applicationName, s.state]),
    [[STANDBY, 'streaming']],
  );
  const standbyReplication = byName[STANDBY].replication as PgStandbyReplication;
  assert.is(standbyReplication.receiverStatus, 'streaming');
  assert.is(standbyReplication.upstreamHost, addressOf(STANDBY));
  assert.is(standbyReplication.upstreamPort, ports.replication);

  // Every proxy is up, clean, and pointed where it was at start.
  for (const region of status.regions) {
    const address = region.address;
    assert.equal(
      region.proxies,
      [
        { name: `app-${region.name}`, enabled: true, upstream: `${address}:${ports.appInternal}`, toxics: [] },
        { name: `db-${region.name}`, enabled: true, upstream: `${address}:${ports.pg}`, toxics: [] },
        {
          name: `replication-${region.name}`,
          enabled: true,
          upstream: `${addressOf(PRIMARY)}:${ports.pg}`,
          toxics: [],
        },
        {
          name: `s3-${region.name}`,
          enabled: true,
          upstream: `${address}:${ports.objects}`,
          toxics: [],
        },
        ...status.regions
          .filter((other) => other.name !== region.name)
          .map((other) => ({
            name: objectLinkName(region.name, other.name),
            enabled: true,
            upstream: `${other.address}:${ports.objects}`,
            toxics: [],
          })),
      ],
      `${region.name}'s proxies`,
    );
    assert.ok(region.database.running && region.app.running, `${region.name}'s database and app run`);
    assert.equal(
      {
        status: region.healthCheck?.status,
        inverted: region.healthCheck?.inverted,
        disabled: region.healthCheck?.disabled,
      },
      { status: 'Healthy', inverted: false, disabled: false },
      `${region.name}'s health check right after reset`,
    );
  }

  // DNS answers as at start.
  assert.equal(await digA(APP_NAME), [{ address: addressOf(PRIMARY), ttl: lab.layout.ttl.app }]);
  assert.equal(await nodeA(WRITER_NAME), [{ address: addressOf(PRIMARY), ttl: lab.layout.ttl.writer }]);

  // New processes; the old ones are gone.
  const after = lab.processes();
  for (const old of before) {
    const now = after.find((p) => p.region === old.region)!;
    assert.is.not(now.pgPid, old.pgPid, `${old.region} has a new postgres`);
    assert.is.not(now.appPid, old.appPid, `${old.region} has a new app`);
    for (const pid of [old.pgPid, old.appPid])
      if (pid !== null) assert.not.ok(isAlive(pid), `old pid ${pid} of ${old.region} is gone`);
  }

  // Data was rebuilt: the row written before reset is gone, and the lab serves again.
  const ledger = await httpRequest('GET', `${appUrl(STANDBY)}/ledger?client=${encodeURIComponent(client)}`);
  assert.is(ledger.status, 200, JSON.stringify(ledger.body));
  assert.equal((ledger.body as { seqs: number[] }).seqs, []);
  const order = await httpRequest('POST', `${appUrl(STANDBY)}/orders`, { item: 'after reset', quantity: 1 });
  assert.is(order.status, 201, JSON.stringify(order.body));
  assert.is(order.headers['x-gameday-writer'], `${addressOf(PRIMARY)}:${ports.db}`);
});

test('close() leaves no process of the lab and removes its data root', async () => {
  notePids();
  await lab.close();
  await assertNothingLeft();
});

// ------------------------------------------------------------------ helpers

function addressOf(region: string): string {
  return lab.layout.regions.find((r) => r.name === region)!.address;
}

function appUrl(region: string): string {
  return `http://${addressOf(region)}:${lab.layout.ports.app}`;
}

function appProxy(region: string) {
  return lab.proxies.get(`app-${region}`)!;
}

function removeToxics(proxy: ReturnType<typeof appProxy>): void {
  for (const toxic of proxy.toxics()) proxy.removeToxic(toxic.name);
}

async function resetLab(): Promise<void> {
  await lab.reset();
  notePids();
}

function notePids(): void {
  for (const p of lab.processes()) {
    if (p.pgPid !== null) seenPids.add(p.pgPid);
    if (p.appPid !== null) seenPids.add(p.appPid);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** pgrep -f: the pids whose command line matches, [] when none (pgrep exits 1). */
function pgrep(pattern: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    execFile('pgrep', ['-f', '--', pattern], { timeout: 10_000 }, (error, stdout) => {
      if (error && (error as { code?: unknown }).code !== 1) return reject(error);
      resolve(stdout.split('\n').filter(Boolean).map(Number));
    });
  });
}

async function assertNothingLeft(): Promise<void> {
  for (const pattern of processPatterns) {
    assert.equal(await pgrep(pattern), [], `processes matching ${pattern}`);
  }
  assert.equal([...seenPids].filter(isAlive), [], 'pids the lab had are gone');
  if (dataRoot) assert.not.ok(fs.existsSync(dataRoot), `${dataRoot} is removed`);
}

/** The A records of `name` by the real dig against the lab's DNS server (async: the server is in this process). */
function digA(name: string): Promise<Array<{ address: string; ttl: number }>> {
  const { host, port } = lab.dnsAddress();
  const args = [`@${host}`, '-p', String(port), name, 'A', '+norecurse', '+time=2', '+tries=1'];
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/dig', args, { timeout: 10_000 }, (error, stdout) => {
      if (error) return reject(new Error(`dig ${args.join(' ')} failed: ${error.message}\n${stdout}`));
      const status = /status: (\w+)/.exec(stdout)?.[1];
      if (status !== 'NOERROR') return reject(new Error(`dig ${args.join(' ')}: status ${status}\n${stdout}`));
      const start = stdout.indexOf(';; ANSWER SECTION:\n');
      if (start < 0) return resolve([]);
      const lines = stdout.slice(start).split('\n').slice(1);
      const end = lines.findIndex((line) => line.trim() === '');
      resolve(
        lines
          .slice(0, end)
          .map((line) => line.split(/\s+/))
          .filter((fields) => fields[3] === 'A')
          .map((fields) => ({ address: fields[4], ttl: Number(fields[1]) })),
      );
    });
  });
}

/** The A records of `name` by Node's resolver, a fresh one per query so nothing is cached. */
async function nodeA(name: string): Promise<Array<{ address: string; ttl: number }>> {
  const { host, port } = lab.dnsAddress();
  const resolver = new dnsPromises.Resolver({ timeout: 2_000, tries: 1 });
  resolver.setServers([`${host}:${port}`]);
  return (await resolver.resolve4(name, { ttl: true })).map(({ address, ttl }) => ({ address, ttl }));
}

interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  ms: number;
}

/** One request on its own connection (no pooling across faults); rejects on a client-side timeout. */
function httpRequest(method: string, url: string, body?: unknown, timeoutMs = 5_000): Promise<HttpResult> {
  const started = performance.now();
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method,
      agent: false,
      headers:
        payload === undefined
          ? {}
          : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    });
    const timer = setTimeout(
      () => request.destroy(new Error(`${method} ${url} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      response.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON; keep the text
        }
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: parsed,
          ms: performance.now() - started,
        });
      });
    });
    request.end(payload);
  });
}

async function healthTimesMs(url: string, count: number): Promise<{ fastest: number; median: number }> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const response = await httpRequest('GET', url, undefined, 5_000);
    assert.is(response.status, 200, `GET ${url}: ${JSON.stringify(response.body)}`);
    times.push(response.ms);
  }
  times.sort((a, b) => a - b);
  return { fastest: Math.round(times[0]), median: Math.round(times[Math.floor(times.length / 2)]) };
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs` with the last error. */
async function eventually<T>(
  what: string,
  timeoutMs: number,
  probe: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ` +
          `${what}${lastError ? `; last error: ${(lastError as Error).message}` : ''}`,
      );
    }
    await sleep(100);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

test.run();
