import type { SloMetric } from '../experiment/thresholds';
import { formatDuration } from '../core/duration';
import type { RtoBounds } from './bounds';
import type { FailbackCost, ImpactEpisode } from './impact';
import type { JourneySummary, RtoSummary } from './summary';

/* How figures are worded wherever a run is described: the verdict's reasons, reports, the CLI. */

export function formatRatio(ratio: number | null): string {
  return ratio === null ? 'n/a' : `${(ratio * 100).toFixed(ratio >= 0.999 && ratio < 1 ? 2 : 1)}%`;
}

/** `1 of 19 requests failed: TIMEOUT ×1`; the kinds most frequent first. */
export function describeFailures(samples: number, failures: Record<string, number>): string {
  if (samples === 0) return 'no requests in the window';
  const kinds = Object.entries(failures).sort(([, a], [, b]) => b - a);
  const failed = kinds.reduce((sum, [, count]) => sum + count, 0);
  const noun = samples === 1 ? 'request' : 'requests';
  if (failed === 0) return `none of ${samples} ${noun} failed`;
  return `${failed} of ${samples} ${noun} failed: ${kinds.map(([kind, count]) => `${kind} ×${count}`).join(', ')}`;
}

/** What a steady-state line adds when the check was not met: its window's failures, where the journal kept them. */
export function unmetSteadyStateFailures(event: {
  ok: boolean;
  samples: number;
  failures?: Record<string, number>;
}): string {
  return !event.ok && event.failures ? `; ${describeFailures(event.samples, event.failures)}` : '';
}

export function rtoMeasured(rto: RtoSummary): string {
  if (rto.ms !== null) return formatDuration(rto.ms);
  if (rto.recovered === false) return `not recovered (≥ ${formatDuration(rto.atLeastMs ?? 0)})`;
  return `not measured${rto.note ? ` (${rto.note})` : ''}`;
}

export function describeSloMeasure(metric: SloMetric, measured: number | null): string {
  if (measured === null) return 'no requests to measure';
  switch (metric) {
    case 'budget':
      return `${formatPercent(measured)} of the budget burned`;
    case 'burn':
      return `peak burn rate ${formatBurn(measured)}`;
    case 'alerts':
      return `${measured} alert pair${measured === 1 ? '' : 's'} fired`;
  }
}

export function formatBurn(rate: number): string {
  return `${Number(rate.toPrecision(3))}x`;
}

export function formatPercent(percent: number): string {
  if (percent === 0) return '0%';
  if (percent < 0.01) return '<0.01%';
  if (percent < 1) return `${Number(percent.toPrecision(2))}%`;
  if (percent < 10) return `${Number(percent.toFixed(1))}%`;
  return `${Math.round(percent)}%`;
}

/** 5200 → '+5.20s': an offset from the start of observation. */
export function formatOffset(ms: number | null): string {
  return ms === null ? '—' : `+${(ms / 1000).toFixed(2)}s`;
}

/** 65 000 → '+1:05': an offset from the start of a GameDay, in minutes and seconds. */
export function dayOffset(ms: number | null): string {
  if (ms === null) return '—';
  const seconds = Math.round(ms / 1000);
  return `+${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** How the RTO was counted: from which fault, when clients first failed, to what recovery. */
export function rtoClock(rto: RtoSummary): string {
  const criteria =
    `the first successful request after which the success ratio stayed ≥ ${formatRatio(rto.criteria.successRatio)} ` +
    `over every ${formatDuration(rto.criteria.windowMs)} window`;
  if (!rto.cause)
    return `RTO counts from the fault that hurt (the last active by the first failed request) to ${criteria}.`;
  return (
    `RTO counts from ${rto.cause.name} becoming active (${formatOffset(rto.cause.atMs)}), the last fault to begin ` +
    `before the outage's first failed request (sent at ${formatOffset(rto.onsetMs)}), to ${criteria}.`
  );
}

/** 'lower 2.1s, upper 10.2s: within (…)'. */
export function boundsText(bounds: RtoBounds): string {
  return (
    `bounds ${formatDuration(bounds.lowerMs)}–${formatDuration(bounds.upperMs)}, measured ${bounds.position}: ` +
    bounds.explanation
  );
}

/** One impact episode in a line: what caused it, when clients were hurt, for how long, how many requests failed. */
export function episodeText(episode: ImpactEpisode): string {
  const cause = causeText(episode);
  const lasted = episode.impactMs === null ? 'not recovered by the end' : `for ${formatDuration(episode.impactMs)}`;
  const rto = episode.rtoMs === null ? '' : `, recovered ${formatDuration(episode.rtoMs)} after its cause`;
  return (
    `${cause}: clients failed from ${formatOffset(episode.onsetMs)} ${lasted} ` +
    `(${episode.failedRequests} of ${episode.requests} requests failed${rto})`
  );
}

/** What failing back cost: its impact, failed requests and budget, or that clients felt nothing. */
export function failbackText(cost: FailbackCost): string {
  const took = cost.ms === null ? cost.status : `${cost.status} in ${formatDuration(cost.ms)}`;
  if (cost.failedRequests === 0 && cost.impactMs === 0) return `failback ${took}: clients felt nothing`;
  const budget = cost.budget
    .filter((entry) => entry.consumedPct !== null)
    .map((entry) => `${formatPercent(entry.consumedPct!)} of ${entry.slo}'s budget`);
  return (
    `failback ${took}: ${formatDuration(cost.impactMs)} of impact, ${cost.failedRequests} failed requests` +
    (budget.length > 0 ? `, ${budget.join(', ')}` : '')
  );
}

/** 'fault us-east-1-offline', 'failback', 'rollback', or 'before any fault'. */
export function causeText(episode: ImpactEpisode): string {
  if (!episode.cause) return 'before any fault';
  return episode.cause.kind === 'fault' ? `fault ${episode.cause.name}` : episode.cause.kind;
}

/** 7240 → '+7.2 s': how long after its fault a journey recovered. */
function afterFault(ms: number): string {
  return `+${(ms / 1000).toFixed(1)} s`;
}

/**
 * Every journey's recovery in one sentence, the slowest first: 'checkout recovered at +7.2 s,
 * traffic at +3.1 s (after us-east-1-offline)'. Each is counted from the fault that hurt it.
 */
export function journeysText(journeys: readonly JourneySummary[]): string {
  const order = (journey: JourneySummary) =>
    journey.rto.recovered === false
      ? Infinity
      : journey.rto.ms === null
        ? -2
        : journey.rto.ms === 0
          ? -1
          : journey.rto.ms;
  const sorted = [...journeys].sort((a, b) => order(b) - order(a));
  const parts: string[] = [];
  let recoveredSaid = false;
  for (const { name, rto } of sorted) {
    if (rto.ms !== null && rto.ms > 0) {
      parts.push(`${name} ${recoveredSaid ? '' : 'recovered '}at ${afterFault(rto.ms)}`);
      recoveredSaid = true;
    } else if (rto.ms === 0) parts.push(`${name} never failed beyond its criterion`);
    else if (rto.recovered === false)
      parts.push(`${name} had not recovered when the run ended (after ${afterFault(rto.atLeastMs ?? 0)})`);
    else parts.push(`${name} was not measured${rto.note ? `: ${rto.note}` : ''}`);
  }
  const causes = [...new Set(sorted.flatMap(({ rto }) => (rto.cause && rto.ms !== 0 ? [rto.cause.name] : [])))];
  const after = causes.length === 1 ? ` (from ${causes[0]})` : '';
  return `${parts.join(', ')}${after}`;
}
