import { durationMs } from '../duration';
import type { LabResource } from '../targets';
import { regionsOf, sleep, type Execution, type Executor } from './execution';
import { ToxicSet } from './toxics';

/**
 * Network latency on the lab's app: a latency toxic on the responses (downstream) of the
 * app ingress proxy of each targeted region, so every client of the app sees the delay,
 * as they would with `tc netem` on the task, pod or instance serving them.
 */
function ingressLatency(
  lab: Parameters<Executor>[0]['lab'],
  resources: readonly LabResource[],
  faultName: string,
  fault: { latencyMs: number; jitterMs: number; durationMs: number },
): Execution {
  const proxies = regionsOf(resources).map((region) => `app-${region}`);
  const toxics = new ToxicSet(lab, proxies, [
    {
      name: faultName,
      type: 'latency',
      stream: 'downstream',
      attributes: { latency: fault.latencyMs, jitter: fault.jitterMs },
    },
  ]);
  return {
    summary: `latency ${fault.latencyMs} ms ± ${fault.jitterMs} ms on ${proxies.join(', ')} (toxic ${faultName})`,
    inject: async () => toxics.apply(),
    settle: (signal) => sleep(fault.durationMs, signal),
    revert: async () => toxics.remove(),
  };
}

/** aws:ecs:task-network-latency on the Tasks target. */
export const ecsTaskLatency: Executor = ({ lab, targets, parameters, faultName }) =>
  ingressLatency(lab, targets.Tasks ?? [], faultName, {
    latencyMs: Number(parameters.delayMilliseconds),
    jitterMs: Number(parameters.jitterMilliseconds),
    durationMs: durationMs(parameters.duration),
  });

/** aws:eks:pod-network-latency on the Pods target. */
export const eksPodLatency: Executor = ({ lab, targets, parameters, faultName }) =>
  ingressLatency(lab, targets.Pods ?? [], faultName, {
    latencyMs: Number(parameters.delayMilliseconds),
    jitterMs: Number(parameters.jitterMilliseconds),
    durationMs: durationMs(parameters.duration),
  });

/**
 * aws:ssm:send-command with the AWSFIS-Run-Network-Latency document on the Instances
 * target. The document's command adds the delay for DurationSeconds; the action ends when
 * the command does, or at its `duration`, whichever comes first.
 */
export const ssmNetworkLatency: Executor = ({ lab, targets, parameters, faultName }) => {
  const document = JSON.parse(parameters.documentParameters) as Record<string, string | number>;
  return ingressLatency(lab, targets.Instances ?? [], faultName, {
    latencyMs: Number(document.DelayMilliseconds),
    jitterMs: Number(document.JitterMilliseconds ?? 0),
    durationMs: Math.min(Number(document.DurationSeconds) * 1000, durationMs(parameters.duration)),
  });
};
