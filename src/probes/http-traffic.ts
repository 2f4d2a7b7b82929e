import type { LookupFunction } from 'node:net';
import { now } from '../core/clock';
import { Arrivals } from './arrivals';
import type { ScheduleShare } from './shares';
import { TrafficClient } from './traffic-client';
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
  /** How late the request actually left, ms: timer and event-loop delay, and any wait for a connection to free. */
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
 * The schedule is arrivals.ts's; the requests go through traffic-client.ts (raw HTTP/1.1 connections).
 */
export class HttpTraffic {
  private readonly arrivals: Arrivals;
  private readonly client: TrafficClient;
  private readonly listeners: Array<(outcome: HttpOutcome) => void> = [];

  /**
   * `share`: this instance sends only its share of the probe's schedule (one worker of several, see shareOf),
   * starting from the schedule's common origin `t0`.
   */
  constructor(
    private readonly probe: HttpTrafficSpec,
    readonly url: string,
    options: { lookup?: LookupFunction; share?: ScheduleShare } = {},
  ) {
    const share = options.share;
    this.arrivals = share
      ? new Arrivals(share.rate, (_seq, due) => this.client.send(due), share.phaseMs)
      : new Arrivals(probe.rate, (_seq, due) => this.client.send(due));
    this.client = new TrafficClient(
      url,
      {
        method: probe.method,
        headers: probe.headers,
        body: probe.body,
        timeoutMs: probe.timeout,
        connection: probe.connection,
      },
      options.lookup,
      (due, sentAt, status, error, region) => this.record(due, sentAt, status, error, region),
    );
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

  /** `t0`: the schedule's origin, when several instances share one schedule. */
  start(t0?: number): void {
    this.arrivals.start(t0);
  }

  /** Stops sending and waits for the requests in flight (each bounded by the probe's timeout). */
  async stop(): Promise<void> {
    await this.arrivals.stop();
    await this.client.close();
  }

  private record(due: number, sentAt: number, status: number, error: string, region: string): void {
    const outcome: HttpOutcome = {
      t: due,
      sendLagMs: sentAt - due,
      latencyMs: now() - due,
      ok: error === '' && this.isSuccess(status),
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
}
