import type { Slo } from '../../experiment/slos';
import type { StopCondition } from '../../experiment/stop-conditions';
import { errorRatioAbove, minimumSamples, type TrafficRecorder } from '../../probes/recorder';
import { now } from '../../core/clock';
import { describeCommandFailure, runCommand } from '../../core/shell';
import { errorMessage } from '../../core/errors';
import type { PrometheusClient } from '../../prometheus/client';

export interface StopWatchContext {
  /** The recorder of an http probe by name; undefined names the traffic. */
  recorderFor: (probe: string | undefined) => TrafficRecorder;
  slos: readonly Slo[];
  /** The target's Prometheus, for promql guards. */
  prometheus: PrometheusClient | null;
  /** Start of observation: windowed guards are judged only once a whole window exists. */
  t0: number;
  signal: AbortSignal;
  onBreach: (condition: string, detail: string) => void;
}

/** Guards are checked this often, so a breach stops the run within one window plus this. */
const evaluateEveryMs = 250;

/**
 * The latency bounds a probe's recorder must count exceedances of, for the latency and
 * burn-rate (latency SLO) guards on it; `probe` undefined in a guard or SLO is the traffic.
 */
export function trackedLatencyThresholds(
  conditions: readonly StopCondition[],
  slos: readonly Slo[],
  probe: string,
  trafficProbe: string,
): number[] {
  const on = (name: string | undefined) => (name ?? trafficProbe) === probe;
  const thresholds = new Set<number>();
  for (const condition of conditions) {
    if (condition.kind === 'latency' && on(condition.probe)) thresholds.add(condition.above);
    if (condition.kind === 'burnRate') {
      const slo = slos.find((candidate) => candidate.name === condition.slo);
      if (slo?.threshold !== undefined && on(slo.probe)) thresholds.add(slo.threshold);
    }
  }
  return [...thresholds];
}

/** Starts watching the guards; returns a function that stops watching. */
export function watchStopConditions(conditions: readonly StopCondition[], context: StopWatchContext): () => void {
  const stoppers = conditions.map((condition, index) =>
    watch(condition, `stopConditions[${index}] ${condition.kind}`, context),
  );
  return () => stoppers.forEach((stop) => stop());
}

function watch(condition: StopCondition, label: string, context: StopWatchContext): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const live = () => !stopped && !context.signal.aborted;
  /** Polls a windowed measure; `breach` returns the detail of a breach, or null. */
  const poll = (windowMs: number, breach: (from: number, to: number) => string | null) => {
    const check = () => {
      if (!live()) return;
      const current = now();
      if (current - context.t0 >= windowMs) {
        const detail = breach(current - windowMs, current);
        if (detail !== null) return context.onBreach(label, detail);
      }
      timer = setTimeout(check, evaluateEveryMs);
    };
    timer = setTimeout(check, evaluateEveryMs);
  };

  switch (condition.kind) {
    case 'errorRatio': {
      const recorder = context.recorderFor(undefined);
      poll(condition.window, (_from, to) => {
        const breach = errorRatioAbove(recorder, condition.window, condition.above, to);
        return (
          breach &&
          `error ratio ${percent(breach.errorRatio)} over the last ${condition.window} ms > ${percent(condition.above)}`
        );
      });
      break;
    }
    case 'latency': {
      // p-th percentile above the bound ⟺ more than (100 − p)% of requests slower (nearest rank); failures count as
      // slow.
      const recorder = context.recorderFor(condition.probe);
      poll(condition.window, (from, to) => {
        const { slowOrFailed, count } = recorder.slowerThanBetween(condition.above, from, to);
        if (count < minimumSamples || slowOrFailed / count <= 1 - condition.percentile / 100) return null;
        return (
          `p${condition.percentile} latency over the last ${condition.window} ms > ` +
          `${condition.above} ms (${slowOrFailed} of ${count} requests slower or failed)`
        );
      });
      break;
    }
    case 'burnRate': {
      const slo = context.slos.find((candidate) => candidate.name === condition.slo)!;
      const recorder = context.recorderFor(slo.probe);
      poll(condition.window, (from, to) => {
        const { bad, count } = badEvents(recorder, slo, from, to);
        const burn = count === 0 ? 0 : bad / count / (1 - slo.objective / 100);
        if (count < minimumSamples || burn <= condition.above) return null;
        return (
          `SLO ${slo.name} burned ${burn.toFixed(1)}x its budget rate over the last ` +
          `${condition.window} ms > ${condition.above}x (${bad} of ${count} requests bad)`
        );
      });
      break;
    }
    case 'duration': {
      timer = setTimeout(
        () => {
          if (live()) context.onBreach(label, `the observation has lasted ${condition.max} ms, its cap`);
        },
        Math.max(0, context.t0 + condition.max - now()),
      );
      break;
    }
    case 'promql': {
      const prometheus = context.prometheus!;
      let failures = 0;
      const check = async () => {
        if (!live()) return;
        let detail: string | null = null;
        try {
          const samples = await prometheus.query(condition.query, { signal: AbortSignal.timeout(condition.timeout) });
          failures = 0;
          // A vector breaches with any series; a scalar with any value but 0.
          const breached = samples.filter((sample) => Object.keys(sample.labels).length > 0 || sample.value !== 0);
          if (breached.length > 0) detail = `\`${condition.query}\` returned ${describeSamples(breached)}`;
        } catch (error) {
          // A guard that cannot be read guards nothing: after a few failures in a row it stops the drill.
          if (++failures >= unreadableGuardLimit)
            detail = `\`${condition.query}\` could not be evaluated ${failures} times in a row: ${errorMessage(error)}`;
        }
        if (!live()) return;
        if (detail !== null) return context.onBreach(label, detail);
        timer = setTimeout(check, condition.every);
      };
      timer = setTimeout(check, condition.every);
      break;
    }
    case 'command': {
      const check = async () => {
        if (!live()) return;
        const result = await runCommand(condition.run, { timeoutMs: condition.timeout });
        if (!live()) return;
        if (result.exitCode !== 0)
          return context.onBreach(label, `guard ${describeCommandFailure(condition.run, result, condition.timeout)}`);
        timer = setTimeout(check, condition.every);
      };
      timer = setTimeout(check, condition.every);
      break;
    }
  }
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** The SLI's bad events in [from, to): failures, and for a latency SLI also successes slower than its bound. */
function badEvents(recorder: TrafficRecorder, slo: Slo, from: number, to: number): { bad: number; count: number } {
  if (slo.threshold !== undefined) {
    const { slowOrFailed, count } = recorder.slowerThanBetween(slo.threshold, from, to);
    return { bad: slowOrFailed, count };
  }
  const { failed, count } = recorder.countsBetween(from, to);
  return { bad: failed, count };
}

/** Failed evaluations in a row after which a promql guard stops the drill. */
const unreadableGuardLimit = 3;

function describeSamples(samples: Array<{ labels: Record<string, string>; value: number }>): string {
  const shown = samples.slice(0, 3).map((sample) => {
    const labels = Object.entries(sample.labels)
      .filter(([label]) => label !== '__name__')
      .map(([label, value]) => `${label}=${JSON.stringify(value)}`)
      .join(',');
    return `${labels ? `{${labels}} ` : ''}${+sample.value.toPrecision(4)}`;
  });
  return shown.join(', ') + (samples.length > 3 ? ` and ${samples.length - 3} more series` : '');
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}
