import type http from 'node:http';
import type { LookupFunction } from 'node:net';
import { now } from '../core/clock';
import { Arrivals } from './arrivals';
import { exchange, failureCode, probeAgent, type ExchangeOptions } from './exchange';
import type { StatusRange } from '../core/fields';

/** What the traffic sends and counts as success (an http probe's fields). */
export interface HttpTrafficSpec {
  name: string;
  /** Requests per second. */
  rate: number;
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeout: number;
  successStatus: StatusRange[];
  connection: 'keep-alive' | 'new';
}

/** One request's outcome. */
export interface HttpOutcome {
  /** When the request was due (open model schedule), ms. Latency is measured from here. */
  t: number;
  /** How late the request actually left, ms (timer and event-loop delay). */
  sendLagMs: number;
  /** From the scheduled time to the end of the response (or the failure), ms. */
  latencyMs: number;
  ok: boolean;
  status: number;
  /** Error code for transport failures ('ECONNREFUSED', 'TIMEOUT', ...), '' otherwise. */
  error: string;
  /** Region that served it (x-gameday-region), when the service says. */
  region: string;
}

/**
 * Open-model HTTP traffic: requests are sent at a constant arrival rate whatever the
 * responses do, like k6's constant-arrival-rate and wrk2. A slow or hanging response
 * never delays the next request, so an outage shows up as failures and latency instead
 * of being hidden by coordinated omission.
 * The schedule is arrivals.ts's.
 */
export class HttpTraffic {
  private readonly agent: http.Agent | false;
  /** The same for every request, so built once: this is the per-request path. */
  private readonly exchangeOptions: ExchangeOptions;
  private readonly arrivals: Arrivals;
  private readonly listeners: Array<(outcome: HttpOutcome) => void> = [];

  constructor(
    private readonly probe: HttpTrafficSpec,
    readonly url: string,
    options: { lookup?: LookupFunction } = {},
  ) {
    this.arrivals = new Arrivals(probe.rate, (_seq, due) => this.send(due));
    this.agent = probeAgent(url, probe.connection);
    this.exchangeOptions = {
      method: probe.method,
      headers: probe.headers,
      body: probe.body,
      agent: this.agent,
      timeoutMs: probe.timeout,
      lookup: options.lookup,
    };
  }

  get name(): string {
    return this.probe.name;
  }

  onOutcome(listener: (outcome: HttpOutcome) => void): void {
    this.listeners.push(listener);
  }

  /** How many requests were due before time t (sent or not yet completed). */
  dueBefore(t: number): number {
    return this.arrivals.dueBefore(t);
  }

  start(): void {
    this.arrivals.start();
  }

  /** Stops sending and waits for the requests in flight (each bounded by the probe's timeout). */
  async stop(): Promise<void> {
    await this.arrivals.stop();
    if (this.agent) this.agent.destroy();
  }

  private send(due: number): Promise<void> {
    const sentAt = now();
    return this.request().then(
      ({ status, region }) => this.record(due, sentAt, this.isSuccess(status), status, '', region),
      (error: NodeJS.ErrnoException) => this.record(due, sentAt, false, 0, failureCode(error), ''),
    );
  }

  private record(due: number, sentAt: number, ok: boolean, status: number, error: string, region: string): void {
    const outcome: HttpOutcome = {
      t: due,
      sendLagMs: sentAt - due,
      latencyMs: now() - due,
      ok,
      status,
      error,
      region,
    };
    for (const listener of this.listeners) listener(outcome);
  }

  private isSuccess(status: number): boolean {
    for (const range of this.probe.successStatus) if (status >= range.from && status <= range.to) return true;
    return false;
  }

  private request(): Promise<{ status: number; region: string }> {
    return exchange(this.url, this.exchangeOptions);
  }
}
