/**
 * `gameday lab up|status|promote|reset|down` end to end, through the built CLI, against
 * real labs (PostgreSQL, apps, DNS, health checks). The lifecycle tests drive one lab in
 * order, as an operator would (up, status, a second up, promote, reset, down); every other
 * test uses its own lab directory. Each lab is torn down at the end — through `lab down`,
 * and if that leaves anything behind (the test then fails), by killing what is left directly.
 */
import { Resolver } from 'node:dns/promises';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnCli, type CliResult } from '../support/cli';
import { waitUntil } from '../support/eventually';
import {
  describeProcesses,
  isDaemon,
  killLabProcesses,
  labProcesses,
  labSnapshot,
  processes,
  type LabSnapshot,
} from '../support/processes';

// ------------------------------------------------------------------ helpers

const cliTimeoutMs = 150_000; // lab up may initdb on a cold template cache

/** runCli with a deadline: a hung CLI is killed and the test fails instead of hanging the file. */
async function cli(args: string[], timeoutMs = cliTimeoutMs): Promise<CliResult> {
  const { child, done } = spawnCli(args);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gameday ${args.join(' ')}: no exit within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([done, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

const lab = (dir: string, ...args: string[]) => cli(['lab', ...args, '--dir', dir]);

/** `lab up --json` that must succeed; its endpoints. */
async function up(dir: string, ...args: string[]): Promise<any> {
  const result = await lab(dir, 'up', '--json', ...args);
  assert.is(
    result.code,
    0,
    `lab up exited ${result.code} (signal ${result.signal}):\n${result.stderr}\n${result.stdout}`,
  );
  return json(result);
}

function json(result: CliResult): any {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`stdout is not JSON:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}

function assertNothingLeft(lab: LabSnapshot, when: string): void {
  const left = labProcesses(lab);
  assert.equal(left, [], `${when}: lab processes still running:\n${describeProcesses(left)}`);
}

function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]);
  } catch {
    return false;
  }
}

async function resolve4(dns: string, name: string): Promise<string[]> {
  const resolver = new Resolver({ timeout: 2_000, tries: 2 });
  resolver.setServers([dns]);
  return resolver.resolve4(name);
}

// ------------------------------------------------------------------ lab dirs and cleanup

/** Every lab seen, by its dir, so cleanup can kill what `lab down` might miss. */
const seen = new Map<string, LabSnapshot[]>();

function remember(labDir: string): LabSnapshot {
  const lab = labSnapshot(labDir);
  seen.set(labDir, [...(seen.get(labDir) ?? []), lab]);
  return lab;
}

async function cleanUp(labDir: string): Promise<void> {
  try {
    // Without a state file `lab down` has nothing to read (and says so): no CLI start for it.
    if (fs.existsSync(path.join(labDir, 'state.json'))) {
      try {
        remember(labDir);
      } catch {
        // torn or unreadable: lab down still tries
      }
      await lab(labDir, 'down').catch(() => undefined);
    }
  } finally {
    // Belt and braces: whatever survived `lab down` is killed here (the test has already
    // failed on it if it mattered).
    for (const snap of seen.get(labDir) ?? []) {
      killLabProcesses(snap);
      fs.rmSync(snap.dataRoot, { recursive: true, force: true });
    }
    seen.delete(labDir);
    fs.rmSync(labDir, { recursive: true, force: true });
  }
}

/** The test's own lab dir, empty at its start. */
let dir = '';
test.before.each(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-lab-cli-'));
});
test.after.each(() => cleanUp(dir));

/**
 * The lab of the lifecycle tests, started by the first that needs it: each of them takes the
 * lab as the one before left it, as an operator's next command would.
 */
const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-lab-cli-shared-'));
let sharedUp: Promise<CliResult> | undefined;
const upShared = () => (sharedUp ??= lab(shared, 'up', '--json'));
test.after(() => cleanUp(shared));

// ------------------------------------------------------------------ tests

test('lab up --json prints the endpoints and exits 0; they answer', async () => {
  const result = await upShared();
  assert.is(result.code, 0, result.stderr);
  const up = json(result);
  const snap = remember(shared);

  assert.is(path.resolve(up.labDir), path.resolve(shared));
  assert.ok(Number.isInteger(up.pid) && up.pid > 0, `pid ${up.pid}`);
  assert.is(up.pid, snap.daemonPid);
  assert.ok(isAlive(up.pid), 'the daemon keeps running after `lab up` exits');
  assert.match(up.controlUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(up.dns, /^127\.0\.0\.1:\d+$/);
  assert.match(up.app, /^http:\/\/app\.gameday\.lab:\d+$/);
  const appPort = Number(up.app.split(':').pop());

  assert.equal(Object.keys(up.regions), ['us-east-1', 'eu-west-1']);
  assert.is(up.regions['us-east-1'].role, 'primary');
  assert.is(up.regions['eu-west-1'].role, 'standby');
  assert.is(up.regions['us-east-1'].app, `http://127.0.0.2:${appPort}`);
  assert.is(up.regions['eu-west-1'].app, `http://127.0.0.3:${appPort}`);
  assert.match(up.regions['us-east-1'].postgres, /^127\.0\.0\.2:\d+$/);
  assert.match(up.regions['eu-west-1'].postgres, /^127\.0\.0\.3:\d+$/);

  // The endpoints are live: each region's app, the control API, the DNS server.
  for (const region of ['us-east-1', 'eu-west-1']) {
    const response = await fetch(`${up.regions[region].app}/health`, { signal: AbortSignal.timeout(5_000) });
    assert.is(response.status, 200, `${region} app /health`);
    await response.arrayBuffer();
  }
  const control = await fetch(`${up.controlUrl}/lab/status`, { signal: AbortSignal.timeout(10_000) });
  assert.is(control.status, 200, 'control endpoint');
  await control.arrayBuffer();
  assert.equal(await resolve4(up.dns, 'app.gameday.lab'), ['127.0.0.2']);
  assert.equal(await resolve4(up.dns, 'writer.db.gameday.lab'), ['127.0.0.2']);
});

test('lab status --json has every endpoint and the live status; lab status is readable', async () => {
  const upResult = await upShared();
  assert.is(upResult.code, 0, upResult.stderr);
  const up = json(upResult);

  const result = await lab(shared, 'status', '--json');
  assert.is(result.code, 0, result.stderr);
  const status = json(result);
  for (const key of ['labDir', 'pid', 'controlUrl', 'dns', 'app', 'regions'])
    assert.equal(status[key], up[key], `endpoint ${key}`);

  const regions = Object.fromEntries(status.status.regions.map((region: any) => [region.name, region]));
  assert.equal(Object.keys(regions).sort(), ['eu-west-1', 'us-east-1']);
  const primary = regions['us-east-1'];
  const standby = regions['eu-west-1'];
  assert.is(primary.role, 'primary');
  assert.is(standby.role, 'standby');
  for (const region of [primary, standby]) {
    assert.ok(region.database.running && region.database.pid > 0, `${region.name} database running`);
    assert.ok(region.app.running && region.app.pid > 0, `${region.name} app running`);
    assert.is(region.healthCheck.status, 'Healthy', `${region.name} health check`);
    assert.is(region.healthCheck.id, `hc-app-${region.name}`);
    assert.is(region.proxies.length, 3);
  }
  assert.is(primary.replication.role, 'primary');
  assert.equal(
    primary.replication.standbys.map((s: any) => [s.applicationName, s.state]),
    [['eu-west-1', 'streaming']],
  );
  assert.is(standby.replication.role, 'standby');
  assert.is(standby.replication.receiverStatus, 'streaming');

  const answers = Object.fromEntries(status.status.dns.answers.map((answer: any) => [answer.name, answer]));
  assert.match(answers['app.gameday.lab.'].values.join(' '), /\s127\.0\.0\.2$/);
  assert.match(answers['app.gameday.lab.'].why, /PRIMARY 'us-east-1' healthy/);
  assert.match(answers['writer.db.gameday.lab.'].values.join(' '), /\s127\.0\.0\.2$/);
  assert.is(`${status.status.dns.server.host}:${status.status.dns.server.port}`, up.dns);

  const human = await lab(shared, 'status');
  assert.is(human.code, 0, human.stderr);
  assert.match(human.stdout, `(pid ${up.pid}); dns ${up.dns}; control ${up.controlUrl}`);
  assert.match(human.stdout, /region\s+role\s+db\s+app\s+health check\s+replication/);
  assert.match(human.stdout, /us-east-1\s+primary\s+up\s+up\s+Healthy\s+eu-west-1 streaming lag \d+ B/);
  assert.match(human.stdout, /eu-west-1\s+standby\s+up\s+up\s+Healthy\s+streaming, replay lag \d+ B/);
  assert.match(human.stdout, /\nDNS\n {2}app\.gameday\.lab\. A: PRIMARY 'us-east-1' healthy .* -> 127\.0\.0\.2/);
  assert.match(human.stdout, /writer\.db\.gameday\.lab\. A: simple record -> 127\.0\.0\.2/);
  assert.is(human.stderr, '');
});

test('lab up --regions with three regions runs three, every standby streaming', async () => {
  const result = await lab(dir, 'up', '--regions', 'us-east-1,eu-west-1,ap-southeast-2', '--json');
  assert.is(result.code, 0, result.stderr);
  remember(dir);
  const up = json(result);
  assert.equal(Object.keys(up.regions), ['us-east-1', 'eu-west-1', 'ap-southeast-2']);
  assert.equal(
    Object.values(up.regions).map((region: any) => region.role),
    ['primary', 'standby', 'standby'],
  );
  assert.match(up.regions['ap-southeast-2'].app, /^http:\/\/127\.0\.0\.4:\d+$/);

  const status = json(await lab(dir, 'status', '--json')).status;
  assert.is(status.regions.length, 3);
  const primary = status.regions.find((region: any) => region.role === 'primary');
  assert.is(primary.name, 'us-east-1');
  assert.equal(primary.replication.standbys.map((s: any) => `${s.applicationName} ${s.state}`).sort(), [
    'ap-southeast-2 streaming',
    'eu-west-1 streaming',
  ]);
  for (const region of status.regions) assert.is(region.healthCheck.status, 'Healthy', region.name);
});

test('a second lab up on the same dir reports the running lab and starts nothing', async () => {
  const first = await upShared();
  assert.is(first.code, 0, first.stderr);
  const snap = remember(shared);
  const daemonsBefore = processes().filter((p) => isDaemon(p) && p.argv.join(' ').includes(shared));
  assert.is(daemonsBefore.length, 1);

  const second = await lab(shared, 'up', '--json');
  assert.is(second.code, 0, second.stderr);
  assert.match(second.stderr, `a lab is already running in ${path.resolve(shared)} (pid ${snap.daemonPid})`);
  const again = json(second);
  assert.equal(again, json(first), 'the same lab, the same endpoints');

  const daemonsAfter = processes().filter((p) => isDaemon(p) && p.argv.join(' ').includes(shared));
  assert.equal(
    daemonsAfter.map((p) => p.pid),
    [snap.daemonPid],
    'still exactly one daemon for this dir',
  );
  assert.is(labSnapshot(shared).daemonPid, snap.daemonPid, 'state.json untouched');
});

test('lab status, promote and reset with no lab exit 2 with a clear message', async () => {
  for (const args of [['status'], ['status', '--json'], ['promote', 'eu-west-1'], ['reset']]) {
    const result = await lab(dir, ...args);
    assert.is(result.code, 2, `lab ${args.join(' ')}: ${result.stderr}`);
    assert.is(result.stdout, '', `lab ${args.join(' ')} prints nothing on stdout`);
    assert.match(result.stderr, `gameday: no lab running in ${path.resolve(dir)}; start one with \`gameday lab up\``);
  }
  const down = await lab(dir, 'down');
  assert.is(down.code, 0, 'lab down with no lab is not an error');
  assert.match(down.stdout, `no lab in ${path.resolve(dir)}`);
});

test('lab promote eu-west-1: status shows it primary and the writer name at its address', async () => {
  assert.is((await upShared()).code, 0, 'the lab is up');

  const promote = await lab(shared, 'promote', 'eu-west-1');
  assert.is(promote.code, 0, promote.stderr);
  assert.match(
    promote.stdout,
    /^eu-west-1 promoted to primary in \d+ ms \(was us-east-1\); writer\.db\.gameday\.lab now points at it/,
  );

  const status = json(await lab(shared, 'status', '--json'));
  const roles = Object.fromEntries(status.status.regions.map((region: any) => [region.name, region.role]));
  assert.equal(roles, { 'us-east-1': 'standby', 'eu-west-1': 'primary' });
  assert.is(status.regions['eu-west-1'].role, 'primary', 'the endpoints reflect the new role too');
  const eu = status.status.regions.find((region: any) => region.name === 'eu-west-1');
  assert.is(eu.replication.role, 'primary', 'eu-west-1 PostgreSQL is out of recovery');
  const writer = status.status.dns.answers.find((answer: any) => answer.name === 'writer.db.gameday.lab.');
  assert.match(writer.values.join(' '), /\s127\.0\.0\.3$/);
  assert.equal(
    await resolve4(status.dns, 'writer.db.gameday.lab'),
    ['127.0.0.3'],
    'the lab DNS answers with eu-west-1',
  );

  const again = await lab(shared, 'promote', 'eu-west-1');
  assert.is.not(again.code, 0, 'promoting the primary is refused');
  assert.match(again.stderr, /already the primary/);
});

test('lab reset restores the initial topology after the promotion', async () => {
  const promoted = json(await lab(shared, 'status', '--json'));
  assert.is(promoted.regions['eu-west-1'].role, 'primary', 'the test before promoted eu-west-1');

  const reset = await lab(shared, 'reset');
  assert.is(reset.code, 0, reset.stderr);
  assert.match(reset.stdout, /lab reset to its initial topology/);
  remember(shared); // reset restarts every process: new pids

  const status = json(await lab(shared, 'status', '--json'));
  const regions = Object.fromEntries(status.status.regions.map((region: any) => [region.name, region]));
  assert.is(regions['us-east-1'].role, 'primary');
  assert.is(regions['eu-west-1'].role, 'standby');
  assert.equal(
    regions['us-east-1'].replication.standbys.map((s: any) => [s.applicationName, s.state]),
    [['eu-west-1', 'streaming']],
  );
  assert.is(regions['eu-west-1'].replication.receiverStatus, 'streaming');
  for (const region of Object.values(regions) as any[]) {
    assert.is(region.healthCheck.status, 'Healthy', region.name);
    for (const proxy of region.proxies)
      assert.ok(proxy.enabled && proxy.toxics.length === 0, `${proxy.name} has no fault`);
  }
  assert.equal(await resolve4(status.dns, 'writer.db.gameday.lab'), ['127.0.0.2']);
  assert.equal(await resolve4(status.dns, 'app.gameday.lab'), ['127.0.0.2']);
});

test('lab down stops every process and removes the state and data', async () => {
  assert.is((await upShared()).code, 0, 'the lab is up');
  const snap = remember(shared);
  assert.ok(labProcesses(snap).length >= 5, `daemon, 2 postgres, 2 apps: ${JSON.stringify(labProcesses(snap))}`);
  assert.ok(fs.existsSync(snap.dataRoot));

  const down = await lab(shared, 'down');
  assert.is(down.code, 0, down.stderr);
  assert.is(down.stdout, 'lab stopped and removed\n', 'a clean stop kills no orphans');
  assert.not.ok(isAlive(snap.daemonPid), 'daemon gone');
  assertNothingLeft(snap, 'after lab down');
  assert.not.ok(fs.existsSync(path.join(shared, 'state.json')), 'state.json removed');
  assert.not.ok(fs.existsSync(snap.dataRoot), 'data root removed');

  const status = await lab(shared, 'status');
  assert.is(status.code, 2, 'no lab any more');
  const again = await lab(shared, 'down');
  assert.is(again.code, 0);
  assert.match(again.stdout, /^no lab in /);
});

test('after kill -9 of the daemon, lab down still kills the orphaned postgres and app processes', async () => {
  await up(dir);
  const snap = remember(dir);
  process.kill(snap.daemonPid, 'SIGKILL');
  assert.ok(await waitUntil(() => !isAlive(snap.daemonPid), 5_000), 'daemon died');
  const orphans = labProcesses(snap);
  assert.ok(
    orphans.filter((p) => p.what.startsWith('postgres')).length === 2,
    `both postmasters outlive the daemon:\n${orphans.map((p) => p.what).join('\n')}`,
  );

  const down = await lab(dir, 'down');
  assert.is(down.code, 0, down.stderr);
  const match = /^lab stopped and removed \((\d+) orphaned process(?:es)? killed\)\n$/.exec(down.stdout);
  assert.ok(match, `lab down reports the orphans it killed: ${JSON.stringify(down.stdout)}`);
  assert.ok(Number(match![1]) >= 2, `at least the two postmasters: ${match![1]}`);
  assertNothingLeft(snap, 'after lab down of a killed daemon');
  assert.not.ok(fs.existsSync(path.join(dir, 'state.json')), 'state.json removed');
  assert.not.ok(fs.existsSync(snap.dataRoot), 'data root removed');
});

test('lab up with one region is a usage error (exit 2) naming 2 to 4 regions; nothing starts', async () => {
  const result = await lab(dir, 'up', '--regions', 'us-east-1');
  assert.is(result.code, 2, result.stderr);
  assert.match(result.stderr, /2 to 4 regions, got 1 \(us-east-1\)/);
  assert.is(result.stdout, '');
  assert.not.ok(fs.existsSync(path.join(dir, 'state.json')));
  assert.equal(
    processes().filter((p) => isDaemon(p) && p.argv.join(' ').includes(dir)),
    [],
    'no daemon was started',
  );
  const five = await lab(dir, 'up', '--regions', 'us-east-1,eu-west-1,eu-west-2,us-west-2,ap-south-1');
  assert.is(five.code, 2, five.stderr);
  assert.match(five.stderr, /2 to 4 regions, got 5/);
});

test.run();
