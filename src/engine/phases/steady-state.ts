import { now, sleep } from '../../core/clock';
import type { Journal } from '../../core/journal';
import type { Experiment } from '../../experiment/validate';
import type { RunControl } from '../run-control';
import type { ProbeSet } from './probes';

/**
 * Before any fault: the traffic's success ratio over the steady-state window must meet
 * the bar, or nothing is injected (a target already failing would measure nothing).
 */
export async function steadyStateBefore(
  experiment: Experiment,
  probes: ProbeSet,
  journal: Journal,
  control: RunControl,
): Promise<{ ok: boolean; ratio: number | null; count: number; failures: Record<string, number> }> {
  const { duration, successRatio } = experiment.steadyState;
  const from = now();
  await sleep(duration, control.signal);
  const to = now();
  // Let the requests sent in the window finish (each is bounded by the probe timeout).
  await probes.settle(from, to, control.signal);
  const recorder = probes.recorderOf(undefined);
  const { ratio, count } = recorder.ratioBetween(from, to);
  const failures = recorder.failuresBetween(from, to);
  const ok = ratio !== null && ratio >= successRatio;
  journal.append({
    type: 'steady-state',
    when: 'before',
    ok,
    successRatio: ratio,
    required: successRatio,
    samples: count,
    failures,
  });
  return { ok, ratio, count, failures };
}

/**
 * After rollback the target must return to steady state: the success ratio over the
 * last steady-state window meets the bar, and clients have been observed for at least
 * one recovery window since the last revert (so RTO's window is judged on real data).
 */
export async function postCheck(
  experiment: Experiment,
  probes: ProbeSet,
  journal: Journal,
  control: RunControl,
): Promise<void> {
  const { duration, successRatio, recoveryTimeout } = experiment.steadyState;
  const recoveryWindow = experiment.hypothesis.recovery.window;
  const recorder = probes.recorderOf(undefined);
  const started = now();
  const minimumUntil = Math.max(control.lastRevertAt + recoveryWindow, started + duration);
  let last = { ratio: null as number | null, count: 0 };
  // The end of the last window judged: the failures journaled are that window's.
  let current = started;
  for (;;) {
    current = now();
    last = recorder.ratioBetween(current - duration, current);
    const holds = last.ratio !== null && last.ratio >= successRatio;
    if (
      (holds && current >= minimumUntil) ||
      current - started >= recoveryTimeout + recoveryWindow ||
      control.interrupted
    )
      break;
    await sleep(100);
  }
  const ok = last.ratio !== null && last.ratio >= successRatio;
  journal.append({
    type: 'steady-state',
    when: 'after',
    ok,
    successRatio: last.ratio,
    required: successRatio,
    samples: last.count,
    failures: recorder.failuresBetween(current - duration, current),
  });
}
