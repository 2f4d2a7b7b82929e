import type { EventOf, JournalEvent, K6TagSet } from '../core/events';
import { LatencyHistogram } from '../measure/histogram';
import { successRatioOf } from '../measure/ratio';
import { computeRto, type OutcomeSample } from '../measure/rto';
import type { JourneyRto, K6Details, K6Journey } from './k6-details';
import { judgeK6 } from './k6-verdict';
import { OutcomeAccumulator } from './outcomes';
import type { HttpOutcomes, ProbeAccumulator, ProbeSummary, ProbeSummaryContext } from './types';

/** A script with a name per URL would make a journey of every URL: the most frequent are kept. */
const maxNamedJourneys = 20;

interface JourneySamples {
  journey: string;
  by: K6Journey['by'];
  samples: OutcomeSample[];
  failed: number;
  latency: LatencyHistogram | null;
}

/**
 * A k6 probe's part of the summary, from its journal events: all its requests as outcomes
 * (so SLOs, latency and the charts treat it as they treat an http probe), and each k6
 * scenario, request name and check as a journey with its own RTO, measured from the first
 * fault with the hypothesis's recovery criterion; and how k6 ended, judged.
 */
export class K6Fold implements ProbeAccumulator<{ summary: ProbeSummary; outcomes: HttpOutcomes }> {
  private readonly outcomes: OutcomeAccumulator;
  private readonly tagSets = new Map<number, K6TagSet>();
  private readonly journeys = new Map<string, JourneySamples>();
  private k6Started: EventOf<'k6.started'> | null = null;
  private finished: EventOf<'k6.finished'> | null = null;
  private firstFaultAt: number | null = null;
  private observe: { t0: number; end: number } | null = null;

  constructor(
    private readonly started: EventOf<'probe.started'>,
    private readonly context: ProbeSummaryContext,
  ) {
    this.outcomes = new OutcomeAccumulator(context.latencyThresholds);
  }

  add(event: JournalEvent): void {
    switch (event.type) {
      case 'observe.started':
        this.observe ??= { t0: event.t0, end: event.t0 + event.durationMs };
        this.outcomes.observeStarted(event.t0);
        return;
      case 'fault.injected':
        this.firstFaultAt = Math.min(this.firstFaultAt ?? event.at, event.at);
        return;
      case 'k6.started':
        if (event.probe === this.started.probe) this.k6Started = event;
        return;
      case 'k6.finished':
        if (event.probe === this.started.probe) this.finished = event;
        return;
      case 'k6.samples':
        if (event.probe === this.started.probe) this.addSamples(event);
        return;
    }
  }

  result(): { summary: ProbeSummary; outcomes: HttpOutcomes } {
    const { summary, outcomes } = this.outcomes.result(this.started);
    const verdict = judgeK6(this.finished);
    const kept = this.keptJourneys();
    const k6: K6Details = {
      script: this.started.url,
      version: this.k6Started?.version ?? null,
      command: this.k6Started?.command ?? [],
      files: this.k6Started?.files ?? null,
      exitCode: this.finished?.exitCode ?? null,
      signal: this.finished?.signal ?? null,
      stoppedBy: this.finished?.stoppedBy ?? null,
      endedAtMs: this.finished ? this.context.offset(this.finished.t) : null,
      thresholds: this.finished?.thresholds ?? null,
      met: verdict.met,
      measured: verdict.measured,
      journeys: [
        {
          journey: this.started.probe,
          by: 'probe',
          samples: outcomes.samples.length,
          failed: outcomes.errors,
          successRatio: summary.successRatio,
          latencyMs: outcomes.latencyMs,
          rto: this.rtoOf(outcomes.samples),
        },
        ...kept.journeys,
      ],
      journeysOmitted: kept.omitted,
      note: this.note(),
    };
    return { summary: { ...summary, k6 }, outcomes };
  }

  private addSamples(event: EventOf<'k6.samples'>): void {
    for (const tagSet of event.tagSets) this.tagSets.set(tagSet.id, tagSet);
    for (const row of event.requests) {
      const [t, latencyMs, status, ok, error, region, tagSetId] = row;
      this.outcomes.add([t, latencyMs, status, ok, error, region]);
      const tags = this.tagSets.get(tagSetId);
      if (!tags) continue;
      this.record('scenario', tags.scenario, t, ok === 1, latencyMs);
      this.record('name', tags.name, t, ok === 1, latencyMs);
    }
    for (const [t, ok, tagSetId] of event.checks) {
      const tags = this.tagSets.get(tagSetId);
      if (tags) this.record('check', tags.name, t, ok === 1, null);
    }
  }

  private record(by: K6Journey['by'], journey: string, t: number, ok: boolean, latencyMs: number | null): void {
    const key = `${by}\u0000${journey}`;
    let samples = this.journeys.get(key);
    if (!samples) {
      samples = { journey, by, samples: [], failed: 0, latency: latencyMs === null ? null : new LatencyHistogram() };
      this.journeys.set(key, samples);
    }
    samples.samples.push({ t, ok });
    if (!ok) samples.failed++;
    if (latencyMs !== null) samples.latency?.record(latencyMs);
  }

  /** Every scenario; the request names and checks seen most often. */
  private keptJourneys(): { journeys: K6Journey[]; omitted: number } {
    const all = [...this.journeys.values()];
    const byCount = (a: JourneySamples, b: JourneySamples) =>
      b.samples.length - a.samples.length || a.journey.localeCompare(b.journey);
    const scenarios = all.filter((j) => j.by === 'scenario').sort((a, b) => a.journey.localeCompare(b.journey));
    const names = all.filter((j) => j.by === 'name').sort(byCount);
    const checks = all.filter((j) => j.by === 'check').sort(byCount);
    const kept = [...scenarios, ...names.slice(0, maxNamedJourneys), ...checks.slice(0, maxNamedJourneys)];
    return {
      journeys: kept.map((journey) => this.journeyOf(journey)),
      omitted: Math.max(0, names.length - maxNamedJourneys) + Math.max(0, checks.length - maxNamedJourneys),
    };
  }

  private journeyOf(journey: JourneySamples): K6Journey {
    return {
      journey: journey.journey,
      by: journey.by,
      samples: journey.samples.length,
      failed: journey.failed,
      successRatio: successRatioOf(journey.samples.length, journey.failed),
      latencyMs: journey.latency?.summary() ?? null,
      rto: this.rtoOf(journey.samples),
    };
  }

  private rtoOf(samples: readonly OutcomeSample[]): JourneyRto {
    const criteria = this.context.recovery;
    const none = { ms: null, recovered: null, atLeastMs: null, recoveredAtMs: null, failedAfterFault: 0, criteria };
    if (this.firstFaultAt === null) return { ...none, note: 'no fault was injected' };
    const result = computeRto(samples, this.firstFaultAt, criteria, this.observe?.end);
    if (result.recovered === null) return { ...none, note: result.reason };
    if (!result.recovered)
      return {
        ...none,
        recovered: false,
        // From its last sample, not the observation's end: a journey k6 stopped making did not go on failing.
        atLeastMs: Math.round(samples.reduce((last, sample) => Math.max(last, sample.t), 0) - this.firstFaultAt),
        failedAfterFault: result.failedSamples,
        note: 'not recovered when its samples ended',
      };
    return {
      ms: Math.round(result.rtoMs),
      recovered: true,
      atLeastMs: null,
      recoveredAtMs: this.context.offset(result.tRecovered),
      failedAfterFault: result.failedSamples,
      criteria,
      note:
        result.observedAfterRecoveryMs < criteria.windowMs
          ? `recovery observed for only ${Math.round(result.observedAfterRecoveryMs)} ms, less than the window`
          : null,
    };
  }

  private note(): string | null {
    const notes: string[] = [];
    if (this.finished?.note) notes.push(this.finished.note);
    const ended = this.finished?.t;
    if (this.finished?.stoppedBy === 'k6' && ended !== undefined && this.observe && ended < this.observe.end)
      notes.push(
        `k6 ended at ${offsetText(this.context.offset(ended))}, before the observation did ` +
          `(${offsetText(this.context.offset(this.observe.end))}): nothing after that is measured by this probe`,
      );
    return notes.length > 0 ? notes.join('; ') : null;
  }
}

function offsetText(offsetMs: number | null): string {
  return offsetMs === null ? 'an unknown time' : `${offsetMs < 0 ? '' : '+'}${(offsetMs / 1000).toFixed(1)} s`;
}
