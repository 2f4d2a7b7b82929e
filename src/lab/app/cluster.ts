import cluster, { type Worker } from 'node:cluster';
import type { AppCapacity, AppConfig } from './config';
import type { AppEvent } from './server';

/**
 * A region's fleet: the app as `capacity.workers` worker processes sharing its port (the
 * cluster hands each connection to the next worker). This primary process only keeps the
 * fleet: SIGUSR2 scales it up to `maxWorkers` — new workers are real processes that must
 * start, connect and listen before they take a share, one after another (a rolling
 * scale-out: the next starts once the last listens, so starting workers never starve the
 * ones serving of CPU), which is the warm-up a client sees — and SIGUSR1 back down to
 * `minWorkers`. It reports `listening` once the first workers listen
 * and `scaled` once a scaling is done, with how many requests the fleet shed since it last
 * stood by (scaled down, or started): what clients saw of its reduced capacity until then.
 * Workers' own events come up through it.
 */
export function runFleet(
  config: AppConfig & { capacity: AppCapacity },
  emit: (event: AppEvent) => void,
): {
  close(): Promise<void>;
} {
  const workers = new Set<Worker>();
  const listening = new Set<Worker>();
  let target = config.capacity.workers;
  let reported = false;
  let scaling: { from: number; startedAt: number } | null = null;
  let shed = 0;
  /** The shed count when the fleet last stood by. */
  let shedMark = 0;

  const settle = () => {
    // Scaling up: the next worker once every one started so far listens.
    if (scaling && workers.size < target && [...workers].every((worker) => listening.has(worker))) fork();
    if (listening.size < target) return;
    if (!reported) {
      reported = true;
      emit({ event: 'listening', region: config.region, host: config.host, port: config.port, pid: process.pid });
    }
    if (scaling && [...workers].every((worker) => listening.has(worker))) {
      emit({
        event: 'scaled',
        workers: workers.size,
        fromWorkers: scaling.from,
        ms: Math.round(performance.now() - scaling.startedAt),
        shed: shed - shedMark,
      });
      if (workers.size === config.capacity.minWorkers) shedMark = shed;
      scaling = null;
    }
  };
  const fork = () => {
    const worker = cluster.fork();
    workers.add(worker);
    worker.on('message', (message: { appEvent?: AppEvent; shed?: number }) => {
      if (message?.shed) shed += message.shed;
      // A worker's own listening is the fleet's business; the rest is the app's to report.
      if (message?.appEvent && message.appEvent.event !== 'listening') emit(message.appEvent);
    });
    worker.on('listening', () => {
      listening.add(worker);
      settle();
    });
    worker.on('exit', () => {
      workers.delete(worker);
      listening.delete(worker);
    });
  };
  const scaleTo = (count: number) => {
    scaling = { from: workers.size, startedAt: performance.now() };
    target = count;
    for (const worker of [...workers].slice(count)) {
      workers.delete(worker);
      listening.delete(worker);
      worker.kill('SIGTERM');
    }
    settle();
  };

  process.on('SIGUSR2', () => scaleTo(config.capacity.maxWorkers));
  process.on('SIGUSR1', () => scaleTo(config.capacity.minWorkers));
  for (let i = 0; i < config.capacity.workers; i++) fork();

  return {
    close: async () => {
      const exits = [...workers].map((worker) => new Promise<void>((resolve) => worker.once('exit', () => resolve())));
      for (const worker of workers) worker.kill('SIGTERM');
      await Promise.all(exits);
    },
  };
}

/** In a worker: events go up to the fleet's primary, which decides what the app reports. */
export function emitToFleet(event: AppEvent): void {
  process.send?.({ appEvent: event });
}
