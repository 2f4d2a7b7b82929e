import { z } from 'zod';
import type { EventOf, JournalEvent } from '../core/events';
import { duration, httpUrl, name, statusRanges } from '../core/fields';
import { checkUrlOrEndpoint } from './endpoint-check';
import { trafficFor } from './traffic-workers';
import { TrafficRecorder } from './recorder';
import { OutcomeAccumulator } from './outcomes';
import type { HttpOutcomes, JourneyOutcomes, ProbeAccumulator, ProbeKind, ProbeSummary } from './types';
import { probeUrl } from './url';
import { isHttpToken, managedByConnection, splitsRequest } from './request-headers';

/**
 * 'ttl' keeps an answer for its TTL, as a well-behaved stub resolver does; 'sticky' keeps
 * it for `stickyFor` whatever the TTL says, as some runtimes do (the JVM's
 * networkaddress.cache.ttl, connection pools that resolve once): such clients follow a
 * DNS failover only when their cache lets them.
 */
const httpDnsCacheSchema = z
  .strictObject({
    cache: z.enum(['ttl', 'sticky']).default('ttl'),
    stickyFor: duration({ max: '24h' }).optional(),
  })
  .superRefine((dns, ctx) => {
    if (dns.cache === 'ttl' && dns.stickyFor !== undefined)
      ctx.addIssue({ code: 'custom', path: ['stickyFor'], message: "only applies with cache: 'sticky'" });
  })
  .transform((dns) =>
    dns.cache === 'sticky'
      ? { cache: 'sticky' as const, stickyFor: dns.stickyFor ?? 60_000 }
      : { cache: 'ttl' as const },
  );

export const httpProbeSchema = z.strictObject({
  kind: z.literal('http'),
  name: name.default('traffic'),
  /** Absolute URL; or `endpoint` (a name from target.endpoints) plus `path`. */
  url: httpUrl.optional(),
  endpoint: z.string().optional(),
  path: z.string().startsWith('/', { error: "must start with '/'" }).default('/'),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH']).default('GET'),
  headers: z
    .record(z.string(), z.string())
    .check((context) => {
      for (const [header, value] of Object.entries(context.value)) {
        const issue = (message: string) =>
          context.issues.push({ code: 'custom', input: context.value, path: [header], message });
        if (!isHttpToken(header)) issue(`not a header name: an HTTP token is letters, digits and !#$%&'*+-.^_\`|~`);
        else if (managedByConnection.includes(header.toLowerCase()))
          issue(
            `${header} is the connection's, which the probe manages: not a header it sends ` +
              `(connection: 'new' for a connection per request; not ${managedByConnection.join(', ')})`,
          );
        else if (splitsRequest(value)) issue('a CR, LF or NUL in a header value would split the request');
      }
    })
    .default({}),
  body: z.string().optional(),
  /** Requests per second, constant arrival rate (open model). */
  rate: z
    .number({ error: 'expected requests per second, a number > 0' })
    .positive({ error: 'expected requests per second, a number > 0' })
    .max(200_000, { error: 'at most 200000 requests per second from one probe' })
    .default(20),
  timeout: duration({ max: '5m' }).prefault('2s'),
  /** Which statuses count as success. */
  successStatus: statusRanges.prefault('200-399'),
  /**
   * Worker threads sending the schedule, each its interleaved share (for rates beyond one core); outcomes are merged
   * into one recorder and journal.
   */
  workers: z
    .number({ error: 'expected a whole number of worker threads, 1–16' })
    .int({ error: 'expected a whole number of worker threads, 1–16' })
    .min(1, { error: 'expected a whole number of worker threads, 1–16' })
    .max(16, { error: 'expected a whole number of worker threads, 1–16' })
    .default(1),
  /** 'keep-alive' reuses connections; 'new' opens one per request (sees connect failures like a fresh client). */
  connection: z.enum(['keep-alive', 'new']).default('keep-alive'),
  /**
   * How the client caches DNS answers (for names the target's DNS server answers, or the system resolver's with
   * 'sticky').
   */
  dns: httpDnsCacheSchema.prefault({}),
});

export type HttpProbe = z.output<typeof httpProbeSchema>;
export type HttpProbeConfig = z.input<typeof httpProbeSchema>;

export { timelineBucketMs } from './outcomes';

type HttpResult = { summary: ProbeSummary; outcomes: HttpOutcomes; journeys: JourneyOutcomes[] };

/**
 * Open-model HTTP traffic at a constant arrival rate (the experiment's `traffic`, and any
 * further http probes measured alongside). RTO is measured on the traffic's outcomes.
 */
export const httpProbe: ProbeKind<typeof httpProbeSchema, HttpResult> = {
  schema: httpProbeSchema,
  label: 'probe',
  startOrder: 0,

  validate: (probe, context, report) => checkUrlOrEndpoint(probe, context, report),

  plan: (probe, endpoints) =>
    `start probe ${probe.name}: ${probe.method} ${probeUrl(probe, endpoints)} at ${probe.rate}/s` +
    (probe.workers > 1 ? ` across ${probe.workers} worker threads` : ''),

  journeys: (probe) => ({ names: [probe.name] }),

  async start(probe, context) {
    const url = probeUrl(probe, context.session.endpoints);
    const traffic = trafficFor(probe, url, { lookup: context.resolvers.lookupFor(probe.dns) });
    const recorder = new TrafficRecorder(context.journal, probe.name, context.latencyThresholds);
    traffic.onOutcome((outcome) => recorder.add(outcome));
    try {
      await traffic.ready();
    } catch (error) {
      await traffic.stop().catch(() => {});
      recorder.close();
      throw error;
    }
    context.journal.append({ type: 'probe.started', probe: probe.name, kind: probe.kind, url, rate: probe.rate });
    traffic.start();
    return {
      name: probe.name,
      kind: probe.kind,
      recorder,
      dueBefore: (t) => traffic.dueBefore(t),
      async stop() {
        await traffic.stop();
        recorder.close();
        context.journal.append({
          type: 'probe.stopped',
          probe: probe.name,
          requests: recorder.requests,
          errors: recorder.errors,
        });
      },
    };
  },

  summarize: (started, context) => new HttpOutcomeFold(started, context.latencyThresholds),
};

/** An http probe's outcomes from its `traffic.samples` batches. */
class HttpOutcomeFold implements ProbeAccumulator<HttpResult> {
  private readonly outcomes: OutcomeAccumulator;

  constructor(
    private readonly started: EventOf<'probe.started'>,
    thresholdsMs: readonly number[],
  ) {
    this.outcomes = new OutcomeAccumulator(thresholdsMs);
  }

  add(event: JournalEvent): void {
    if (event.type === 'observe.started')
      // Room for the observation's requests at the probe's rate, and two minutes of rollback and post-check.
      this.outcomes.observeStarted(event.t0, Math.ceil(this.started.rate * (event.durationMs / 1000 + 120)));
    else if (event.type === 'traffic.samples' && event.probe === this.started.probe)
      for (const row of event.rows) this.outcomes.add(row);
  }

  result(): HttpResult {
    const { summary, outcomes } = this.outcomes.result(this.started);
    return {
      summary,
      outcomes,
      // Each http probe is one journey: its requests are its samples.
      journeys: [
        { name: this.started.probe, probe: this.started.probe, kind: this.started.kind, samples: outcomes.samples },
      ],
    };
  }
}
