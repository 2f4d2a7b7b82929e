import type { EventOf, ExperimentRecord, JournalEvent, TargetDescription } from '../core/events';
import { successRatioOf } from '../measure/ratio';
import type { TimelinePoint } from '../measure/timeline';
import { probeKindOf, type ProbeAccumulator, type ProbeResult, type ProbeSummaryContext } from '../probes';
import { SampleColumns } from '../measure/sample-columns';
import type { RtoBounds } from './bounds';
import { timelineBucketMs } from '../probes/http';
import { descriptionReader } from '../targets/descriptions';
import { FailoverFold } from './failover';
import { causeText } from './format';
import { FaultFold, iso } from './faults';
import { NoteFold } from './notes';
import { readExperimentRecord } from './record';
import { placeRto } from './bounds';
import { compareWithBaseline } from './baseline';
import { CauseFold, failbackCost, latencyByPeriod, measureImpact } from './impact';
import { headlineRto } from './rto';
import { journeySummary, measureJourney, type JourneyContext, type MeasuredJourney } from './journeys';
import { seriesOf } from './series';
import { sloBuckets, sloThresholdsByProbe, summarizeSlos, type SloSources } from './slos';
import { summarizeAlerts, type AlertsSummary } from './alerts';
import { summarySchemaId, type RunSummary } from './summary';
import { timelineText } from './timeline';

interface ProbeFold {
  started: EventOf<'probe.started'>;
  fold: ProbeAccumulator<ProbeResult>;
}

/**
 * Builds a run's summary from its journal events, one event at a time: the engine feeds
 * it as the run writes them, `gameday report` as it reads a journal back, so the two
 * cannot disagree. Each concern keeps only what it needs (a fault's times, a probe's
 * rows); `result()` may be asked for again after more events, and the measurements are
 * computed once unless something they depend on arrived since.
 */
export class RunSummarizer {
  private started: EventOf<'run.started'> | undefined;
  private spec: ExperimentRecord | undefined;
  private opened: TargetDescription | undefined;
  private finished: EventOf<'run.finished'> | undefined;
  private observe: EventOf<'observe.started'> | undefined;
  private readonly faults = new FaultFold();
  private readonly failover = new FailoverFold();
  private readonly notes = new NoteFold();
  private readonly probes: ProbeFold[] = [];
  private readonly causes = new CauseFold();
  private readonly steadyState: { before?: EventOf<'steady-state'>; after?: EventOf<'steady-state'> } = {};
  private readonly stopConditions: EventOf<'stop-condition.breached'>[] = [];
  private prometheusOpened: EventOf<'prometheus.opened'> | undefined;
  private alertsObserved: EventOf<'alerts.observed'> | undefined;
  private readonly promqlSamples = new Map<string, EventOf<'slo.promql-samples'>>();
  private readonly errors: EventOf<'error'>[] = [];
  private readonly timeline: Array<{ t: number; event: string }> = [];
  /** When each journey but the traffic began failing and recovered: measured, so worked out with the measurements. */
  private journeyTimeline: Array<{ t: number; event: string }> = [];
  /** The request columns the measurements were made from, for `release`. */
  private measuredFrom: SampleColumns[] = [];
  private released = false;
  private measured: Omit<RunSummary, 'status' | 'reason' | 'startedAt' | 'endedAt' | 'durationMs' | 'timeline'> | null =
    null;

  add(event: JournalEvent): void {
    if (this.released) throw new Error('the summarizer was released: it takes no more events');
    // Only the verdict comes after the measurements; anything else may change them.
    if (event.type !== 'run.finished') this.measured = null;
    switch (event.type) {
      case 'run.started':
        this.started ??= event;
        this.spec ??= readExperimentRecord(event.spec);
        break;
      case 'target.opened':
        this.opened ??= event.target;
        break;
      case 'run.finished':
        this.finished ??= event;
        break;
      case 'observe.started':
        this.observe ??= event;
        break;
      case 'probe.started':
        this.startProbe(event);
        break;
      case 'steady-state':
        this.steadyState[event.when] ??= event;
        break;
      case 'stop-condition.breached':
        this.stopConditions.push(event);
        break;
      case 'prometheus.opened':
        this.prometheusOpened ??= event;
        break;
      case 'alerts.observed':
        this.alertsObserved ??= event;
        break;
      case 'slo.promql-samples':
        this.promqlSamples.set(event.slo, event);
        break;
      case 'error':
        this.errors.push(event);
        break;
    }
    this.faults.add(event);
    this.causes.add(event);
    this.failover.add(event);
    this.notes.add(event);
    for (const probe of this.probes) probe.fold.add(event);
    const text = timelineText(event);
    // Placed by when it happened: a step's end is often written after it.
    if (text !== null)
      this.timeline.push({ t: 'at' in event && typeof event.at === 'number' ? event.at : event.t, event: text });
  }

  result(): RunSummary {
    const started = this.started;
    if (!started) throw new Error('journal has no run.started event');
    this.measured ??= this.measure(started, this.spec!);
    const finished = this.finished;
    const offset = this.offset;
    const { schema, runId, experiment, description, file, target, ...measured } = this.measured;
    return {
      schema,
      runId,
      experiment,
      description,
      file,
      target,
      status: finished?.status ?? 'running',
      reason: finished?.reason ?? 'the run did not finish (interrupted or still running)',
      startedAt: new Date(started.t).toISOString(),
      endedAt: iso(finished?.t),
      durationMs: finished ? Math.round(finished.t - started.t) : null,
      ...measured,
      timeline: [...this.timeline, ...this.journeyTimeline]
        .sort((a, b) => a.t - b.t)
        .map(({ t, event }) => ({ t, offsetMs: offset(t), event })),
    };
  }

  /**
   * The summary is final: the probes' request columns are emptied and their memory returned now (a day of traffic is
   * 80 MB), not at the next full garbage collection, which a re-render may not see before its charts are drawn.
   * `result()` still answers with the summary already measured; no event may be added.
   */
  release(): void {
    this.result();
    this.released = true;
    for (const columns of this.measuredFrom) columns.release();
    this.measuredFrom = [];
  }

  /** The target as opened (where it really was), else as declared. */
  private get target(): TargetDescription {
    return this.opened ?? this.started!.target;
  }

  private readonly offset = (t: number | null | undefined): number | null => {
    const t0 = this.observe?.t0;
    return t === null || t === undefined || t0 === undefined ? null : Math.round(t - t0);
  };

  private startProbe(started: EventOf<'probe.started'>): void {
    const kind = probeKindOf(started);
    const spec = this.spec;
    if (!kind || !spec) return;
    const context: ProbeSummaryContext = {
      offset: (t) => this.offset(t),
      objectiveMs:
        started.kind === 'ledger'
          ? (spec.hypothesis.rpo ?? null)
          : started.kind === 'objects'
            ? (spec.hypothesis.objectRpo ?? null)
            : null,
      latencyThresholds: sloThresholdsByProbe(spec.slos, spec.traffic.name).get(started.probe) ?? [],
      regionOfAddress: (address) => descriptionReader(this.target).regionOfAddress?.(this.target, address),
      writerIdentity: (writer) => descriptionReader(this.target).writerIdentity?.(this.target, writer) ?? writer,
    };
    const fold = kind.summarize(started, context);
    // A probe started after the observation began (gameday failover) still learns where it began.
    if (this.observe) fold.add(this.observe);
    this.probes.push({ started, fold });
  }

  /** The team's alert rules beside gameday's evaluation of their windows, once Prometheus has been read. */
  private alerts(spec: ExperimentRecord, sources: SloSources, firstFault: number | null): AlertsSummary | null {
    const observed = this.alertsObserved;
    if (!observed) return null;
    const t0 = this.observe?.t0 ?? null;
    const reference = firstFault ?? t0 ?? observed.from;
    const compared = spec.slos.find((slo) => slo.name === spec.alerts?.slo);
    const lastReverted = this.faults.lastRevertedAt();
    return summarizeAlerts({
      opened: this.prometheusOpened,
      observed,
      reference,
      referenceIsFault: firstFault !== null,
      faults: firstFault === null ? null : { from: firstFault, to: lastReverted },
      slo:
        compared && t0 !== null
          ? {
              name: compared.name,
              objective: compared.objective,
              ...sloBuckets(compared, sources),
              referenceOffsetMs: reference - t0,
            }
          : null,
    });
  }

  /**
   * Every journey the probes reported, measured once: the traffic's RTO and episodes are the ones already worked out
   * (with its SLOs), the others' measured here.
   */
  private journeys(
    results: Array<{ probe: EventOf<'probe.started'>; result: ProbeResult }>,
    trafficName: string,
    context: JourneyContext,
    traffic: { rto: MeasuredJourney['rto']; episodes: MeasuredJourney['episodes'] },
  ): MeasuredJourney[] {
    return results.flatMap(({ probe, result }) =>
      (result.journeys ?? []).map((journey) =>
        probe.probe === trafficName && journey.name === trafficName
          ? { journey, ...traffic }
          : measureJourney(journey, context),
      ),
    );
  }

  /** When clients were first served by the region the runbook moved to, after promotion (or detection). */
  private firstServedByNewRegion(samples: SampleColumns, spec: ExperimentRecord): number | null {
    const to = this.failover.to ?? spec.failover?.to ?? null;
    const marks = this.failover.marks();
    const from = marks.promotedAt ?? marks.detectedAt;
    if (to === null || from === null) return null;
    for (let i = samples.lowerBound(from); i < samples.length; i++)
      if (samples.ok[i] === 1 && samples.region(i) === to) return samples.t[i];
    return null;
  }

  /** RTO's bounds with DNS failover: what the health checks, the measured runbook, TTL and timeout allow. */
  private bounds(rto: RunSummary['rto'], spec: ExperimentRecord): RtoBounds | null {
    const dns = descriptionReader(this.target).dnsFailover?.(this.target) ?? null;
    const marks = this.failover.marks();
    if (!dns || rto.ms === null || !rto.cause || !rto.phases || marks.detectedAt === null || marks.promotedAt === null)
      return null;
    const sticky = spec.traffic.dns?.cache === 'sticky' ? (spec.traffic.dns.stickyFor ?? null) : null;
    return placeRto(rto.ms, rto.phases, {
      healthCheckIntervalMs: dns.healthCheckIntervalMs,
      failureThreshold: dns.failureThreshold,
      healthCheckTimeoutMs: dns.healthCheckTimeoutMs,
      runbookMs: Math.round(marks.promotedAt - marks.detectedAt),
      staleAnswerMs: sticky ?? dns.dnsTtlMs,
      clientTimeoutMs: spec.traffic.timeout ?? 0,
      requestIntervalMs: spec.traffic.rate > 0 ? Math.round(1000 / spec.traffic.rate) : 0,
    });
  }

  private measure(started: EventOf<'run.started'>, spec: ExperimentRecord): NonNullable<RunSummarizer['measured']> {
    const target = this.target;
    const trafficName = spec.traffic.name;
    const results = this.probes.map(({ started: probe, fold }) => ({ probe, result: fold.result() }));
    this.measuredFrom = results.flatMap(({ result }) => (result.outcomes ? [result.outcomes.samples] : []));
    const traffic = results.find(({ probe }) => probe.probe === trafficName);
    const outcomes = traffic?.result.outcomes ?? null;

    const criteria = { successRatio: spec.hypothesis.recovery.successRatio, windowMs: spec.hypothesis.recovery.window };
    const samples = outcomes?.samples ?? new SampleColumns(0);
    const lastSampleAt = samples.length > 0 ? samples.t[samples.length - 1] : null;
    const faults = this.causes.causes.filter((cause) => cause.kind === 'fault');
    const firstFault = faults.length > 0 ? Math.min(...faults.map((fault) => fault.at)) : null;
    const observe = this.observe ? { t0: this.observe.t0, end: this.observe.t0 + this.observe.durationMs } : null;

    // Per-second timelines of every http probe, once the observation has begun.
    const timelines = new Map<string, TimelinePoint[]>();
    if (this.observe)
      for (const { probe, result } of results)
        if (result.outcomes) timelines.set(probe.probe, result.outcomes.timeline);
    const sources: SloSources = {
      trafficProbe: trafficName,
      timelines,
      thresholdsByProbe: sloThresholdsByProbe(spec.slos, trafficName),
      bucketMs: timelineBucketMs,
      t0: this.observe?.t0 ?? null,
      promql: this.promqlSamples,
    };
    const slos = summarizeSlos(spec.slos, spec.hypothesis.slo, { ...sources, faultOffsetMs: this.offset(firstFault) });

    const episodes = measureImpact(samples, this.causes.causes, {
      criteria,
      observe,
      offset: this.offset,
      iso: (t) => new Date(t).toISOString(),
      slos: slos.filter((slo) => slo.probe === trafficName),
    });
    const headlineName = spec.hypothesis.headline ?? trafficName;
    const byJourney = spec.hypothesis.rtoByJourney ?? {};
    const journeyContext: JourneyContext = {
      causes: this.causes.causes,
      criteria,
      observe,
      offset: this.offset,
      iso: (t) => new Date(t).toISOString(),
      objectiveOf: (journey) =>
        journey === headlineName ? (spec.hypothesis.rto ?? byJourney[journey] ?? null) : (byJourney[journey] ?? null),
    };
    const trafficRto = headlineRto(episodes, faults, {
      objectiveMs: journeyContext.objectiveOf(trafficName),
      criteria,
      sampledAfterFault: firstFault !== null && lastSampleAt !== null && lastSampleAt >= firstFault,
      lastSampleAt,
      observeEnd: observe?.end ?? null,
      iso: (t) => new Date(t).toISOString(),
      offset: this.offset,
    });
    const measuredJourneys = this.journeys(results, trafficName, journeyContext, { rto: trafficRto, episodes });
    // The traffic is a journey even when it never started (its RTO says why it was not measured).
    if (!measuredJourneys.some((measured) => measured.journey.name === trafficName))
      measuredJourneys.unshift({
        journey: { name: trafficName, probe: trafficName, kind: 'http', samples },
        rto: trafficRto,
        episodes,
      });
    // A journey the objectives name but no probe measured is listed as such, so its objective shows unmeasured.
    for (const name of new Set([headlineName, ...Object.keys(byJourney)]))
      if (!measuredJourneys.some((measured) => measured.journey.name === name))
        measuredJourneys.push(
          measureJourney({ name, probe: name, kind: 'unmeasured', samples: [] }, journeyContext, []),
        );
    const headline = measuredJourneys.find((measured) => measured.journey.name === headlineName)!;
    const rto = headline.rto.summary;
    rto.phases = this.failover.phases(
      headline.rto.tFault,
      headline.rto.tRecovered,
      this.firstServedByNewRegion(SampleColumns.from(headline.journey.samples), spec),
    );
    this.journeyTimeline = measuredJourneys
      .filter((measured) => measured.journey.name !== trafficName)
      .flatMap(({ journey, episodes: journeyEpisodes }) =>
        journeyEpisodes.flatMap(({ measure, summary }) => [
          { t: measure.onset, event: `journey ${journey.name} failing (${causeText(summary)})` },
          ...(measure.recoveredAt === null
            ? []
            : [{ t: measure.recoveredAt, event: `journey ${journey.name} recovered` }]),
        ]),
      );
    // The bounds are worked out from the traffic's own client: its timeout, rate and DNS cache.
    rto.bounds = headlineName === trafficName ? this.bounds(rto, spec) : null;
    const lastReverted = this.faults.lastRevertedAt();

    const failover = this.failover.summary(this.offset);
    if (failover) failover.changes = this.faults.changes(this.offset);
    const rpo = results.find(({ result }) => result.rpo)?.result.rpo ?? null;
    const objects = results.find(({ result }) => result.objects)?.result.objects ?? null;
    const staleReads = results.find(({ result }) => result.staleReads)?.result.staleReads ?? null;
    const resources = results.find(({ result }) => result.resources)?.result.resources ?? null;
    const consistency = results.find(({ result }) => result.consistency)?.result.consistency ?? null;
    const latencyMs = outcomes?.latencyMs ?? { p50: null, p90: null, p99: null, max: null };
    const rate = traffic?.probe.rate ?? spec.traffic.rate;
    const steady = (event: EventOf<'steady-state'> | undefined) =>
      event ? { ok: event.ok, successRatio: event.successRatio, required: event.required } : null;
    return {
      schema: summarySchemaId,
      runId: started.runId,
      experiment: started.experiment,
      description: started.description,
      file: started.file,
      service: spec.service ?? null,
      staleAfterMs: spec.staleAfter ?? null,
      target,
      runDir: started.runDir,
      faults: this.faults.summaries(this.offset),
      traffic: {
        probe: trafficName,
        url: traffic?.probe.url ?? '',
        rate,
        requests: outcomes?.samples.length ?? 0,
        errors: outcomes?.errors ?? 0,
        successRatio: successRatioOf(outcomes?.samples.length ?? 0, outcomes?.errors ?? 0),
        latencyMs,
        latencyByPeriod: latencyByPeriod(
          samples,
          {
            firstInjected: faults.length > 0 ? Math.min(...faults.map((fault) => fault.actingFrom)) : null,
            lastReverted,
          },
          observe?.t0 ?? null,
        ),
        regions: outcomes?.regions ?? {},
      },
      rto,
      journeys: measuredJourneys.map((measured) =>
        journeySummary(measured, measured.journey.name === headlineName, journeyContext),
      ),
      impact: episodes.map((episode) => episode.summary),
      failback: failbackCost(
        this.causes.failbackRun,
        episodes.map((episode) => episode.summary),
        slos.filter((slo) => slo.probe === trafficName),
      ),
      failover,
      probes: results
        .filter(({ probe }) => probe.probe !== trafficName)
        .flatMap(({ result }) => (result.summary ? [result.summary] : [])),
      rpo,
      objects,
      staleReads,
      resources,
      consistency,
      slos,
      alerts: this.alerts(spec, sources, firstFault),
      baseline: spec.baseline
        ? compareWithBaseline(spec.baseline, {
            rto: { ms: rto.ms, recovered: rto.recovered },
            rpo: rpo && { ms: rpo.ms, rate: rpo.rate },
            traffic: { rate, p99: latencyMs.p99 },
            slos,
          })
        : null,
      series: seriesOf(timelines, timelineBucketMs),
      steadyState: { before: steady(this.steadyState.before), after: steady(this.steadyState.after) },
      stopConditions: this.stopConditions.map((e) => ({
        condition: e.condition,
        detail: e.detail,
        at: new Date(e.t).toISOString(),
      })),
      errors: this.errors.map((e) => `${e.where}: ${e.message}`),
      notes: this.notes.summaries(this.offset),
    };
  }
}

/** The summary of a whole journal. */
export function summarize(events: Iterable<JournalEvent>): RunSummary {
  const summarizer = new RunSummarizer();
  for (const event of events) summarizer.add(event);
  return summarizer.result();
}
