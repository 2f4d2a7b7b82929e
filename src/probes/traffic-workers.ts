import path from 'node:path';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Worker } from 'node:worker_threads';
import { now } from '../core/clock';
import { HttpTraffic, type HttpOutcome, type HttpTrafficSpec } from './http-traffic';
import { readOutcomeBatch, type OutcomeBatch } from './outcome-batch';
import { shareOf, type ScheduleShare } from './shares';

/** What a worker thread is given. */
export interface WorkerSetup {
  probe: HttpTrafficSpec;
  url: string;
  share: ScheduleShare;
  /** Whether names are resolved by the probe's thread (the run's resolver), else by the system's. */
  lookup: boolean;
}

export type ToWorker =
  | { type: 'start'; t0: number }
  | { type: 'stop' }
  | {
      type: 'lookup';
      id: number;
      addresses: LookupAddress[];
      error?: { code: string | undefined; message: string };
    };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'outcomes'; batch: OutcomeBatch }
  | { type: 'lookup'; id: number; hostname: string }
  /** `sent`: how many requests it released in all. */
  | { type: 'stopped'; sent: number };

/** An http probe's traffic, on this thread or across worker threads. */
export interface Traffic {
  onOutcome(listener: (outcome: HttpOutcome) => void): void;
  /** Resolves once it can start on time (worker threads loaded). */
  ready(): Promise<void>;
  dueBefore(t: number): number;
  start(): void;
  stop(): Promise<void>;
}

/** The probe's traffic: on this thread with one worker, split across `workers` threads with more. */
export function trafficFor(
  probe: HttpTrafficSpec & { workers: number },
  url: string,
  options: { lookup?: LookupFunction } = {},
): Traffic {
  if (probe.workers <= 1) {
    const traffic = new HttpTraffic(probe, url, options);
    return Object.assign(traffic, { ready: () => Promise.resolve() });
  }
  return new WorkerTraffic(probe, url, probe.workers, options.lookup);
}

/**
 * A worker's node options: the parent's, with ts-node preloaded only for a TypeScript worker (tests, the benchmark
 * from src/). A compiled worker started by a parent that runs under ts-node (the benchmark with --dist) must not load
 * the TypeScript compiler and its stack-trace hooks: they cost each worker a few hundred ms of CPU and make every
 * error's stack expensive.
 */
export function workerExecArgv(parent: readonly string[], typescript: boolean): string[] {
  const kept: string[] = [];
  for (let index = 0; index < parent.length; index++) {
    const flag = parent[index];
    if ((flag === '-r' || flag === '--require') && parent[index + 1]?.startsWith('ts-node')) index++;
    else if (/^(-r|--require)=ts-node/.test(flag)) continue;
    else kept.push(flag);
  }
  return typescript ? [...kept, '-r', 'ts-node/register/transpile-only'] : kept;
}

/**
 * One probe's schedule split across worker threads, each sending its interleaved share
 * (shareOf) from the same origin, for rates one thread's CPU cannot hold. Their outcomes
 * are merged here, on the probe's thread, into the same listeners a single-threaded probe
 * feeds (the recorder, the journal), in batches every 20 ms. Name lookups are answered
 * here, through the probe's own lookup, so the workers share one DNS cache.
 */
export class WorkerTraffic implements Traffic {
  private readonly workers: Worker[] = [];
  private readonly listeners: Array<(outcome: HttpOutcome) => void> = [];
  private readonly intervalMs: number;
  private readonly loaded: Promise<void>;
  private t0: number | null = null;
  /** Requests the workers released, once they have all stopped. */
  private sent = 0;
  private allStopped = false;
  private stopping: Promise<void> | null = null;
  private failure: Error | null = null;
  private readonly stopped: Array<Promise<void>> = [];

  constructor(
    probe: HttpTrafficSpec,
    url: string,
    count: number,
    private readonly lookup: LookupFunction | undefined,
  ) {
    this.intervalMs = 1000 / probe.rate;
    const script = path.join(__dirname, `traffic-worker${path.extname(__filename)}`);
    const execArgv = workerExecArgv(process.execArgv, script.endsWith('.ts'));
    const ready: Array<Promise<void>> = [];
    for (let index = 0; index < count; index++) {
      const setup: WorkerSetup = { probe, url, share: shareOf(probe.rate, count, index), lookup: Boolean(lookup) };
      const worker = new Worker(script, { workerData: setup, execArgv });
      this.workers.push(worker);
      let markReady!: () => void;
      let markStopped!: () => void;
      ready.push(new Promise<void>((resolve) => (markReady = resolve)));
      this.stopped.push(new Promise<void>((resolve) => (markStopped = resolve)));
      let finished = false;
      const fail = (error: Error) => {
        this.failure ??= new Error(`traffic worker ${index + 1} of ${count} failed: ${error.message}`);
        markReady();
        markStopped();
      };
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'outcomes') this.deliver(message.batch);
        else if (message.type === 'lookup') this.answer(worker, message.id, message.hostname);
        else if (message.type === 'ready') markReady();
        else if (message.type === 'stopped') {
          finished = true;
          this.sent += message.sent;
          markStopped();
        }
      });
      worker.on('error', fail);
      worker.on('exit', (code) => {
        // After its last outcomes it is terminated (exit code 1); before, an exit is a failure.
        if (!finished) fail(new Error(`exited with code ${code} before it was stopped`));
        markStopped();
      });
    }
    this.loaded = Promise.all(ready).then(() => {
      if (this.failure) throw this.failure;
    });
  }

  onOutcome(listener: (outcome: HttpOutcome) => void): void {
    this.listeners.push(listener);
  }

  ready(): Promise<void> {
    return this.loaded;
  }

  /**
   * Due times of the whole schedule before t, up to now: what the workers together owe. Once they have stopped, at most
   * what they released.
   */
  dueBefore(t: number): number {
    if (this.t0 === null) return 0;
    const dueBy = (until: number) => Math.max(0, Math.ceil((until - this.t0!) / this.intervalMs));
    return this.allStopped ? Math.min(dueBy(t), this.sent) : dueBy(Math.min(t, now()));
  }

  start(): void {
    if (this.t0 !== null) return;
    this.t0 = now();
    for (const worker of this.workers) worker.postMessage({ type: 'start', t0: this.t0 } satisfies ToWorker);
  }

  /** Stops every worker after its requests in flight (each bounded by the timeout) and their outcomes are in. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    for (const worker of this.workers) worker.postMessage({ type: 'stop' } satisfies ToWorker);
    await Promise.all(this.stopped);
    this.allStopped = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
    if (this.failure) throw this.failure;
  }

  private deliver(batch: OutcomeBatch): void {
    for (const outcome of readOutcomeBatch(batch)) for (const listener of this.listeners) listener(outcome);
  }

  private answer(worker: Worker, id: number, hostname: string): void {
    const reply = (message: ToWorker) => worker.postMessage(message);
    if (!this.lookup) return;
    this.lookup(hostname, { all: true }, (error, addresses) => {
      if (error) reply({ type: 'lookup', id, addresses: [], error: { code: error.code, message: error.message } });
      else reply({ type: 'lookup', id, addresses: addresses as unknown as LookupAddress[] });
    });
  }
}
