import { now, sleep } from '../../core/clock';
import type { Journal } from '../../core/journal';
import type { Experiment } from '../../experiment/validate';
import type { PrometheusClient } from '../../prometheus/client';
import type { TargetSession } from '../../targets';
import type { RunControl } from '../run-control';
import type { FailoverPhase } from './failover';
import { runFault } from './faults';
import type { ProbeSet } from './probes';
import { watchStopConditions } from './stop-conditions';

/** The observation: stop conditions watched, every fault on its schedule, the runbook started by the first. */
export async function observe(run: {
  experiment: Experiment;
  session: TargetSession;
  journal: Journal;
  control: RunControl;
  runId: string;
  probes: ProbeSet;
  failover: FailoverPhase;
  prometheus: PrometheusClient | null;
}): Promise<void> {
  const { experiment, journal, control, probes, failover } = run;
  const t0 = now();
  journal.append({ type: 'observe.started', t0, durationMs: experiment.duration });
  const stopWatching = watchStopConditions(experiment.stopConditions, {
    recorderFor: (probe) => probes.recorderOf(probe),
    slos: experiment.slos,
    prometheus: run.prometheus,
    t0,
    signal: control.signal,
    onBreach: (condition, detail) => {
      journal.append({ type: 'stop-condition.breached', condition, detail });
      control.requestStop({ status: 'aborted', reason: `stop condition ${condition}: ${detail}` });
    },
  });
  try {
    const faultRuns = experiment.faults.map((fault) =>
      runFault({ ...run, onActive: () => failover.start() }, fault, t0),
    );
    await sleep(t0 + experiment.duration - now(), control.signal);
    await Promise.all(faultRuns);
    await failover.finish();
  } finally {
    stopWatching();
  }
}
