import type { EventOf, JournalEvent } from '../core/events';
import { fetchFailure } from '../core/errors';
import type { Annotations } from '../experiment/annotations';
import type { Reporter } from './reporter';

/**
 * Grafana annotations for a drill (Grafana's HTTP API, POST /api/annotations with a
 * service account's Bearer token): one per fault — posted when it becomes active, its end
 * set (PATCH /api/annotations/:id, timeEnd) when it is reverted, so a dashboard shows the
 * fault as a region while it lasts — and one region per failover step. Each is tagged
 * `chaos=true`, `run=<run id>` and `fault=<name>` (or `failover=<step>`), plus the
 * experiment's own tags. Times are epoch milliseconds, as Grafana takes them.
 *
 * onEvent runs on the journal's write path, so it never waits: requests go into a queue
 * sent one at a time, in order (a fault's end follows its start); the run's end drains it
 * for a few seconds at most. A Grafana that is down or refuses costs the run nothing but a
 * line saying how many annotations were not posted, and why.
 */
export function grafanaAnnotationsReporter(
  config: Annotations['grafana'],
  options: { fetch?: typeof fetch; timeoutMs?: number; drainMs?: number } = {},
): Reporter {
  const send = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const base = config.url.replace(/\/+$/, '');
  let runId = '';
  let experiment = '';
  let queue: Promise<void> = Promise.resolve();
  let sent = 0;
  const failures: string[] = [];
  /** A fault's annotation id, once Grafana has answered its POST. */
  const faultIds = new Map<string, Promise<number | null>>();
  const faultStarts = new Map<string, number>();
  const stepStarts = new Map<string, number>();

  const request = async (method: 'POST' | 'PATCH', path: string, body: Record<string, unknown>): Promise<unknown> => {
    sent++;
    try {
      const response = await send(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${config.token}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`HTTP ${response.status}${text ? `: ${text.trim().slice(0, 200)}` : ''}`);
      return text ? JSON.parse(text) : {};
    } catch (error) {
      failures.push(`${method} ${path}: ${fetchFailure(error)}`);
      return null;
    }
  };
  /** Queued behind everything before it; never rejects. */
  const enqueue = <T>(task: () => Promise<T>): Promise<T> => {
    const result = queue.then(task);
    queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  };
  const annotation = (time: number, tags: string[], text: string, timeEnd?: number) => ({
    ...(config.dashboardUID ? { dashboardUID: config.dashboardUID } : {}),
    time: Math.round(time),
    ...(timeEnd !== undefined ? { timeEnd: Math.round(timeEnd) } : {}),
    tags: ['chaos=true', `run=${runId}`, ...tags, ...config.tags],
    text,
  });
  const idOf = (answer: unknown): number | null => {
    const id = (answer as { id?: unknown } | null)?.id;
    return typeof id === 'number' ? id : null;
  };

  const onFault = (event: EventOf<'fault.injected'> | EventOf<'fault.reverted'> | EventOf<'fault.inject-failed'>) => {
    if (event.type === 'fault.injected') {
      faultStarts.set(event.fault, event.at);
      const body = annotation(
        event.at,
        [`fault=${event.fault}`],
        `gameday: ${event.fault} (${event.kind}) — ${experiment}`,
      );
      faultIds.set(
        event.fault,
        enqueue(async () => idOf(await request('POST', '/api/annotations', body))),
      );
    } else if (event.type === 'fault.reverted') {
      const started = faultStarts.get(event.fault);
      const id = faultIds.get(event.fault);
      if (started === undefined || !id) return;
      const lasted = `${((event.at - started) / 1000).toFixed(1)} s`;
      const text = `gameday: ${event.fault} — active ${lasted}, reverted — ${experiment}`;
      enqueue(async () => {
        const known = await id;
        // Its start was never posted: the whole fault as one region instead.
        if (known === null)
          await request('POST', '/api/annotations', annotation(started, [`fault=${event.fault}`], text, event.at));
        else await request('PATCH', `/api/annotations/${known}`, { timeEnd: Math.round(event.at), text });
      });
    } else {
      const body = annotation(
        event.t,
        [`fault=${event.fault}`],
        `gameday: ${event.fault} failed to inject: ${event.error}`,
      );
      enqueue(() => request('POST', '/api/annotations', body));
    }
  };

  const onStep = (event: EventOf<'failover.step'>) => {
    if (event.status === 'started') {
      stepStarts.set(event.step, event.at);
      return;
    }
    if (event.status !== 'succeeded' && event.status !== 'failed') return;
    const started = stepStarts.get(event.step) ?? event.at;
    const why = event.error ? ` (${event.error})` : '';
    const text = `gameday failover: ${event.step} ${event.status}${why} — ${experiment}`;
    const body = annotation(started, [`failover=${event.step}`], text, event.at);
    enqueue(() => request('POST', '/api/annotations', body));
  };

  return {
    name: `grafana annotations (${base})`,
    onEvent(event: JournalEvent) {
      switch (event.type) {
        case 'run.started':
          runId = event.runId;
          experiment = event.experiment;
          break;
        case 'fault.injected':
        case 'fault.reverted':
        case 'fault.inject-failed':
          onFault(event);
          break;
        case 'failover.step':
          onStep(event);
          break;
      }
    },
    async onEnd() {
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        queue.then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), options.drainMs ?? 15_000))),
      ]);
      clearTimeout(timer);
      if (!drained) throw new Error(`Grafana at ${base} did not take the annotations in time (${sent} sent so far)`);
      if (failures.length > 0)
        throw new Error(`${failures.length} of ${sent} requests to Grafana failed; the first: ${failures[0]}`);
    },
  };
}

/** The reporters an experiment's `annotations` asks for (the CLI attaches them to its run). */
export function annotationReporters(experiment: { annotations?: Annotations }): Reporter[] {
  const grafana = experiment.annotations?.grafana;
  return grafana ? [grafanaAnnotationsReporter(grafana)] : [];
}
