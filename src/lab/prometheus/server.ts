import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { isExecutableFile } from '../../core/executable';

/**
 * The lab's Prometheus: the real server (Debian's `prometheus` package, or the binary
 * PROMETHEUS_BIN names) in its own process, scraping every region's app and the lab's own
 * metrics every second with `region` labels, and evaluating the rule files a run loads
 * into it. Started only when something asks for it (a run that needs PromQL, or `gameday
 * lab up --prometheus`), so a lab without it starts as fast as before.
 */

export class PrometheusLabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrometheusLabError';
  }
}

export interface PrometheusTargets {
  /** Each region's app, scraped directly (as an agent in the region would), with its region as a label. */
  apps: Array<{ region: string; address: string; port: number }>;
  /** host:port of the lab's own /metrics (health checks, databases, replication lag). */
  lab: string;
}

export interface PrometheusStartOptions {
  /** Its config, rules and data live here. */
  dir: string;
  logFile: string;
  targets: PrometheusTargets;
  scrapeIntervalMs: number;
  evaluationIntervalMs: number;
}

/** A rule file as a run hands it over: its name (for messages and reports) and its text. */
export interface RuleFileInput {
  name: string;
  content: string;
}

export const labAppJob = 'gameday-lab-app';
export const labJob = 'gameday-lab';
const readyTimeoutMs = 30_000;
const stopTimeoutMs = 5_000;

/** The prometheus binary: PROMETHEUS_BIN when set (and then it must be there), else Debian's, else one on PATH. */
export function findPrometheusBinary(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.PROMETHEUS_BIN;
  if (explicit) {
    if (isExecutableFile(explicit)) return explicit;
    throw new PrometheusLabError(`PROMETHEUS_BIN=${explicit} is not an executable file`);
  }
  const candidates = [
    '/usr/bin/prometheus',
    ...(env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'prometheus')),
  ];
  const found = candidates.find((file) => isExecutableFile(file));
  if (found) return found;
  throw new PrometheusLabError(
    'Prometheus is not installed: `apt-get install prometheus` (Debian, Ubuntu), or set PROMETHEUS_BIN to a ' +
      'prometheus binary (2.x)',
  );
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Prometheus's configuration, as JSON (which is YAML): the lab's scrape jobs and the run's rule files. */
export function prometheusConfig(options: Omit<PrometheusStartOptions, 'logFile'>): string {
  const interval = `${options.scrapeIntervalMs}ms`;
  return JSON.stringify(
    {
      global: {
        scrape_interval: interval,
        scrape_timeout: interval,
        evaluation_interval: `${options.evaluationIntervalMs}ms`,
      },
      rule_files: [path.join(options.dir, 'rules', '*.yml')],
      scrape_configs: [
        {
          job_name: labAppJob,
          // The app labels its own series with its region; the target carries it too, for `up`.
          honor_labels: true,
          static_configs: options.targets.apps.map((app) => ({
            targets: [`${app.address}:${app.port}`],
            labels: { region: app.region },
          })),
        },
        { job_name: labJob, static_configs: [{ targets: [options.targets.lab] }] },
      ],
    },
    null,
    2,
  );
}

export class LabPrometheus {
  /** From the spawn to every target scraped once. */
  startupMs = 0;

  private constructor(
    private readonly child: ChildProcess,
    private readonly options: PrometheusStartOptions,
    readonly url: string,
    /** Epoch ms it was started: what it knows begins here. */
    readonly startedAt: number,
    private evaluationIntervalMs: number,
    private exited: Promise<void>,
  ) {}

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get dataDir(): string {
    return path.join(this.options.dir, 'data');
  }

  get scrapeIntervalMs(): number {
    return this.options.scrapeIntervalMs;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  static async start(options: PrometheusStartOptions): Promise<LabPrometheus> {
    const binary = findPrometheusBinary();
    fs.rmSync(options.dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(options.dir, 'rules'), { recursive: true });
    fs.mkdirSync(path.join(options.dir, 'data'), { recursive: true });
    fs.writeFileSync(path.join(options.dir, 'prometheus.yml'), prometheusConfig(options));
    const started = performance.now();
    const startedAt = Date.now();
    const port = await freePort('127.0.0.1');
    const url = `http://127.0.0.1:${port}`;
    const log = fs.openSync(options.logFile, 'a');
    const child = spawn(
      binary,
      [
        `--config.file=${path.join(options.dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(options.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // /-/reload: a run loads its rule files without a restart (and without losing what was scraped).
        '--web.enable-lifecycle',
        '--log.level=warn',
      ],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.once('error', () => undefined);
    const prometheus = new LabPrometheus(child, options, url, startedAt, options.evaluationIntervalMs, exited);
    try {
      await prometheus.waitUntil(readyTimeoutMs, async () => (await fetch(`${url}/-/ready`)).ok, 'ready');
      const expected = options.targets.apps.length + 1;
      await prometheus.waitUntil(
        readyTimeoutMs,
        async () => (await prometheus.instant('count(up == 1)')) === expected,
        `scraping its ${expected} targets`,
      );
    } catch (error) {
      await prometheus.stop();
      throw error;
    }
    prometheus.startupMs = Math.round(performance.now() - started);
    return prometheus;
  }

  /**
   * Replaces the rule files it evaluates (none: it evaluates nothing) and sets its evaluation interval, then reloads.
   * A file Prometheus rejects leaves the previous rules in place and is said in the error.
   */
  async loadRules(files: RuleFileInput[], evaluationIntervalMs: number): Promise<RuleFileLoad[]> {
    const rulesDir = path.join(this.options.dir, 'rules');
    for (const file of fs.readdirSync(rulesDir)) fs.rmSync(path.join(rulesDir, file), { force: true });
    const loaded = files.map((file, index) => {
      const local = path.join(rulesDir, `${String(index + 1).padStart(2, '0')}-${safeName(file.name)}.yml`);
      fs.writeFileSync(local, file.content);
      return { name: file.name, path: local };
    });
    if (evaluationIntervalMs !== this.evaluationIntervalMs) {
      this.evaluationIntervalMs = evaluationIntervalMs;
      fs.writeFileSync(
        path.join(this.options.dir, 'prometheus.yml'),
        prometheusConfig({ ...this.options, evaluationIntervalMs }),
      );
    }
    const response = await fetch(`${this.url}/-/reload`, { method: 'POST', signal: AbortSignal.timeout(30_000) });
    if (!response.ok) {
      const text = (await response.text()).trim();
      const said = loaded.reduce((message, file) => message.split(file.path).join(file.name), text);
      throw new PrometheusLabError(`Prometheus refused the rule files: ${said}`);
    }
    return loaded;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const killed = setTimeout(() => this.child.kill('SIGKILL'), stopTimeoutMs);
    await this.exited;
    clearTimeout(killed);
  }

  /** One instant query's single value, or null (no result, an error). */
  private async instant(query: string): Promise<number | null> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(query)}`);
    if (!response.ok) return null;
    const body = (await response.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
    const value = body.data?.result?.[0]?.value?.[1];
    return value === undefined ? null : Number(value);
  }

  private async waitUntil(timeoutMs: number, condition: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running)
        throw new PrometheusLabError(`Prometheus exited before it was ${what}; see ${this.options.logFile}`);
      if (await condition().catch(() => false)) return;
      if (Date.now() > deadline)
        throw new PrometheusLabError(
          `Prometheus was not ${what} within ${timeoutMs / 1000} s; see ${this.options.logFile}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

export interface RuleFileLoad {
  /** As the run named it. */
  name: string;
  /** Where Prometheus reads it (its /api/v1/rules names this). */
  path: string;
}

function safeName(name: string): string {
  return (
    path
      .basename(name)
      .replace(/\.(ya?ml)$/i, '')
      .replace(/[^A-Za-z0-9_.-]/g, '_')
      .slice(0, 60) || 'rules'
  );
}
