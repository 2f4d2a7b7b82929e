/**
 * Open-model precision and throughput ceiling of the traffic probe (HttpTraffic), on a
 * real 2-region lab.
 *
 *   npm run bench:traffic [-- --rate 1000 --duration 30 --step-seconds 5 --warmup-seconds 1 --lag-bound 100
 *                            --no-ceiling]
 *   (= npm run build && node -r ts-node/register/transpile-only bench/traffic.ts --dist)
 *
 * Endpoint: `GET /orders?limit=20` (the lab app's own page makes this call) on us-east-1's
 * app URL, i.e. the address `app.gameday.lab` resolves to: through the region's ingress
 * fault proxy to the app, which reads 20 orders (seeded first) from its local PostgreSQL
 * through its connection pool. It is addressed by IP so the probe and autocannon hit the
 * identical URL; a keep-alive drill client resolves the name once per connection anyway.
 * Not `/health`: it opens a fresh database connection per request (a Route 53 health
 * check must not be fooled by a pool), so at 1,000 req/s it benchmarks PostgreSQL forks.
 *
 * The probe is exactly what a drill runs: HttpTraffic (keep-alive, 2 s timeout, from the
 * schema's defaults) feeding a TrafficRecorder that batches to a real journal file, all
 * from dist/ (`--dist`, what `gameday run` ships) or from src/ under ts-node without it.
 *
 * 1. Precision: `--rate` req/s for `--duration` s. For a window of D seconds from the first
 *    due time t0, with every request released by the probe counted once it has an outcome
 *    (stop() waits for those in flight, each bounded by the 2 s timeout):
 *      target    = rate × D: the due times in [t0, t0 + D) the schedule owes;
 *      sent      = requests released for a due time in the window;
 *      on time   = sent whose send lag (release time − due time, HttpOutcome.sendLagMs) ≤ --on-time-ms;
 *      completed = sent answered with an HTTP response (any status) within the timeout;
 *      ok        = completed with a success status (200–399); errors = sent − ok;
 *      achieved  = ok ÷ D (served requests per second of schedule) — the pass criterion
 *                  is achieved ≥ 99% of rate; exit code 1 otherwise;
 *      throughput = outcomes whose end (due + latency) falls inside the window ÷ D, the
 *                  answers-per-second a closed-model tool would report.
 *    Send lag and latency (from the due time, so queueing counts) p50/p99/max.
 * 2. Ceiling: the probe at 1k, 2k, 4k, … req/s for --step-seconds each, then three bisection
 *    steps, against the lab endpoint and against a trivial Node HTTP server in its own
 *    process (`res.end('ok')`). Each step, and each autocannon run, first runs
 *    --warmup-seconds (default 1) that no figure counts: a new probe starts with no connection
 *    and, the first time a process runs a rate, opens hundreds while both sides are slow,
 *    which decided a 5 s step by its first half second; autocannon's first second ran at a
 *    fifth of its next in one check (10 connections, the test suite running beside it). A
 *    drill's traffic likewise runs through the steady-state phase before anything is
 *    judged. wrk reports only its whole run, so its figure includes the warm-up second. The
 *    ceiling is the highest rate *sustained*: achieved ≥ 99%
 *    of target, and send-lag p99 and latency p99 (from schedule) both ≤ --lag-bound ms —
 *    the latency bound because a server falling behind still answers a few seconds' worth
 *    of queue within the 2 s timeout, which a short step would count as held. Then autocannon (closed model: 50
 *    connections, pipelining 1 and 10, --step-seconds, 2 s timeout, programmatic API,
 *    one thread like the probe) and wrk against the same two URLs. The probe's search,
 *    autocannon's runs and wrk's run in rounds, --reference-runs of them (default 3), and
 *    each reports the median of its rounds: on two cores shared by client and server, one
 *    5 s run of autocannon against the same idle server varied 26,000–39,000 req/s from run
 *    to run, and one search of the probe's was decided by a single stall in one step, so one
 *    of either alone would decide the ratio. The probe split across --workers threads is
 *    searched in the first round only.
 *
 * Why the two differ: autocannon is a closed model — each connection sends its next
 * request only when the previous answer is in, so it measures how fast the server can
 * turn requests round at a fixed concurrency, and a slow server just lowers its rate
 * (coordinated omission). The probe is an open model: it must release every request at
 * its due time whatever the answers do, opening more connections if they are busy; it
 * pays a timer, a promise chain, an outcome record and a journal row per request, and
 * counts a rate as held only if it was held on schedule. Its ceiling is the highest
 * schedule it can keep, which is lower than the fastest a server can be hammered.
 * Everything shares the machine's two cores: the bench process (probe or autocannon),
 * the lab daemon (ingress proxy, DNS, health checks), the app and PostgreSQL, or the
 * trivial server; each figure is bounded by whichever of those saturates first.
 *
 * Progress goes to stderr; a summary and one JSON line to stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import autocannon from 'autocannon';
import type { HttpOutcome } from '../src/probes/http-traffic';
import type { RunningLab } from '../src/lab/manager';
import { percentile } from '../src/measure/percentiles';
import { StringTable } from '../src/probes/string-table';

type StartLab = typeof import('../src/lab/manager').startLab;

/** The probe's classes, from dist/ or src/: the code under measurement. */
export interface ProbeModules {
  trafficFor: typeof import('../src/probes/traffic-workers').trafficFor;
  TrafficRecorder: typeof import('../src/probes/recorder').TrafficRecorder;
  Journal: typeof import('../src/core/journal').Journal;
  httpProbeSchema: typeof import('../src/probes/http').httpProbeSchema;
  now: typeof import('../src/core/clock').now;
}

export function probeModules(root: string): ProbeModules {
  const load = (file: string) => require(path.join(root, file));
  return {
    trafficFor: load('probes/traffic-workers').trafficFor,
    TrafficRecorder: load('probes/recorder').TrafficRecorder,
    Journal: load('core/journal').Journal,
    httpProbeSchema: load('probes/http').httpProbeSchema,
    now: load('core/clock').now,
  };
}

export interface Spread {
  p50: number | null;
  p99: number | null;
  max: number | null;
}

export interface OpenModelReport {
  rate: number;
  /** Worker threads the probe split its schedule across (1: the probe's own thread). */
  workers: number;
  durationMs: number;
  /** Run before the window and left out of every figure: the schedule was running, nothing was judged. */
  warmupMs: number;
  target: number;
  sent: number;
  onTime: number;
  onTimeMs: number;
  completed: number;
  ok: number;
  errors: number;
  errorCodes: Record<string, number>;
  /** ok ÷ D, req/s. */
  achievedRate: number;
  /** achievedRate ÷ rate. */
  achievedRatio: number;
  /** Outcomes ending inside the window ÷ D, req/s. */
  throughput: number;
  sendLagMs: Spread;
  latencyMs: Spread;
  /** The bench process's CPU time over the run's wall time (100 = one core; its worker threads included). */
  cpuPercent: number;
  /** The whole machine's busy CPU time over the run's wall time, every process (100 per core). */
  machineCpuPercent: number;
}

/** Waits until the whole machine is at most `busyPercent` busy (100 per core) over half a second, or `limitMs`. */
async function machineQuiet(busyPercent = 30, limitMs = 15_000): Promise<void> {
  const until = performance.now() + limitMs;
  for (;;) {
    const before = machineCpu();
    await sleep(500);
    if (machineBusyPercent(before, machineCpu()) <= busyPercent || performance.now() >= until) return;
  }
}

/** How busy the whole machine was between two machineCpu() readings, 100 per core. */
function machineBusyPercent(before: MachineCpu, after: MachineCpu): number {
  return ((after.busy - before.busy) / (after.total - before.total)) * os.cpus().length * 100;
}

type MachineCpu = ReturnType<typeof machineCpu>;

/** Busy and total CPU time of every core so far, ms (os.cpus()). */
function machineCpu(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const { user, nice, sys, idle, irq } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + idle + irq;
  }
  return { busy, total };
}

function spread(values: Float64Array): Spread {
  const sorted = values.sort();
  const list = Array.from(sorted);
  const round = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);
  return { p50: round(percentile(list, 50)), p99: round(percentile(list, 99)), max: round(percentile(list, 100)) };
}

/** Every outcome of one run as columns, and the figures of those due inside the window. */
class OutcomeColumns {
  private length = 0;
  private due = new Float64Array(1 << 16);
  private sendLag = new Float64Array(1 << 16);
  private latency = new Float64Array(1 << 16);
  private status = new Int32Array(1 << 16);
  private ok = new Uint8Array(1 << 16);
  private code = new Uint16Array(1 << 16);
  private readonly codes = new StringTable();

  push(outcome: HttpOutcome): void {
    if (this.length === this.due.length) this.grow();
    const index = this.length++;
    this.due[index] = outcome.t;
    this.sendLag[index] = outcome.sendLagMs;
    this.latency[index] = outcome.latencyMs;
    this.status[index] = outcome.status;
    this.ok[index] = outcome.ok ? 1 : 0;
    this.code[index] = outcome.ok ? 0 : this.codes.intern(outcome.error || `HTTP ${outcome.status}`);
  }

  firstDue(): number {
    let first = Infinity;
    for (let index = 0; index < this.length; index++) first = Math.min(first, this.due[index]);
    return first;
  }

  /** Outcomes due in [start, end). */
  window(start: number, end: number, onTimeMs: number) {
    const sendLagMs: number[] = [];
    const latencyMs: number[] = [];
    const errorCodes: Record<string, number> = {};
    let ok = 0;
    let onTime = 0;
    let completed = 0;
    let endedInside = 0;
    for (let index = 0; index < this.length; index++) {
      if (this.due[index] < start || this.due[index] >= end) continue;
      sendLagMs.push(this.sendLag[index]);
      latencyMs.push(this.latency[index]);
      if (this.ok[index]) ok++;
      else {
        const code = this.codes.at(this.code[index]);
        errorCodes[code] = (errorCodes[code] ?? 0) + 1;
      }
      if (this.sendLag[index] <= onTimeMs) onTime++;
      if (this.status[index] > 0) completed++;
      if (this.due[index] + this.latency[index] <= end) endedInside++;
    }
    return {
      sent: sendLagMs.length,
      ok,
      onTime,
      completed,
      endedInside,
      errorCodes,
      sendLagMs: Float64Array.from(sendLagMs),
      latencyMs: Float64Array.from(latencyMs),
    };
  }

  private grow(): void {
    const size = this.due.length * 2;
    const grown = <T extends Float64Array | Int32Array | Uint8Array | Uint16Array>(column: T): T => {
      const next = new (column.constructor as new (size: number) => T)(size);
      next.set(column);
      return next;
    };
    this.due = grown(this.due);
    this.sendLag = grown(this.sendLag);
    this.latency = grown(this.latency);
    this.status = grown(this.status);
    this.ok = grown(this.ok);
    this.code = grown(this.code);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One open-model run of the real probe against `url`. `onOutcome` sees every outcome,
 * including any released after the window (which the report leaves out).
 */
export async function runOpenModel(
  modules: ProbeModules,
  url: string,
  options: {
    rate: number;
    durationMs: number;
    workers?: number;
    onTimeMs?: number;
    /** Run the schedule this long before the window starts (0: the window starts at the first due time). */
    warmupMs?: number;
    onOutcome?: (outcome: HttpOutcome) => void;
  },
): Promise<OpenModelReport> {
  const { rate, durationMs } = options;
  const warmupMs = options.warmupMs ?? 0;
  const workers = options.workers ?? 1;
  const onTimeMs = options.onTimeMs ?? 10;
  const probe = modules.httpProbeSchema.parse({ kind: 'http', url, rate, workers });
  const journalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-bench-traffic-'));
  const journal = modules.Journal.create(journalDir);
  const recorder = new modules.TrafficRecorder(journal, probe.name);
  const traffic = modules.trafficFor(probe, url);
  // Columns, not the outcome objects: a drill's recorder keeps none, and holding hundreds of
  // thousands would tax the probe under test with garbage collection a drill never pays.
  const outcomes = new OutcomeColumns();
  traffic.onOutcome((outcome) => {
    recorder.add(outcome);
    outcomes.push(outcome);
    options.onOutcome?.(outcome);
  });
  try {
    await traffic.ready();
    const startedAt = modules.now();
    traffic.start();
    const windowAt = startedAt + warmupMs;
    for (let left = windowAt - modules.now(); left > 0; left = windowAt - modules.now()) await sleep(left);
    const machineBefore = machineCpu();
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    // Past the window's last due time by a margin, so a due time just inside it is not
    // cut off by stop() racing the scheduler's own timer.
    const stopAt = windowAt + durationMs + 10;
    for (let left = stopAt - modules.now(); left > 0; left = stopAt - modules.now()) await sleep(left);
    await traffic.stop();
    const cpu = process.cpuUsage(cpuBefore);
    const cpuPercent = Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore)) * 1000) / 10;
    const machineCpuPercent = Math.round(machineBusyPercent(machineBefore, machineCpu()) * 10) / 10;

    const t0 = outcomes.firstDue() + warmupMs;
    const end = t0 + durationMs;
    const seconds = durationMs / 1000;
    const window = outcomes.window(t0, end, onTimeMs);
    const { ok, errorCodes } = window;
    const achievedRate = ok / seconds;
    return {
      rate,
      workers,
      durationMs,
      warmupMs,
      target: Math.ceil(rate * seconds),
      sent: window.sent,
      onTime: window.onTime,
      onTimeMs,
      completed: window.completed,
      ok,
      errors: window.sent - ok,
      errorCodes,
      achievedRate: Math.round(achievedRate * 10) / 10,
      achievedRatio: Math.round((achievedRate / rate) * 10_000) / 10_000,
      throughput: Math.round((window.endedInside / seconds) * 10) / 10,
      sendLagMs: spread(window.sendLagMs),
      latencyMs: spread(window.latencyMs),
      cpuPercent,
      machineCpuPercent,
    };
  } finally {
    await traffic.stop();
    recorder.close();
    journal.close();
    fs.rmSync(journalDir, { recursive: true, force: true });
  }
}

/** Held: served at ≥ 99% of the rate, sent on schedule, answered without a growing queue. */
export function sustained(report: OpenModelReport, boundMs: number): boolean {
  return (
    report.achievedRatio >= 0.99 &&
    (report.sendLagMs.p99 ?? Infinity) <= boundMs &&
    (report.latencyMs.p99 ?? Infinity) <= boundMs
  );
}

export interface CeilingReport {
  /** The highest rate sustained; 0 when none was. */
  ceiling: number;
  steps: OpenModelReport[];
}

/**
 * Doubling from `startRate` until a step is not sustained (or `maxRate`, by default the
 * schema's cap), then three bisection steps between the last held and the first failed rate.
 */
export async function probeCeiling(
  modules: ProbeModules,
  url: string,
  options: {
    startRate: number;
    stepMs: number;
    warmupMs: number;
    lagBoundMs: number;
    workers?: number;
    maxRate?: number;
    progress?: (step: OpenModelReport, held: boolean) => void;
  },
): Promise<CeilingReport> {
  const maxRate = options.maxRate ?? 200_000;
  const steps: OpenModelReport[] = [];
  let held = 0;
  let failed: number | null = null;
  const step = async (rate: number) => {
    const report = await runOpenModel(modules, url, {
      rate,
      durationMs: options.stepMs,
      warmupMs: options.warmupMs,
      workers: options.workers,
    });
    steps.push(report);
    const ok = sustained(report, options.lagBoundMs);
    options.progress?.(report, ok);
    if (ok) held = Math.max(held, rate);
    else failed = Math.min(failed ?? Infinity, rate);
    // A failed step leaves the server a backlog and the bench process the garbage of every connection it opened:
    // the next step starts once the machine is quiet again. After a fixed 3 s, a 24,000 req/s step following a failed
    // 32,000 used 94 % of a core in one run and 63 % in another.
    await sleep(500);
    if (!ok) await machineQuiet();
  };
  for (let rate = options.startRate; failed === null; rate = Math.min(rate * 2, maxRate)) {
    await step(rate);
    if (rate === maxRate) break;
  }
  for (let i = 0; i < 3 && failed !== null; i++) {
    const mid = Math.round((held + failed) / 2 / 100) * 100;
    if (mid <= held || mid >= failed) break;
    await step(mid);
  }
  return { ceiling: held, steps };
}

export interface ClosedModelReport {
  connections: number;
  pipelining: number;
  seconds: number;
  /** Whole seconds run first and left out of `rate`. */
  warmupSeconds: number;
  /** autocannon's response count of every second it ran, the warm-up's included. */
  perSecond: number[];
  /** The mean of autocannon's per-second response counts after the warm-up (its own `requests.average` without one). */
  rate: number;
  total: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latencyMs: { p50: number; p99: number; max: number };
}

export async function runClosedModel(
  url: string,
  options: { connections: number; pipelining: number; seconds: number; warmupSeconds?: number },
): Promise<ClosedModelReport> {
  const warmupSeconds = options.warmupSeconds ?? 0;
  // Its 'tick' each second carries the responses of that second, the counts `requests.average` is the mean of;
  // a tick event costs autocannon nothing per request, where a 'response' listener would.
  const perSecond: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: options.connections,
        pipelining: options.pipelining,
        duration: warmupSeconds + options.seconds,
        timeout: 2,
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    (instance as NodeJS.EventEmitter).on('tick', (tick: { counter: number }) => perSecond.push(tick.counter));
  });
  const counted = perSecond.slice(warmupSeconds, warmupSeconds + options.seconds);
  if (counted.length < options.seconds)
    throw new Error(`autocannon reported ${perSecond.length} seconds of ${warmupSeconds + options.seconds}`);
  return {
    connections: options.connections,
    pipelining: options.pipelining,
    seconds: result.duration,
    warmupSeconds,
    perSecond,
    rate: Math.round(counted.reduce((sum, count) => sum + count, 0) / counted.length),
    total: result.requests.total,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
  };
}

export interface WrkReport {
  threads: number;
  connections: number;
  seconds: number;
  /** wrk's Requests/sec: every answer, whatever its status. */
  rate: number;
  total: number;
  non2xx3xx: number;
  socketErrors: number;
  latencyP99Ms: number | null;
}

/** wrk's report (`--latency`), parsed; exported for its test. */
export function parseWrk(
  output: string,
  options: { threads: number; connections: number; seconds: number },
): WrkReport {
  const number = (pattern: RegExp) => {
    const match = pattern.exec(output);
    return match ? Number(match[1]) : null;
  };
  const rate = number(/Requests\/sec:\s+([\d.]+)/);
  const total = number(/(\d+) requests in/);
  if (rate === null || total === null) throw new Error(`wrk printed no request rate:\n${output}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const p99 = /^\s*99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(output);
  const unit = { us: 0.001, ms: 1, s: 1000 } as const;
  return {
    ...options,
    rate: Math.round(rate),
    total,
    non2xx3xx: number(/Non-2xx or 3xx responses: (\d+)/) ?? 0,
    socketErrors: errors ? errors.slice(1).reduce((sum, count) => sum + Number(count), 0) : 0,
    latencyP99Ms: p99 ? Math.round(Number(p99[1]) * unit[p99[2] as keyof typeof unit] * 100) / 100 : null,
  };
}

/**
 * wrk (Debian's /usr/bin/wrk, C, epoll): a second closed-model reference, one thread like the
 * probe and autocannon, `connections` connections each sending its next request when the
 * previous answer is in.
 */
export async function runWrk(
  url: string,
  options: { threads: number; connections: number; seconds: number },
): Promise<WrkReport> {
  const args = [
    `-t${options.threads}`,
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    '--timeout',
    '2s',
    '--latency',
    url,
  ];
  const child = spawn(wrkPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (code !== 0) throw new Error(`${wrkPath} ${args.join(' ')} exited with ${code}:\n${output}`);
  return parseWrk(output, options);
}

export const wrkPath = '/usr/bin/wrk';

/**
 * The smallest possible HTTP server, in a process of its own so it does not share the
 * probe's event loop: separates the probe's ceiling from the lab app's.
 */
export function startTrivialServer(): Promise<{ url: string; close: () => Promise<void> }> {
  return startServerProcess(`
    const server = require('node:http').createServer((req, res) => { req.resume(); res.end('ok'); });
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));
    process.stdin.on('end', () => process.exit(0)).resume();`);
}

/** Runs `script` (it prints the port it listens on, then serves until its stdin ends) in a Node process of its own. */
export async function startServerProcess(
  script: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ url: string; close: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'], env });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      lines.close();
      resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening`)));
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin?.end();
        child.kill('SIGTERM');
      }
      await exited;
    },
  };
}

// ------------------------------------------------------------------ command line

interface Args {
  rate: number;
  durationS: number;
  stepS: number;
  warmupS: number;
  lagBoundMs: number;
  onTimeMs: number;
  workers: number;
  referenceRuns: number;
  ceiling: boolean;
  lab: boolean;
  dist: boolean;
}

/** A ceiling step holds while its send-lag and latency p99 stay within this (`--lag-bound`); bench:opening too. */
export const defaultLagBoundMs = 100;

function parseArgs(argv: string[]): Args {
  const args: Args = {
    rate: 1000,
    durationS: 30,
    stepS: 5,
    warmupS: 1,
    lagBoundMs: defaultLagBoundMs,
    onTimeMs: 10,
    workers: 2,
    referenceRuns: 3,
    ceiling: true,
    lab: true,
    dist: false,
  };
  const numeric: Record<string, keyof Args> = {
    '--rate': 'rate',
    '--duration': 'durationS',
    '--step-seconds': 'stepS',
    '--lag-bound': 'lagBoundMs',
    '--on-time-ms': 'onTimeMs',
    '--workers': 'workers',
    '--reference-runs': 'referenceRuns',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag in numeric) {
      const text = inline ?? argv[++i];
      const value = Number(text);
      if (text === undefined || !Number.isFinite(value) || value <= 0) usage(`${flag} needs a positive number`);
      (args[numeric[flag]] as number) = value;
    } else if (flag === '--warmup-seconds') {
      const text = inline ?? argv[++i];
      const value = Number(text);
      if (text === undefined || !Number.isInteger(value) || value < 0 || value > 60)
        usage('--warmup-seconds is a whole number of seconds, 0–60 (autocannon counts responses a second at a time)');
      args.warmupS = value;
    } else if (flag === '--no-ceiling') args.ceiling = false;
    else if (flag === '--no-lab') args.lab = false;
    else if (flag === '--dist') args.dist = true;
    else if (flag === '-h' || flag === '--help') usage();
    else usage(`unknown argument ${argv[i]}`);
  }
  if (args.rate > 200_000) usage("--rate is at most 200000 (the probe schema's cap)");
  if (!Number.isInteger(args.workers) || args.workers < 2 || args.workers > 16)
    usage('--workers (the multi-threaded probe measured on the trivial server) is a whole number, 2–16');
  if (!Number.isInteger(args.referenceRuns) || args.referenceRuns % 2 === 0)
    usage('--reference-runs is an odd whole number (the median of the runs is reported)');
  return args;
}

function usage(problem?: string): never {
  if (problem) process.stderr.write(`bench traffic: ${problem}\n`);
  process.stderr.write(
    'usage: node -r ts-node/register/transpile-only bench/traffic.ts [--rate 1000] [--duration 30] ' +
      '[--step-seconds 5] [--warmup-seconds 1] [--lag-bound 100] [--on-time-ms 10] [--workers 2] ' +
      '[--reference-runs 3] [--no-ceiling] ' +
      '[--no-lab] [--dist]\n',
  );
  process.exit(problem ? 2 : 0);
}

const ms = (value: number | null) => (value === null ? '-' : `${value} ms`);

function describe(report: OpenModelReport): string {
  return (
    `${report.rate} req/s${report.workers > 1 ? ` (${report.workers} workers)` : ''} × ` +
    `${report.durationMs / 1000} s: ` +
    `target ${report.target}, sent ${report.sent} (on time ≤ ${report.onTimeMs} ms ${report.onTime}), ` +
    `completed ${report.completed}, ok ${report.ok}, errors ` +
    `${report.errors}${report.errors ? ` ${JSON.stringify(report.errorCodes)}` : ''}; ` +
    `achieved ${report.achievedRate} req/s (${(report.achievedRatio * 100).toFixed(2)}%), throughput ` +
    `${report.throughput} req/s; ` +
    `send lag p50 ${ms(report.sendLagMs.p50)} p99 ${ms(report.sendLagMs.p99)} max ${ms(report.sendLagMs.max)}; ` +
    `latency p50 ${ms(report.latencyMs.p50)} p99 ${ms(report.latencyMs.p99)} max ` +
    `${ms(report.latencyMs.max)}; bench CPU ${report.cpuPercent}%, machine CPU ${report.machineCpuPercent}%`
  );
}

let lab: RunningLab | null = null;
let trivial: { url: string; close: () => Promise<void> } | null = null;

async function cleanup(): Promise<void> {
  await Promise.allSettled([lab?.stop(), trivial?.close()]);
  lab = null;
  trivial = null;
}

/** A closed-model reference run --reference-runs times; its rate is the runs' median. */
interface Reference<Report extends { rate: number }> {
  rate: number;
  runs: Report[];
}

/** The median of one figure over an odd number of runs; 0 without runs. */
function medianOf<Run>(runs: Run[], figure: (run: Run) => number): number {
  return (
    percentile(
      runs.map(figure).sort((a, b) => a - b),
      50,
    ) ?? 0
  );
}

/** The median rate of an odd number of runs, and the runs. */
export function referenceOf<Report extends { rate: number }>(runs: Report[]): Reference<Report> {
  return { rate: medianOf(runs, (run) => run.rate), runs };
}

/** The probe's ceiling searched once per round; its ceiling is the searches' median. */
interface ProbeCeilings {
  ceiling: number;
  runs: CeilingReport[];
}

/** The median ceiling of an odd number of searches, and the searches. */
export function probeCeilingsOf(runs: CeilingReport[]): ProbeCeilings {
  return { ceiling: medianOf(runs, (run) => run.ceiling), runs };
}

interface Ceilings {
  url: string;
  probe: ProbeCeilings;
  /** The probe split across --workers threads (trivial server only), searched in the first round. */
  probeWorkers: CeilingReport | null;
  /** 50 connections, pipelining 1 then 10. */
  autocannon: [Reference<ClosedModelReport>, Reference<ClosedModelReport>];
  wrk: Reference<WrkReport>;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const root = path.resolve(__dirname, '..', args.dist ? 'dist' : 'src');
  if (args.dist && !fs.existsSync(path.join(root, 'probes', 'http-traffic.js')))
    usage(`${root} has no build; run \`npm run build\` first`);
  if (!fs.existsSync(wrkPath)) usage(`${wrkPath} is missing: apt-get install wrk`);
  const modules = probeModules(root);
  const { startLab } = require(path.join(root, 'lab', 'manager')) as { startLab: StartLab };
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const interrupted = () => {
    log('\ninterrupted; stopping the lab');
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  const loadBefore = os.loadavg();
  const startedAt = new Date().toISOString();
  log(`load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  const labDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-bench-lab-'));
  try {
    trivial = await startTrivialServer();
    let labUrl: string | null = null;
    if (args.lab) {
      log('starting a 2-region lab…');
      lab = await startLab({ ephemeral: true, labDir, regions: ['us-east-1', 'eu-west-1'] });
      const region = lab.state.regions.find((r) => r.name === 'us-east-1')!;
      for (let i = 0; i < 20; i++) {
        const response = await fetch(`${region.appUrl}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ item: `bench-${i}`, quantity: 1 }),
        });
        if (response.status !== 201)
          throw new Error(`seeding orders: HTTP ${response.status} ${await response.text()}`);
      }
      labUrl = `${region.appUrl}/orders?limit=20`;
      log(`endpoint GET ${labUrl} (us-east-1 ingress → app → local PostgreSQL)`);
    }
    const precisionUrl = labUrl ?? trivial.url;
    const precisionLabel = labUrl ? `GET ${labUrl} (lab us-east-1 app)` : `GET ${trivial.url} (trivial Node server)`;

    log(`precision: ${args.rate} req/s for ${args.durationS} s against ${precisionLabel}…`);
    const precision = await runOpenModel(modules, precisionUrl, {
      rate: args.rate,
      durationMs: args.durationS * 1000,
      onTimeMs: args.onTimeMs,
    });
    const passed = precision.achievedRatio >= 0.99;
    log(`  ${describe(precision)}`);

    const stepMs = args.stepS * 1000;
    const ceilings: Record<string, Ceilings> = {};
    if (args.ceiling) {
      const targets: Record<string, string> = labUrl ? { lab: labUrl, trivial: trivial.url } : { trivial: trivial.url };
      for (const [name, url] of Object.entries(targets)) {
        log(
          `ceiling against ${name} (${url}), ${args.stepS} s per step after ${args.warmupS} s of warm-up; ` +
            'sustained = achieved ≥ 99%, ' +
            `send-lag and latency p99 ≤ ${args.lagBoundMs} ms`,
        );
        const ceilingOf = (workers: number) =>
          probeCeiling(modules, url, {
            startRate: 1000,
            stepMs,
            warmupMs: args.warmupS * 1000,
            lagBoundMs: args.lagBoundMs,
            workers,
            progress: (step, held) => log(`  probe ${held ? 'held  ' : 'missed'} ${describe(step)}`),
          });
        // Rounds of the probe's search and the three references in turn, so a drift in the machine's state touches
        // each alike, and each side of the ratio is a median: one search alone was decided by one stall in one step.
        const probeRuns: CeilingReport[] = [];
        let probeWorkers: CeilingReport | null = null;
        const closed: [ClosedModelReport[], ClosedModelReport[]] = [[], []];
        const wrkRuns: WrkReport[] = [];
        for (let round = 1; round <= args.referenceRuns; round++) {
          log(`  round ${round} of ${args.referenceRuns}`);
          const probe = await ceilingOf(1);
          probeRuns.push(probe);
          log(`  probe ceiling, round ${round}: ${probe.ceiling} req/s`);
          if (round === 1 && name === 'trivial') {
            probeWorkers = await ceilingOf(args.workers);
            log(`  probe with ${args.workers} workers: ${probeWorkers.ceiling} req/s`);
          }
          for (const [index, pipelining] of [1, 10].entries()) {
            const result = await runClosedModel(url, {
              connections: 50,
              pipelining,
              seconds: args.stepS,
              warmupSeconds: args.warmupS,
            });
            closed[index].push(result);
            log(
              `  autocannon 50 connections × ${pipelining} pipelining, run ${round}: ${result.rate} req/s (2xx ` +
                `${result.ok2xx}, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ` +
                `${result.timeouts}; latency p50 ${result.latencyMs.p50} ms p99 ${result.latencyMs.p99} ms)`,
            );
            await sleep(1_000);
          }
          // wrk reports only its whole run: it runs the warm-up too, inside its figure (C, it has no JIT to warm).
          const wrk = await runWrk(url, { threads: 1, connections: 50, seconds: args.warmupS + args.stepS });
          wrkRuns.push(wrk);
          log(
            `  wrk 1 thread, 50 connections, run ${round}: ${wrk.rate} req/s (non-2xx/3xx ${wrk.non2xx3xx}, ` +
              `socket errors ${wrk.socketErrors}; latency p99 ${ms(wrk.latencyP99Ms)})`,
          );
          await sleep(1_000);
        }
        ceilings[name] = {
          url,
          probe: probeCeilingsOf(probeRuns),
          probeWorkers,
          autocannon: [referenceOf(closed[0]), referenceOf(closed[1])],
          wrk: referenceOf(wrkRuns),
        };
      }
    }
    const loadAfter = os.loadavg();

    const out = (line: string) => process.stdout.write(`${line}\n`);
    out(
      `${startedAt}; load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ` +
        `${loadAfter.map((l) => l.toFixed(2)).join(' ')}`,
    );
    out(`open-model precision, ${precisionLabel}, ${args.rate} req/s for ${args.durationS} s:`);
    out(
      `  target ${precision.target}; sent ${precision.sent}, on time (≤ ${precision.onTimeMs} ms ` +
        `late) ${precision.onTime}; completed ${precision.completed}; ok ${precision.ok}, errors ${precision.errors}`,
    );
    out(
      `  achieved ${precision.achievedRate} req/s = ${(precision.achievedRatio * 100).toFixed(2)}% ` +
        `of target (criterion ≥ 99%): ${passed ? 'PASS' : 'FAIL'}; answers in the window ${precision.throughput} req/s`,
    );
    out(
      `  send lag p50 ${ms(precision.sendLagMs.p50)}, p99 ${ms(precision.sendLagMs.p99)}, max ` +
        `${ms(precision.sendLagMs.max)}; latency from schedule p50 ${ms(precision.latencyMs.p50)}, ` +
        `p99 ${ms(precision.latencyMs.p99)}, max ${ms(precision.latencyMs.max)}; bench process CPU ` +
        `${precision.cpuPercent}% of a core`,
    );
    if (args.ceiling) {
      out(
        `throughput ceiling (${args.stepS} s per step after ${args.warmupS} s of warm-up, which no figure counts ` +
          `but wrk's; probe sustained = achieved ≥ 99%, send-lag ` +
          `and latency p99 ≤ ${args.lagBoundMs} ms; the probe's search, autocannon and wrk: the median of ` +
          `${args.referenceRuns} rounds):`,
      );
      out(
        `| endpoint | traffic probe (open model) | probe, ${args.workers} worker threads | autocannon 50 conn | ` +
          'autocannon 50 conn × 10 pipelined | wrk 50 conn |',
      );
      out('|---|---|---|---|---|---|');
      for (const [name, result] of Object.entries(ceilings)) {
        const label = name === 'lab' ? 'lab app GET /orders?limit=20' : 'trivial Node server';
        out(
          `| ${label} | ${result.probe.ceiling} req/s | ` +
            `${result.probeWorkers ? `${result.probeWorkers.ceiling} req/s` : '-'} | ` +
            `${result.autocannon[0].rate} req/s | ${result.autocannon[1].rate} req/s | ${result.wrk.rate} req/s |`,
        );
      }
      for (const [name, result] of Object.entries(ceilings)) {
        const ratio = (rate: number) => (result.autocannon[0].rate ? rate / result.autocannon[0].rate : 0).toFixed(2);
        out(
          `${name}: traffic probe ceiling ${result.probe.ceiling} req/s (open model, latency from schedule; ` +
            `median of ${result.probe.runs.map((run) => run.ceiling).join(', ')}) = ` +
            `${ratio(result.probe.ceiling)}× autocannon's ${result.autocannon[0].rate} req/s (50 connections, ` +
            `closed model, median of ${result.autocannon[0].runs.map((run) => run.rate).join(', ')} in this run)` +
            (result.probeWorkers
              ? `; with ${args.workers} workers ${result.probeWorkers.ceiling} req/s = ` +
                `${ratio(result.probeWorkers.ceiling)}×`
              : '') +
            `; wrk ${result.wrk.rate} req/s`,
        );
      }
      const trivialSteps = ceilings.trivial?.probe.runs[0].steps.find((step) => step.rate === 1000);
      if (trivialSteps)
        out(`send-lag p99 at 1,000 req/s (trivial server, ceiling's first step): ${ms(trivialSteps.sendLagMs.p99)}`);
    }
    out(`send-lag p99 at ${args.rate} req/s (precision run): ${ms(precision.sendLagMs.p99)}`);
    out(
      JSON.stringify({
        bench: 'traffic',
        source: args.dist ? 'dist' : 'src',
        startedAt,
        node: process.version,
        platform: `${os.platform()}-${os.arch()}`,
        cpus: os.cpus().length,
        loadavg: { before: loadBefore, after: loadAfter },
        endpoint: precisionUrl,
        precision: { ...precision, passed },
        lagBoundMs: args.lagBoundMs,
        warmupSeconds: args.warmupS,
        ceilings,
      }),
    );
    process.exitCode = passed ? 0 : 1;
  } finally {
    await cleanup();
    fs.rmSync(labDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`bench traffic: ${(error as Error).stack ?? error}\n`);
    void cleanup().finally(() => process.exit(1));
  });
}
