import { formatDuration } from '../core/duration';
import type { SloRecord } from '../core/events';
import type { Threshold, SloMetric } from '../experiment/thresholds';
import { thresholdMet } from '../experiment/thresholds';
import { computeSlo, defaultAlertPairs, type SloBucket, type SloResult } from '../measure/slo';
import type { TimelinePoint } from '../measure/timeline';

export interface SloSummary {
  name: string;
  sli: 'availability' | 'latency' | 'promql';
  /** Percent, as written: 99.9. */
  objective: number;
  window: string;
  windowMs: number;
  thresholdMs: number | null;
  probe: string;
  events: number;
  badEvents: number;
  errorRatio: number | null;
  /** Over the whole drill. */
  burnRate: number | null;
  peakBurnRate: number | null;
  burnWindowMs: number;
  /** Percent of the window's error budget this drill consumed. */
  budgetConsumedPct: number | null;
  /** The bad events the SLO window allows at the drill's rate (budget consumed = bad ÷ this). */
  budgetEvents: number | null;
  /** A PromQL SLI's: why Prometheus could not be read for it. */
  error?: string;
  burnTimeline: Array<{ offsetMs: number; burnRate: number }>;
  alerts: Array<{
    long: string;
    short: string;
    longMs: number;
    shortMs: number;
    factor: number;
    fired: boolean;
    firedAfterMs: number | null;
  }>;
  /** Each threshold as written, its bound (`value`, in the metric's unit), what was measured and whether it holds. */
  thresholds: Array<{ metric: SloMetric; text: string; value: number; measured: number | null; met: boolean | null }>;
  /** Every threshold met; null without thresholds. */
  met: boolean | null;
  assumption: string;
}

export const sloAssumption =
  "outside the drill, traffic is assumed to arrive at the drill's rate and to be all good; budget is " +
  'counted by requests (occurrences)';

/** The latency thresholds each probe's timeline must count, for the latency SLOs on it. */
export function sloThresholdsByProbe(slos: readonly SloRecord[], trafficProbe: string): Map<string, number[]> {
  const byProbe = new Map<string, number[]>();
  for (const slo of slos) {
    if (slo.threshold === undefined) continue;
    const probe = slo.probe ?? trafficProbe;
    const list = byProbe.get(probe) ?? [];
    if (!list.includes(slo.threshold)) list.push(slo.threshold);
    byProbe.set(probe, list);
  }
  return byProbe;
}

/** What an SLO's events are read from: the probes' per-second timelines, and a PromQL SLI's samples. */
export interface SloSources {
  trafficProbe: string;
  timelines: ReadonlyMap<string, TimelinePoint[]>;
  thresholdsByProbe: ReadonlyMap<string, number[]>;
  bucketMs: number;
  /** Start of observation, epoch ms: a PromQL SLI's steps are placed from it. */
  t0: number | null;
  promql: ReadonlyMap<string, { stepMs: number; points: Array<[number, number, number]>; error?: string }>;
}

/**
 * An SLO's events in consecutive buckets from the start of observation: a probe's requests (bad: failed, or for a
 * latency SLI slower than its bound), or what a PromQL SLI's counters counted per step (bad: total − good).
 */
export function sloBuckets(slo: SloRecord, sources: SloSources): { buckets: SloBucket[]; bucketMs: number } {
  if (slo.sli === 'promql') {
    const samples = sources.promql.get(slo.name);
    if (!samples || sources.t0 === null) return { buckets: [], bucketMs: sources.bucketMs };
    // A step's increase happened during the step that ends at its time: those ending after the observation began.
    const buckets = samples.points
      .filter(([t]) => t > sources.t0!)
      .map(([, good, total]) => ({ total, bad: Math.max(0, total - good) }));
    return { buckets, bucketMs: samples.stepMs };
  }
  const probe = slo.probe ?? sources.trafficProbe;
  const thresholdIndex =
    slo.threshold === undefined ? -1 : (sources.thresholdsByProbe.get(probe) ?? []).indexOf(slo.threshold);
  const buckets: SloBucket[] = [];
  for (const point of sources.timelines.get(probe) ?? [])
    if (point.offsetMs >= 0)
      buckets.push({
        total: point.requests,
        bad: thresholdIndex >= 0 ? point.slowOrFailed[thresholdIndex] : point.errors,
      });
  return { buckets, bucketMs: sources.bucketMs };
}

/**
 * Each SLO over the drill: the observation and what the traffic saw after it (rollback and
 * post-check are customer time too), from the per-second timelines.
 */
export function summarizeSlos(
  slos: readonly SloRecord[],
  defaults: Threshold<SloMetric>[] | undefined,
  context: SloSources & { faultOffsetMs: number | null },
): SloSummary[] {
  return slos.map((slo) => {
    const probe = slo.sli === 'promql' ? 'prometheus' : (slo.probe ?? context.trafficProbe);
    const { buckets, bucketMs } = sloBuckets(slo, context);
    const alertPairs =
      slo.alerts?.map((pair) => ({ longMs: pair.long, shortMs: pair.short, factor: pair.factor })) ?? defaultAlertPairs;
    const burnWindowMs = slo.burnWindow;
    const result = computeSlo({
      objective: slo.objective / 100,
      windowMs: slo.window,
      buckets,
      bucketMs,
      faultOffsetMs: context.faultOffsetMs,
      alerts: alertPairs,
      burnWindowMs,
    });
    const thresholds = (slo.expect ?? defaults ?? []).map((threshold) => {
      // Judged on the figure the report shows, so a reader can check the verdict.
      const measured = round(measuredFor(threshold.metric, result), 4);
      return {
        metric: threshold.metric,
        text: threshold.text,
        value: threshold.value,
        measured,
        met: measured === null ? null : thresholdMet(threshold, measured),
      };
    });
    return {
      name: slo.name,
      sli: slo.sli,
      objective: slo.objective,
      window: formatDuration(slo.window),
      windowMs: slo.window,
      thresholdMs: slo.threshold ?? null,
      probe,
      events: result.events,
      badEvents: result.badEvents,
      errorRatio: round(result.errorRatio, 6),
      burnRate: round(result.burnRate, 4),
      peakBurnRate: round(result.peakBurnRate, 4),
      burnWindowMs,
      budgetConsumedPct: round(result.budgetConsumedPct, 4),
      budgetEvents: round(result.budgetEvents, 2),
      burnTimeline: Array.from(result.burnRates, (burnRate, i) => ({
        offsetMs: (i + 1) * bucketMs,
        burnRate: round(burnRate, 3)!,
      })),
      alerts: result.alerts.map((alert) => ({
        long: formatDuration(alert.longMs),
        short: formatDuration(alert.shortMs),
        longMs: alert.longMs,
        shortMs: alert.shortMs,
        factor: alert.factor,
        fired: alert.fired,
        firedAfterMs: alert.firedAfterMs,
      })),
      thresholds,
      // A threshold that could not be measured (no requests) is not met.
      met: thresholds.length === 0 ? null : thresholds.every((threshold) => threshold.met === true),
      assumption: sloAssumption,
      ...(slo.sli === 'promql' && context.promql.get(slo.name)?.error
        ? { error: context.promql.get(slo.name)!.error }
        : {}),
    };
  });
}

function measuredFor(metric: SloMetric, result: SloResult): number | null {
  switch (metric) {
    case 'budget':
      return result.budgetConsumedPct;
    case 'burn':
      return result.peakBurnRate;
    case 'alerts':
      return result.events === 0 ? null : result.alerts.filter((alert) => alert.fired).length;
  }
}

function round(value: number | null, digits: number): number | null {
  if (value === null) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
