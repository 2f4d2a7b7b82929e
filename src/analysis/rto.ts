import type { Cause, MeasuredEpisode } from './impact';
import type { RtoSummary } from './summary';

export interface HeadlineRto {
  summary: RtoSummary;
  /** The clock's start and stop, for the phases: the causing fault and the recovery (null without one). */
  tFault: number | null;
  tRecovered: number | null;
}

/**
 * The headline RTO: the faults' outages, each timed from the fault that caused it (the
 * last one active at or before its first failed request), the longest of them reported.
 * A fault clients never felt starts no clock; the failback's and the rollback's episodes
 * are their own cost, not the fault's. No outage at all is an RTO of 0.
 */
export function headlineRto(
  episodes: readonly MeasuredEpisode[],
  faults: readonly Cause[],
  context: {
    objectiveMs: number | null;
    criteria: { successRatio: number; windowMs: number };
    /** Whether any request was due at or after the first fault. */
    sampledAfterFault: boolean;
    /** The last request's time: an outage the run ended in lasted at least until then. */
    lastSampleAt: number | null;
    observeEnd: number | null;
    iso: (t: number) => string;
    offset: (t: number) => number | null;
  },
): HeadlineRto {
  const { objectiveMs, criteria, iso } = context;
  const empty = {
    objectiveMs,
    criteria,
    phases: null,
    bounds: null,
    cause: null,
    tOnset: null,
    onsetMs: null,
    ms: null,
    met: null,
    recovered: null,
    atLeastMs: null,
    tRecovered: null,
    failedRequests: 0,
  };
  const firstFault = faults.length > 0 ? Math.min(...faults.map((fault) => fault.at)) : null;
  if (firstFault === null)
    return { summary: { ...empty, tFault: null, note: 'no fault was injected' }, tFault: null, tRecovered: null };
  if (!context.sampledAfterFault)
    return {
      summary: { ...empty, tFault: iso(firstFault), note: 'no samples after the fault' },
      tFault: null,
      tRecovered: null,
    };

  const outages = episodes.filter((episode) => episode.cause?.kind === 'fault');
  if (outages.length === 0)
    return {
      summary: {
        ...empty,
        tFault: iso(firstFault),
        ms: 0,
        met: objectiveMs === null ? null : true,
        recovered: true,
        tRecovered: iso(firstFault),
        note: null,
      },
      tFault: firstFault,
      tRecovered: firstFault,
    };

  const open = outages.find((episode) => episode.measure.recoveredAt === null);
  const headline = open ?? outages.reduce((worst, episode) => (rtoOf(episode) > rtoOf(worst) ? episode : worst));
  const cause = headline.cause!;
  const base = {
    ...empty,
    tFault: iso(cause.at),
    cause: headline.summary.cause,
    tOnset: iso(headline.measure.onset),
    onsetMs: context.offset(headline.measure.onset),
    failedRequests: headline.measure.failed,
  };
  if (open) {
    // The last request seen, not the planned end: an interrupted run did not observe that long.
    const end = context.lastSampleAt ?? cause.at;
    return {
      summary: {
        ...base,
        met: objectiveMs === null ? null : false,
        recovered: false,
        atLeastMs: Math.round(end - cause.at),
        note: 'clients had not recovered when the run ended',
      },
      tFault: cause.at,
      tRecovered: null,
    };
  }
  const recoveredAt = headline.measure.recoveredAt!;
  const ms = Math.round(recoveredAt - cause.at);
  const notes: string[] = [];
  const observedAfter = headline.measure.observedAfterRecoveryMs ?? 0;
  if (observedAfter < criteria.windowMs)
    notes.push(
      `recovery observed for only ${Math.round(observedAfter)} ms, less than the ${criteria.windowMs} ms window`,
    );
  if (context.observeEnd !== null && recoveredAt >= context.observeEnd)
    notes.push('clients recovered only after the rollback at the end of the observation');
  return {
    summary: {
      ...base,
      ms,
      met: objectiveMs === null ? null : ms <= objectiveMs,
      recovered: true,
      tRecovered: iso(recoveredAt),
      note: notes.length > 0 ? notes.join('; ') : null,
    },
    tFault: cause.at,
    tRecovered: recoveredAt,
  };
}

function rtoOf(episode: MeasuredEpisode): number {
  return episode.measure.recoveredAt! - episode.cause!.at;
}
