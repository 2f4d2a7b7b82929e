import { z } from 'zod';
import type { EventOf, JournalEvent, SampleRow } from '../core/events';
import { duration, httpUrl, name, statusRanges } from '../core/fields';
import { LatencyHistogram } from '../measure/histogram';
import { successRatioOf } from '../measure/ratio';
import { TimelineBuilder } from '../measure/timeline';
import { checkUrlOrEndpoint } from './endpoint-check';
import { HttpTraffic } from './http-traffic';
import { TrafficRecorder } from './recorder';
import type { HttpOutcomes, JourneyOutcomes, ProbeAccumulator, ProbeKind, ProbeSummary, TrafficSample } from './types';
import { probeUrl } from './url';

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
  headers: z.record(z.string(), z.string()).default({}),
  body: z.string().optional(),
  /** Requests per second, constant arrival rate (open model). */
  rate: z
    .number({ error: 'expected requests per second, a number > 0' })
    .positive({ error: 'expected requests per second, a number > 0' })
    .max(20_000, { error: 'at most 20000 requests per second from one probe' })
    .default(20),
  timeout: duration({ max: '5m' }).prefault('2s'),
  /** Which statuses count as success. */
  successStatus: statusRanges.prefault('200-399'),
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

export const timelineBucketMs = 1_000;

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
    `start probe ${probe.name}: ${probe.method} ${probeUrl(probe, endpoints)} at ${probe.rate}/s`,

  journeys: (probe) => ({ names: [probe.name] }),

  async start(probe, context) {
    const url = probeUrl(probe, context.session.endpoints);
    const traffic = new HttpTraffic(probe, url, { lookup: context.resolvers.lookupFor(probe.dns) });
    const recorder = new TrafficRecorder(context.journal, probe.name, context.latencyThresholds);
    traffic.onOutcome((outcome) => recorder.add(outcome));
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

/**
 * An http probe's outcomes from its `traffic.samples` batches. The per-second timeline
 * counts from the start of observation, which is journaled after the steady state began:
 * rows before it wait in `early` until it is known.
 */
class HttpOutcomeFold implements ProbeAccumulator<HttpResult> {
  private readonly samples: TrafficSample[] = [];
  private readonly latency = new LatencyHistogram();
  private readonly regions: Record<string, number> = {};
  private errors = 0;
  private timeline: TimelineBuilder | null = null;
  private early: SampleRow[] | null = [];

  constructor(
    private readonly started: EventOf<'probe.started'>,
    private readonly thresholdsMs: readonly number[],
  ) {}

  add(event: JournalEvent): void {
    if (event.type === 'observe.started' && !this.timeline) {
      this.timeline = new TimelineBuilder(event.t0, timelineBucketMs, this.thresholdsMs);
      for (const row of this.early ?? []) this.addToTimeline(row);
      this.early = null;
      return;
    }
    if (event.type !== 'traffic.samples' || event.probe !== this.started.probe) return;
    for (const row of event.rows) {
      const [t, latencyMs, , ok, , region] = row;
      this.samples.push({ t, ok: ok === 1, latencyMs, region });
      this.latency.record(latencyMs);
      if (!ok) this.errors++;
      if (region) this.regions[region] = (this.regions[region] ?? 0) + 1;
      if (this.timeline) this.addToTimeline(row);
      else this.early?.push(row);
    }
  }

  result(): HttpResult {
    this.samples.sort((a, b) => a.t - b.t);
    const latencyMs = this.latency.summary();
    return {
      summary: {
        probe: this.started.probe,
        kind: this.started.kind,
        url: this.started.url,
        requests: this.samples.length,
        errors: this.errors,
        successRatio: successRatioOf(this.samples.length, this.errors),
        latencyMs,
      },
      outcomes: {
        samples: this.samples,
        errors: this.errors,
        latencyMs,
        regions: this.regions,
        timeline: this.timeline?.points() ?? [],
      },
      // Each http probe is one journey: its requests are its samples.
      journeys: [
        { name: this.started.probe, probe: this.started.probe, kind: this.started.kind, samples: this.samples },
      ],
    };
  }

  private addToTimeline([t, latencyMs, , ok, , region]: SampleRow): void {
    this.timeline!.add(t, latencyMs, ok === 1, region);
  }
}
