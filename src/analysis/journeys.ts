import { summarizeLatency } from '../measure/percentiles';
import { successRatioOf } from '../measure/ratio';
import type { RecoveryCriteria } from '../measure/rto';
import { SampleColumns } from '../measure/sample-columns';
import type { JourneyOutcomes } from '../probes';
import { measureImpact, type Cause, type MeasuredEpisode } from './impact';
import { headlineRto, type HeadlineRto } from './rto';
import type { JourneySummary } from './summary';

/** Keeps the summary bounded when a journey flaps for a long drill. */
const maxOutcomeRuns = 100;

export interface JourneyContext {
  causes: readonly Cause[];
  /** The hypothesis' recovery criterion, for journeys without their own. */
  criteria: RecoveryCriteria;
  observe: { t0: number; end: number } | null;
  offset(t: number | null | undefined): number | null;
  iso(t: number): string;
  /** The hypothesis' RTO objective for a journey, ms; null without one. */
  objectiveOf(journey: string): number | null;
}

export interface MeasuredJourney {
  journey: JourneyOutcomes;
  /** Its RTO as the headline would be, with the clock's start and stop for the phases. */
  rto: HeadlineRto;
  episodes: MeasuredEpisode[];
}

/**
 * A journey's RTO, measured exactly as the headline RTO is (analysis/rto.ts): its impact
 * episodes with their causes, the longest outage a fault caused, with its own criterion.
 * `episodes` are given when already measured (the traffic's, with its SLOs' budgets).
 */
export function measureJourney(
  journey: JourneyOutcomes,
  context: JourneyContext,
  episodes?: MeasuredEpisode[],
): MeasuredJourney {
  const criteria = journey.criteria ?? context.criteria;
  const samples = SampleColumns.from(journey.samples);
  const lastSampleAt = samples.length > 0 ? samples.t[samples.length - 1] : null;
  const measured =
    episodes ??
    measureImpact(samples, context.causes, {
      criteria,
      observe: context.observe,
      offset: context.offset,
      iso: context.iso,
      slos: [],
    });
  const faults = context.causes.filter((cause) => cause.kind === 'fault');
  const firstFault = faults.length > 0 ? Math.min(...faults.map((fault) => fault.at)) : null;
  const rto = headlineRto(measured, faults, {
    objectiveMs: context.objectiveOf(journey.name),
    criteria,
    sampledAfterFault: firstFault !== null && lastSampleAt !== null && lastSampleAt >= firstFault,
    lastSampleAt,
    observeEnd: context.observe?.end ?? null,
    iso: context.iso,
    offset: context.offset,
  });
  // Without a steady state of its own, a journey may already be failing when the fault comes: from what, it cannot
  // tell, so its RTO is not measured rather than counted from the fault or called 0.
  const broken =
    firstFault === null
      ? undefined
      : measured.find(
          (episode) =>
            episode.cause === null &&
            episode.measure.onset < firstFault &&
            (episode.measure.recoveredAt === null || episode.measure.recoveredAt > firstFault),
        );
  if (broken)
    rto.summary = {
      ...rto.summary,
      ms: null,
      met: null,
      recovered: null,
      atLeastMs: null,
      tRecovered: null,
      note:
        `already failing before the fault (since ${signedSeconds(broken.summary.onsetMs)}): ` +
        'its recovery cannot be told',
    };
  return { journey, rto, episodes: measured };
}

/** A measured journey as summary.json lists it. */
export function journeySummary(measured: MeasuredJourney, headline: boolean, context: JourneyContext): JourneySummary {
  const { journey } = measured;
  const samples = SampleColumns.from(journey.samples);
  let failed = 0;
  const regions: Record<string, number> = {};
  for (let i = 0; i < samples.length; i++) {
    failed += 1 - samples.ok[i];
    const region = samples.region(i);
    if (region) regions[region] = (regions[region] ?? 0) + 1;
  }
  const runs = outcomeRuns(samples, context.offset);
  const omitted = Math.max(0, runs.length - maxOutcomeRuns);
  return {
    name: journey.name,
    probe: journey.probe,
    kind: journey.kind,
    headline,
    samples: samples.length,
    failed,
    successRatio: successRatioOf(samples.length, failed),
    latencyMs: summarizeLatency(samples.slice(0).latencyMs),
    regions,
    rto: measured.rto.summary,
    outcomes: omitted > 0 ? [...runs.slice(0, maxOutcomeRuns / 2), ...runs.slice(-maxOutcomeRuns / 2)] : runs,
    ...(omitted > 0 ? { outcomesOmitted: omitted } : {}),
  };
}

/** Consecutive samples with the same outcome, each run from its first sample's due time to the next run's. */
function outcomeRuns(samples: SampleColumns, offset: JourneyContext['offset']): JourneySummary['outcomes'] {
  const runs: JourneySummary['outcomes'] = [];
  let last: { ok: boolean; from: number; to: number; samples: number } | null = null;
  const close = () => {
    if (last) runs.push({ fromMs: offset(last.from), toMs: offset(last.to), ok: last.ok, samples: last.samples });
  };
  for (let i = 0; i < samples.length; i++) {
    const t = samples.t[i];
    const ok = samples.ok[i] === 1;
    if (last && last.ok === ok) {
      last.samples++;
      last.to = t;
      continue;
    }
    if (last) last.to = t;
    close();
    last = { ok, from: t, to: t, samples: 1 };
  }
  close();
  return runs;
}

function signedSeconds(ms: number | null): string {
  return ms === null ? 'the start' : `${ms < 0 ? '-' : '+'}${Math.abs(ms / 1000).toFixed(2)}s`;
}
