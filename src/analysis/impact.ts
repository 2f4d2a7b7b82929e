import type { JournalEvent } from '../core/events';
import { impactEpisodes, type ImpactEpisodeMeasure } from '../measure/episodes';
import { summarizeLatency, type LatencySummary } from '../measure/percentiles';
import type { RecoveryCriteria } from '../measure/rto';
import { SampleColumns } from '../measure/sample-columns';
import type { SloSummary } from './slos';

/** What started an impact episode. */
export interface ImpactCause {
  /** A fault became active; the failback began; the rollback at the end of the observation began. */
  kind: 'fault' | 'failback' | 'rollback';
  name: string;
  at: string;
  /** Offset from the start of observation. */
  atMs: number | null;
}

export interface ImpactEpisode {
  /** The last cause at or before the first failed request; null for an episode before any fault. */
  cause: ImpactCause | null;
  onsetAt: string;
  onsetMs: number | null;
  /** null when clients had not recovered when the run ended. */
  recoveredAt: string | null;
  recoveredAtMs: number | null;
  /** How long clients were hurt: onset to recovery. */
  impactMs: number | null;
  /** Its cause to its recovery: this episode's RTO. */
  rtoMs: number | null;
  requests: number;
  failedRequests: number;
  latencyMs: LatencySummary;
  /** The share of each SLO's window budget this episode alone burned (the traffic's SLOs). */
  budget: Array<{ slo: string; consumedPct: number | null }>;
}

/** What failing back cost clients. */
export interface FailbackCost {
  status: 'succeeded' | 'failed' | 'running';
  /** The failback itself: the old region rejoining and the switchover, ms. */
  ms: number | null;
  /** How long its impact lasted, the requests that failed and the budget they burned (0 when clients felt nothing). */
  impactMs: number;
  failedRequests: number;
  budget: Array<{ slo: string; consumedPct: number | null }>;
}

export interface Cause {
  kind: ImpactCause['kind'];
  name: string;
  /** When it became active: the RTO's clock starts here. */
  at: number;
  /**
   * The earliest it could hurt: a fault acts while it is being injected (a stopped process
   * stops before the call that stops it returns), so from its `fault.injecting`.
   */
  actingFrom: number;
}

/** The moments that can start an outage, from the journal: faults becoming active and the failback beginning. */
export class CauseFold {
  readonly causes: Cause[] = [];
  private readonly injecting = new Map<string, number>();
  private failback: { startedAt: number; endedAt: number | null; status: FailbackCost['status'] } | null = null;

  add(event: JournalEvent): void {
    if (event.type === 'fault.injecting') this.injecting.set(event.fault, event.t);
    else if (event.type === 'fault.injected')
      this.causes.push({
        kind: 'fault',
        name: event.fault,
        at: event.at,
        actingFrom: Math.min(event.at, this.injecting.get(event.fault) ?? event.at),
      });
    else if (event.type === 'failover.step' && event.step === 'failback') {
      if (event.status === 'started') {
        this.failback = { startedAt: event.at, endedAt: null, status: 'running' };
        this.causes.push({ kind: 'failback', name: 'failback', at: event.at, actingFrom: event.at });
      } else if (this.failback && event.status !== 'skipped') {
        this.failback.endedAt = event.at;
        this.failback.status = event.status === 'succeeded' ? 'succeeded' : 'failed';
      }
    }
  }

  get failbackRun() {
    return this.failback;
  }
}

export interface ImpactContext {
  criteria: RecoveryCriteria;
  /** The observation; episodes still open at its end are followed through the rollback. */
  observe: { t0: number; end: number } | null;
  offset(t: number): number | null;
  iso(t: number): string;
  /** The traffic's SLOs: each episode's share of their budgets. */
  slos: readonly SloSummary[];
}

/**
 * Every impact episode of the traffic, each with its cause. Judged inside the observation
 * first, so a disturbance of the rollback cannot lengthen an outage that had recovered;
 * one still open when the observation ended is followed through the rollback, and
 * episodes that begin after it (the failback's) are added as their own.
 */
export function measureImpact(
  outcomes: SampleColumns | readonly TrafficSampleLike[],
  causes: readonly Cause[],
  context: ImpactContext,
): MeasuredEpisode[] {
  const samples = SampleColumns.from(outcomes);
  const { criteria, observe } = context;
  // What ended during the observation belongs to it: a browser journey begun in the steady state can end failing in
  // the outage (its time stays when it was due, as a request's does).
  const fromStart = observe ? samples.where((i) => samples.t[i] + samples.latencyMs[i] >= observe.t0) : samples;
  const whole = impactEpisodes(fromStart, criteria);
  let measured: ImpactEpisodeMeasure[] = whole;
  if (observe) {
    const observed = impactEpisodes(fromStart.slice(0, fromStart.lowerBound(observe.end)), criteria, observe.end);
    measured = observed.filter((episode) => episode.recoveredAt !== null);
    const open = observed.find((episode) => episode.recoveredAt === null);
    if (open) {
      const continued = whole.find(
        (episode) => episode.onset <= open.onset && (episode.recoveredAt === null || episode.recoveredAt > open.onset),
      );
      if (continued) measured.push({ ...continued, onset: Math.max(open.onset, continued.onset) });
    }
    const until = measured.at(-1)?.recoveredAt ?? (open ? Infinity : -Infinity);
    measured.push(...whole.filter((episode) => episode.onset >= observe.end && episode.onset > until));
  }
  const ordered = [...causes].sort((a, b) => a.actingFrom - b.actingFrom);
  const rollback: Cause | null = observe
    ? { kind: 'rollback', name: 'rollback', at: observe.end, actingFrom: observe.end }
    : null;
  return measured.map((episode) => {
    // A request sent just before a fault became active fails because of it when it ends: the
    // cause is judged at the first failure's end, while the onset stays its due time (RTO's clock).
    const failedAt = episode.onset + firstFailureLatency(fromStart, episode.onset);
    let cause = [...ordered].reverse().find((candidate) => candidate.actingFrom <= failedAt) ?? null;
    // After the observation, what is not the failback is the rollback's doing, not the fault's.
    if (rollback && episode.onset >= rollback.at && cause && cause.at < rollback.at) cause = rollback;
    return { measure: episode, cause, summary: describe(episode, cause, samples, context) };
  });
}

/** An episode as measured (times in ms since the epoch) and as the summary says it. */
export interface MeasuredEpisode {
  measure: ImpactEpisodeMeasure;
  cause: Cause | null;
  summary: ImpactEpisode;
}

/** The latency of the first failure due at `t` (0 when none is): when it failed, from when it was due. */
function firstFailureLatency(samples: SampleColumns, t: number): number {
  for (let i = samples.lowerBound(t); i < samples.length && samples.t[i] === t; i++)
    if (samples.ok[i] === 0) return samples.latencyMs[i];
  return 0;
}

/** The shape measureImpact reads of a sample given as an object (a browser journey's attempts). */
type TrafficSampleLike = { t: number; ok: boolean; latencyMs: number; region: string };

function describe(
  episode: ImpactEpisodeMeasure,
  cause: Cause | null,
  samples: SampleColumns,
  context: ImpactContext,
): ImpactEpisode {
  const end = episode.recoveredAt ?? Infinity;
  const during = samples.slice(samples.lowerBound(episode.onset), samples.lowerBound(end));
  return {
    cause: cause && { kind: cause.kind, name: cause.name, at: context.iso(cause.at), atMs: context.offset(cause.at) },
    onsetAt: context.iso(episode.onset),
    onsetMs: context.offset(episode.onset),
    recoveredAt: episode.recoveredAt === null ? null : context.iso(episode.recoveredAt),
    recoveredAtMs: episode.recoveredAt === null ? null : context.offset(episode.recoveredAt),
    impactMs: episode.recoveredAt === null ? null : Math.round(episode.recoveredAt - episode.onset),
    rtoMs: episode.recoveredAt === null || cause === null ? null : Math.round(episode.recoveredAt - cause.at),
    requests: episode.requests,
    failedRequests: episode.failed,
    latencyMs: summarizeLatency(during.latencyMs),
    budget: context.slos.map((slo) => ({
      slo: slo.name,
      consumedPct: budgetShare(slo, during),
    })),
  };
}

/** An episode's bad events (failed, or slower than a latency SLO's threshold) as a share of the SLO's window budget. */
function budgetShare(slo: SloSummary, samples: SampleColumns): number | null {
  if (slo.budgetEvents === null || slo.budgetEvents === 0) return null;
  const threshold = slo.sli === 'latency' ? slo.thresholdMs : null;
  let bad = 0;
  for (let i = 0; i < samples.length; i++)
    if (samples.ok[i] === 0 || (threshold !== null && samples.latencyMs[i] > threshold)) bad++;
  return Math.round((bad / slo.budgetEvents) * 100 * 10_000) / 10_000;
}

/** The failback's cost: its own duration, and the episodes it caused. */
export function failbackCost(
  run: CauseFold['failbackRun'],
  episodes: readonly ImpactEpisode[],
  slos: readonly SloSummary[],
): FailbackCost | null {
  if (!run) return null;
  const caused = episodes.filter((episode) => episode.cause?.kind === 'failback');
  return {
    status: run.status,
    ms: run.endedAt === null ? null : Math.round(run.endedAt - run.startedAt),
    impactMs: caused.reduce((sum, episode) => sum + (episode.impactMs ?? 0), 0),
    failedRequests: caused.reduce((sum, episode) => sum + episode.failedRequests, 0),
    budget: slos.map((slo) => ({
      slo: slo.name,
      consumedPct: caused.some((episode) => episodeBudget(episode, slo.name) === null)
        ? null
        : Math.round(caused.reduce((sum, episode) => sum + episodeBudget(episode, slo.name)!, 0) * 10_000) / 10_000,
    })),
  };
}

function episodeBudget(episode: ImpactEpisode, slo: string): number | null {
  return episode.budget.find((entry) => entry.slo === slo)?.consumedPct ?? null;
}

/** Latency before the first fault, from its injection until the last was reverted, and after. */
export function latencyByPeriod(
  samples: SampleColumns,
  faults: { firstInjected: number | null; lastReverted: number | null },
  t0: number | null,
): Record<'beforeFaults' | 'duringFaults' | 'afterFaults', LatencySummary & { requests: number }> {
  const observed = t0 === null ? 0 : samples.lowerBound(t0);
  const start = Math.max(observed, samples.lowerBound(faults.firstInjected ?? Infinity));
  // A revert before the first injection leaves no time during faults, as the comparison on each time did.
  const end = Math.max(start, samples.lowerBound(faults.lastReverted ?? Infinity));
  const period = (from: number, to: number) => ({
    ...summarizeLatency(samples.latencyMs.subarray(from, to)),
    requests: to - from,
  });
  return {
    beforeFaults: period(observed, start),
    duringFaults: period(start, end),
    afterFaults: period(Math.max(observed, samples.lowerBound(faults.lastReverted ?? Infinity)), samples.length),
  };
}
