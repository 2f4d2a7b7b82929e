import type { EventOf, JournalEvent, K6TagSet } from '../core/events';
import type { SampleColumns } from '../measure/sample-columns';
import type { K6Details } from './k6-details';
import { judgeK6 } from './k6-verdict';
import { OutcomeAccumulator } from './outcomes';
import type {
  HttpOutcomes,
  JourneyOutcomes,
  ProbeAccumulator,
  ProbeSummary,
  ProbeSummaryContext,
  TrafficSample,
} from './types';

/** A script with a name per URL would make a journey of every URL: the most frequent names and checks are kept. */
const maxNamedJourneys = 20;

type K6Result = { summary: ProbeSummary; outcomes: HttpOutcomes; journeys: JourneyOutcomes[] };

/**
 * The journeys of a k6 probe, by name: the probe (all its requests), `<probe>.<scenario>`
 * for each k6 scenario, `<probe>.<request name>` for each request name (`… (request)` when
 * a scenario has the same name), `<probe>.check: <check>` for each check.
 */
export function k6JourneyName(
  probe: string,
  kind: 'scenario' | 'request' | 'check',
  name: string,
  scenarios: ReadonlySet<string> = new Set(),
): string {
  if (kind === 'check') return `${probe}.check: ${name}`;
  return `${probe}.${name}${kind === 'request' && scenarios.has(name) ? ' (request)' : ''}`;
}

/**
 * A k6 probe's part of the summary, from its journal events: all its requests as outcomes
 * (SLOs, latency and the charts treat it as an http probe), its journeys — the probe, each
 * scenario, request name and check, whose RTOs the analysis measures as the headline's —
 * and how k6 ended, judged.
 */
export class K6Fold implements ProbeAccumulator<K6Result> {
  private readonly outcomes: OutcomeAccumulator;
  private readonly tagSets = new Map<number, K6TagSet>();
  private readonly samplesBy = {
    scenario: new Map<string, TrafficSample[]>(),
    request: new Map<string, TrafficSample[]>(),
    check: new Map<string, TrafficSample[]>(),
  };
  private k6Started: EventOf<'k6.started'> | null = null;
  private finished: EventOf<'k6.finished'> | null = null;
  private observeEnd: number | null = null;

  constructor(
    private readonly started: EventOf<'probe.started'>,
    private readonly context: ProbeSummaryContext,
  ) {
    this.outcomes = new OutcomeAccumulator(context.latencyThresholds);
  }

  add(event: JournalEvent): void {
    switch (event.type) {
      case 'observe.started':
        this.observeEnd ??= event.t0 + event.durationMs;
        this.outcomes.observeStarted(event.t0);
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

  result(): K6Result {
    const { summary, outcomes } = this.outcomes.result(this.started);
    const verdict = judgeK6(this.finished);
    const { journeys, omitted } = this.journeys(outcomes.samples);
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
      journeysOmitted: omitted,
      note: this.note(),
    };
    return { summary: { ...summary, k6 }, outcomes, journeys };
  }

  private addSamples(event: EventOf<'k6.samples'>): void {
    for (const tagSet of event.tagSets) this.tagSets.set(tagSet.id, tagSet);
    for (const row of event.requests) {
      const [t, latencyMs, status, ok, error, region, tagSetId] = row;
      this.outcomes.add([t, latencyMs, status, ok, error, region]);
      const tags = this.tagSets.get(tagSetId);
      if (!tags) continue;
      const sample = { t, ok: ok === 1, latencyMs, region };
      this.record('scenario', tags.scenario, sample);
      this.record('request', tags.name, sample);
    }
    for (const [t, ok, tagSetId] of event.checks) {
      const tags = this.tagSets.get(tagSetId);
      // A check has no duration of its own.
      if (tags) this.record('check', tags.name, { t, ok: ok === 1, latencyMs: 0, region: '' });
    }
  }

  private record(kind: keyof K6Fold['samplesBy'], name: string, sample: TrafficSample): void {
    const list = this.samplesBy[kind].get(name);
    if (list) list.push(sample);
    else this.samplesBy[kind].set(name, [sample]);
  }

  /** The probe, every scenario, the request names and checks seen most often; each journey's samples in time order. */
  private journeys(all: SampleColumns): { journeys: JourneyOutcomes[]; omitted: number } {
    const probe = this.started.probe;
    const journey = (name: string, samples: TrafficSample[]): JourneyOutcomes => ({
      name,
      probe,
      kind: this.started.kind,
      samples: [...samples].sort((a, b) => a.t - b.t),
    });
    const mostFrequent = (map: Map<string, TrafficSample[]>) =>
      [...map].sort(([a, x], [b, y]) => y.length - x.length || a.localeCompare(b));
    const scenarios = [...this.samplesBy.scenario].sort(([a], [b]) => a.localeCompare(b));
    const requests = mostFrequent(this.samplesBy.request);
    const checks = mostFrequent(this.samplesBy.check);
    const scenarioNames = new Set(scenarios.map(([name]) => name));
    return {
      journeys: [
        { name: probe, probe, kind: this.started.kind, samples: all },
        ...scenarios.map(([name, samples]) => journey(k6JourneyName(probe, 'scenario', name), samples)),
        ...requests
          .slice(0, maxNamedJourneys)
          .map(([name, samples]) => journey(k6JourneyName(probe, 'request', name, scenarioNames), samples)),
        ...checks
          .slice(0, maxNamedJourneys)
          .map(([name, samples]) => journey(k6JourneyName(probe, 'check', name), samples)),
      ],
      omitted: Math.max(0, requests.length - maxNamedJourneys) + Math.max(0, checks.length - maxNamedJourneys),
    };
  }

  private note(): string | null {
    const notes: string[] = [];
    if (this.finished?.note) notes.push(this.finished.note);
    const ended = this.finished?.t;
    if (this.finished?.stoppedBy === 'k6' && ended !== undefined && this.observeEnd !== null && ended < this.observeEnd)
      notes.push(
        `k6 ended at ${offsetText(this.context.offset(ended))}, before the observation did ` +
          `(${offsetText(this.context.offset(this.observeEnd))}): its journeys are not measured after that`,
      );
    return notes.length > 0 ? notes.join('; ') : null;
  }
}

function offsetText(offsetMs: number | null): string {
  return offsetMs === null ? 'an unknown time' : `${offsetMs < 0 ? '' : '+'}${(offsetMs / 1000).toFixed(1)} s`;
}
