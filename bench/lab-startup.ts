/**
 * Lab startup time: from the startLab() call to "every region healthy, every standby
 * streaming". startLab resolves on the daemon's ready line, which is meant to imply
 * exactly that; a status() call then verifies it (every region's health check Healthy,
 * every standby's WAL receiver streaming and the primary seeing it stream), and the
 * verification's time is part of the figure. Each lab is stopped before the next.
 *
 * Then, apart from that figure (the default lab starts without it), the lab's Prometheus
 * as a run that needs it starts it: from the control API call to "every region's app and
 * the lab's own metrics scraped once" (the call returns then), and its stop.
 *
 *   node -r ts-node/register/transpile-only bench/lab-startup.ts [--runs 5] [--regions 2,3] [--dist] [--no-prometheus]
 *     [--strategies all|a,b]
 *
 * `--strategies` times each failover strategy's lab (two regions; default: the default
 * strategy alone, at every --regions count); "healthy" is then what that strategy starts
 * as (see notReady).
 * By default the lab comes from the sources (src/lab/manager.ts), so under ts-node the
 * daemon and the apps run from the sources too (each child pays ts-node's start-up);
 * `--dist` uses the build (dist/lab/manager.js, `npm run build` first), which is what
 * `gameday run` ships. Progress goes to stderr; a summary and one JSON line to stdout.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningLab } from '../src/lab/manager';
import type { LabStatus } from '../src/lab/lab';

type StartLab = typeof import('../src/lab/manager').startLab;

const regionSets: Record<number, string[]> = {
  2: ['us-east-1', 'eu-west-1'],
  3: ['us-east-1', 'eu-west-1', 'ap-southeast-2'],
  4: ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-west-2'],
};
const verifyTimeoutMs = 30_000;

interface Sample {
  /** startLab() call to verified: the figure. */
  totalMs: number;
  /** startLab() call to the daemon's ready line. */
  readyMs: number;
  /** The status() check(s) after ready; more than one attempt means ready came early. */
  verifyMs: number;
  verifyAttempts: number;
  /** Lab.start as the daemon measured it (no process start, no ready-line hop). */
  daemonStartupMs: number;
  stopMs: number;
  /** The control API call that starts the lab's Prometheus, to every target scraped once; null with --no-prometheus. */
  prometheusMs: number | null;
  /** The same as the lab measured it: spawn to every target scraped once. */
  prometheusStartupMs: number | null;
  prometheusStopMs: number | null;
}

function parseArgs(argv: string[]): {
  runs: number;
  regions: number[];
  dist: boolean;
  prometheus: boolean;
  strategies: string[] | null;
} {
  let runs = 5;
  let regions = [2, 3];
  let dist = false;
  let prometheus = true;
  let strategies: string[] | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) usage(`${arg} needs a value`);
      return next;
    };
    if (arg === '--runs') runs = Number(value());
    else if (arg.startsWith('--runs=')) runs = Number(arg.slice(7));
    else if (arg === '--regions') regions = value().split(',').map(Number);
    else if (arg.startsWith('--regions=')) regions = arg.slice(10).split(',').map(Number);
    else if (arg === '--dist') dist = true;
    else if (arg === '--no-prometheus') prometheus = false;
    else if (arg === '--strategies') strategies = value().split(',');
    else if (arg.startsWith('--strategies=')) strategies = arg.slice(13).split(',');
    else if (arg === '-h' || arg === '--help') usage();
    else usage(`unknown argument ${arg}`);
  }
  if (!Number.isInteger(runs) || runs < 1) usage('--runs must be a positive integer');
  for (const count of regions) if (!regionSets[count]) usage(`--regions takes counts from 2 to 4, got ${count}`);
  return { runs, regions, dist, prometheus, strategies };
}

function usage(problem?: string): never {
  if (problem) process.stderr.write(`lab-startup: ${problem}\n`);
  process.stderr.write(
    'usage: node -r ts-node/register/transpile-only bench/lab-startup.ts [--runs N] [--regions 2,3] [--dist] ' +
      '[--no-prometheus] [--strategies all|a,b]\n',
  );
  process.exit(problem ? 2 : 0);
}

/** Why the lab is not yet "all healthy, all streaming", or null when it is. */
/**
 * Why the lab is not yet up as its strategy starts, or null when it is: by default every region healthy and every
 * standby streaming; a cold standby ('archive') runs nothing, so there its database and app are down and its check
 * unhealthy, and nothing streams; where every region writes ('logical'), every region is a primary whose changes the
 * other's subscription streams.
 */
function notReady(status: LabStatus, regions: string[], database: string): string | null {
  if (database === 'archive') return notReadyCold(status, regions);
  if (database === 'logical') return notReadyBothWays(status, regions);
  const problems: string[] = [];
  const byName = new Map(status.regions.map((region) => [region.name, region]));
  const primaries = status.regions.filter((region) => region.role === 'primary');
  if (primaries.length !== 1) problems.push(`${primaries.length} primaries`);
  for (const name of regions) {
    const region = byName.get(name);
    if (!region) {
      problems.push(`${name} missing`);
      continue;
    }
    if (region.healthCheck?.status !== 'Healthy')
      problems.push(`${name} health check ${region.healthCheck?.status ?? 'absent'}`);
    if (!region.database.running) problems.push(`${name} database down`);
    if (!region.app.running) problems.push(`${name} app down`);
    if (region.role === 'standby') {
      const replication = region.replication as { role?: string; receiverStatus?: string | null } | null;
      if (replication?.role !== 'standby' || replication.receiverStatus !== 'streaming')
        problems.push(`${name} receiver ${replication?.receiverStatus ?? 'none'}`);
    }
  }
  const primary = primaries[0];
  if (primary) {
    const replication = primary.replication as {
      role?: string;
      standbys?: Array<{ applicationName: string; state: string }>;
    } | null;
    for (const standby of status.regions.filter((region) => region.role === 'standby')) {
      const seen = replication?.standbys?.find((s) => s.applicationName === standby.name);
      if (seen?.state !== 'streaming') problems.push(`primary sees ${standby.name} ${seen?.state ?? 'not connected'}`);
    }
  }
  return problems.length > 0 ? problems.join('; ') : null;
}

function notReadyBothWays(status: LabStatus, regions: string[]): string | null {
  const problems: string[] = [];
  for (const region of status.regions.filter((candidate) => regions.includes(candidate.name))) {
    if (region.healthCheck?.status !== 'Healthy')
      problems.push(`${region.name} health check ${region.healthCheck?.status ?? 'absent'}`);
    if (!region.database.running) problems.push(`${region.name} database down`);
    if (!region.app.running) problems.push(`${region.name} app down`);
    if (region.role !== 'primary') problems.push(`${region.name} ${region.role}`);
    // The other region's subscription reads this one's changes through a walsender of its own.
    const replication = region.replication as { standbys?: Array<{ state: string }> } | null;
    if (!replication?.standbys?.some((subscriber) => subscriber.state === 'streaming'))
      problems.push(`no subscription streams ${region.name}'s changes`);
  }
  return problems.length > 0 ? problems.join('; ') : null;
}

function notReadyCold(status: LabStatus, regions: string[]): string | null {
  const problems: string[] = [];
  for (const region of status.regions.filter((candidate) => regions.includes(candidate.name))) {
    const up = region.role === 'primary';
    if (up && region.healthCheck?.status !== 'Healthy')
      problems.push(`${region.name} health check ${region.healthCheck?.status ?? 'absent'}`);
    if (region.database.running !== up) problems.push(`${region.name} database ${up ? 'down' : 'running'}`);
    if (region.app.running !== up) problems.push(`${region.name} app ${up ? 'down' : 'running'}`);
  }
  return problems.length > 0 ? problems.join('; ') : null;
}

let current: RunningLab | null = null;

async function once(
  startLab: StartLab,
  regions: string[],
  strategy: string,
  database: string,
  withPrometheus: boolean,
): Promise<Sample> {
  const labDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-bench-lab-'));
  try {
    const t0 = performance.now();
    const lab = await startLab({ ephemeral: true, labDir, regions, strategy });
    current = lab;
    const t1 = performance.now();
    let attempts = 0;
    let problem: string | null = 'not checked';
    const deadline = Date.now() + verifyTimeoutMs;
    while (problem !== null) {
      attempts++;
      problem = notReady(await lab.client.status(), regions, database);
      if (problem === null) break;
      if (Date.now() > deadline)
        throw new Error(`ready, but after ${verifyTimeoutMs} ms still not healthy and streaming: ${problem}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const t2 = performance.now();
    const daemonStartupMs = lab.state.startupMs;
    let prometheusMs: number | null = null;
    let prometheusStartupMs: number | null = null;
    let prometheusStopMs: number | null = null;
    if (withPrometheus) {
      const p0 = performance.now();
      const { status } = await lab.client.startPrometheus();
      prometheusMs = performance.now() - p0;
      prometheusStartupMs = status.startupMs;
      const p1 = performance.now();
      await lab.client.stopPrometheus();
      prometheusStopMs = performance.now() - p1;
    }
    const t3Start = performance.now();
    await lab.stop();
    current = null;
    const t3 = performance.now();
    return {
      totalMs: t2 - t0,
      readyMs: t1 - t0,
      verifyMs: t2 - t1,
      verifyAttempts: attempts,
      daemonStartupMs,
      stopMs: t3 - t3Start,
      prometheusMs,
      prometheusStartupMs,
      prometheusStopMs,
    };
  } finally {
    if (current) {
      await current.stop().catch(() => undefined);
      current = null;
    }
    fs.rmSync(labDir, { recursive: true, force: true });
  }
}

function stats(values: number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const round = (n: number) => Math.round(n);
  return { min: round(sorted[0]), median: round(median), max: round(sorted[sorted.length - 1]) };
}

async function main(): Promise<void> {
  const { runs, regions, dist, prometheus, strategies } = parseArgs(process.argv.slice(2));
  const root = path.resolve(__dirname, '..', dist ? 'dist' : 'src', 'lab');
  const source = path.join(root, dist ? 'manager.js' : 'manager');
  if (dist && !fs.existsSync(source)) usage(`${source} does not exist; run \`npm run build\` first`);
  const { startLab } = require(source) as { startLab: StartLab };
  const { strategyNames, defaultStrategy, labStrategy } = require(path.join(root, 'strategies')) as {
    strategyNames: string[];
    defaultStrategy: string;
    labStrategy: (name: string) => { database: string };
  };
  const chosen = strategies?.includes('all') ? strategyNames : strategies;
  for (const name of chosen ?? []) if (!strategyNames.includes(name)) usage(`unknown strategy ${name}`);
  // Without --strategies: the default strategy at every region count; with it, each strategy with two regions.
  const configurations = chosen
    ? chosen.map((strategy) => ({ strategy, count: 2 }))
    : regions.map((count) => ({ strategy: defaultStrategy, count }));

  // Ctrl-C: stop the lab in flight (an ephemeral lab would die with us anyway, via its stdin pipe).
  const interrupted = () => {
    process.stderr.write('\ninterrupted; stopping the lab\n');
    void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  const results = [];
  let failures = 0;
  for (const { strategy, count } of configurations) {
    const names = regionSets[count];
    const samples: Sample[] = [];
    for (let run = 1; run <= runs; run++) {
      try {
        const sample = await once(startLab, names, strategy, labStrategy(strategy).database, prometheus);
        samples.push(sample);
        process.stderr.write(
          `${strategy}, ${count} regions, run ${run}/${runs}: ${Math.round(sample.totalMs)} ms (ready ` +
            `${Math.round(sample.readyMs)} ms, verify ${Math.round(sample.verifyMs)} ms in ` +
            `${sample.verifyAttempts} check${sample.verifyAttempts === 1 ? '' : 's'}; daemon ` +
            `Lab.start ${sample.daemonStartupMs} ms; stop ${Math.round(sample.stopMs)} ms)` +
            (sample.prometheusMs === null
              ? '\n'
              : `; Prometheus ${Math.round(sample.prometheusMs)} ms (lab-side ${sample.prometheusStartupMs} ms, ` +
                `stop ${Math.round(sample.prometheusStopMs!)} ms)\n`),
        );
        if (sample.verifyAttempts > 1)
          process.stderr.write('  warning: the ready line came before every region was healthy and streaming\n');
      } catch (error) {
        failures++;
        process.stderr.write(
          `${strategy}, ${count} regions, run ${run}/${runs}: FAILED: ${(error as Error).message}\n`,
        );
      }
    }
    if (samples.length === 0) continue;
    results.push({
      strategy,
      regions: count,
      runs: samples.length,
      totalMs: stats(samples.map((s) => s.totalMs)),
      readyMs: stats(samples.map((s) => s.readyMs)),
      verifyMs: stats(samples.map((s) => s.verifyMs)),
      daemonStartupMs: stats(samples.map((s) => s.daemonStartupMs)),
      stopMs: stats(samples.map((s) => s.stopMs)),
      readyBeforeVerified: samples.filter((s) => s.verifyAttempts > 1).length,
      prometheusMs: prometheus ? stats(samples.map((s) => s.prometheusMs!)) : null,
      prometheusStartupMs: prometheus ? stats(samples.map((s) => s.prometheusStartupMs!)) : null,
      prometheusStopMs: prometheus ? stats(samples.map((s) => s.prometheusStopMs!)) : null,
      samplesMs: samples.map((s) => Math.round(s.totalMs)),
    });
  }

  for (const result of results) {
    const { min, median, max } = result.totalMs;
    process.stdout.write(
      `lab startup, ${result.strategy}, ${result.regions} regions (${result.runs} runs): min ${min} ms, ` +
        `median ${median} ` +
        `ms, max ${max} ms  [ready median ${result.readyMs.median} ms + verify median ${result.verifyMs.median} ms; ` +
        `stop median ${result.stopMs.median} ms]\n`,
    );
    if (result.prometheusMs)
      process.stdout.write(
        `  + lab Prometheus on demand: min ${result.prometheusMs.min} ms, median ${result.prometheusMs.median} ms, ` +
          `max ${result.prometheusMs.max} ms to every target scraped once [stop median ` +
          `${result.prometheusStopMs!.median} ms]\n`,
      );
  }
  process.stdout.write(
    JSON.stringify({
      bench: 'lab-startup',
      source: dist ? 'dist' : 'src',
      node: process.version,
      platform: `${os.platform()}-${os.arch()}`,
      cpus: os.cpus().length,
      runsRequested: runs,
      failures,
      results,
    }) + '\n',
  );
  process.exitCode = failures > 0 ? 1 : 0;
}

main().catch((error) => {
  process.stderr.write(`lab-startup: ${(error as Error).stack ?? error}\n`);
  void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
});
