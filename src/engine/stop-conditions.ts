import type { StopCondition } from '../experiment/schema';
import type { TrafficRecorder } from '../probes/recorder';
import { now } from './clock';
import { describeCommandFailure, runCommand } from './shell';

export interface StopWatchContext {
  recorder: TrafficRecorder;
  /** Start of observation: error-ratio windows are judged only once a whole window exists. */
  t0: number;
  signal: AbortSignal;
  onBreach: (condition: string, detail: string) => void;
}

const evaluateEveryMs = 250;
/** Fewer samples than this in a window is noise, not a breach. */
const minimumSamples = 5;

/** Starts watching the guards; returns a function that stops watching. */
export function watchStopConditions(conditions: readonly StopCondition[], context: StopWatchContext): () => void {
  const stoppers = conditions.map((condition, index) => watch(condition, index, context));
  return () => stoppers.forEach((stop) => stop());
}

function watch(condition: StopCondition, index: number, context: StopWatchContext): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const label = `stopConditions[${index}] ${condition.kind}`;
  switch (condition.kind) {
    case 'errorRatio': {
      const check = () => {
        if (stopped || context.signal.aborted) return;
        const current = now();
        if (current - context.t0 >= condition.window) {
          const { ratio, count } = context.recorder.ratioBetween(current - condition.window, current);
          if (ratio !== null && count >= minimumSamples && 1 - ratio > condition.above) {
            context.onBreach(label, `error ratio ${((1 - ratio) * 100).toFixed(1)}% over the last ${condition.window} ms > ${(condition.above * 100).toFixed(1)}%`);
            return;
          }
        }
        timer = setTimeout(check, evaluateEveryMs);
      };
      timer = setTimeout(check, evaluateEveryMs);
      break;
    }
    case 'command': {
      const check = async () => {
        if (stopped || context.signal.aborted) return;
        const result = await runCommand(condition.run, { timeoutMs: condition.timeout });
        if (stopped || context.signal.aborted) return;
        if (result.exitCode !== 0) {
          context.onBreach(label, `guard ${describeCommandFailure(condition.run, result, condition.timeout)}`);
          return;
        }
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
