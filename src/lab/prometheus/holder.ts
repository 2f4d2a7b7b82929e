import { LabPrometheus, type RuleFileInput, type RuleFileLoad } from './server';

/** Where a lab's Prometheus lives and what it scrapes, as the lab knows it. */
export interface PrometheusPlace {
  dir: string;
  logFile: string;
  apps: Array<{ region: string; address: string; port: number }>;
}

/** What the lab says of its Prometheus: where it answers, since when, and what it evaluates. */
export interface PrometheusStatus {
  url: string;
  pid: number;
  dataDir: string;
  /** Epoch ms: its data begins here. */
  startedAt: number;
  startupMs: number;
  scrapeIntervalMs: number;
  evaluationIntervalMs: number;
  ruleFiles: RuleFileLoad[];
}

export const labScrapeIntervalMs = 1_000;
export const defaultEvaluationIntervalMs = 1_000;

/**
 * The lab's one Prometheus, started on demand and kept until stopped or the lab closes.
 * Starts, rule loads and stops are serialised: two runs asking at once get one server.
 */
export class LabPrometheusHolder {
  private server: LabPrometheus | null = null;
  private ruleFiles: RuleFileLoad[] = [];
  private evaluationIntervalMs = defaultEvaluationIntervalMs;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly place: () => PrometheusPlace) {}

  /** Starts it unless it runs; `started` says whether this call did. */
  start(options: {
    labMetrics: string;
    evaluationIntervalMs?: number;
  }): Promise<{ status: PrometheusStatus; started: boolean }> {
    return this.serialised(async () => {
      if (this.server?.running) return { status: this.statusOf(this.server), started: false };
      const place = this.place();
      this.evaluationIntervalMs = options.evaluationIntervalMs ?? defaultEvaluationIntervalMs;
      this.ruleFiles = [];
      this.server = await LabPrometheus.start({
        dir: place.dir,
        logFile: place.logFile,
        targets: { apps: place.apps, lab: options.labMetrics },
        scrapeIntervalMs: labScrapeIntervalMs,
        evaluationIntervalMs: this.evaluationIntervalMs,
      });
      return { status: this.statusOf(this.server), started: true };
    });
  }

  /** Replaces the rule files it evaluates; it must be running. */
  loadRules(files: RuleFileInput[], evaluationIntervalMs = defaultEvaluationIntervalMs): Promise<PrometheusStatus> {
    return this.serialised(async () => {
      const server = this.server;
      if (!server?.running) throw new Error("the lab's Prometheus is not running; start it first");
      this.ruleFiles = await server.loadRules(files, evaluationIntervalMs);
      this.evaluationIntervalMs = evaluationIntervalMs;
      return this.statusOf(server);
    });
  }

  stop(): Promise<void> {
    return this.serialised(async () => {
      const server = this.server;
      this.server = null;
      this.ruleFiles = [];
      await server?.stop();
    });
  }

  status(): PrometheusStatus | null {
    return this.server?.running ? this.statusOf(this.server) : null;
  }

  private statusOf(server: LabPrometheus): PrometheusStatus {
    return {
      url: server.url,
      pid: server.pid,
      dataDir: server.dataDir,
      startedAt: server.startedAt,
      startupMs: server.startupMs,
      scrapeIntervalMs: server.scrapeIntervalMs,
      evaluationIntervalMs: this.evaluationIntervalMs,
      ruleFiles: this.ruleFiles,
    };
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
