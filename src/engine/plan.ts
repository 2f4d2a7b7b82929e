import { formatDuration } from '../core/duration';
import { describeStopCondition } from '../experiment/stop-conditions';
import type { Experiment } from '../experiment/validate';
import { faultImplementationOf, heldForMs } from '../faults';
import { probeUrl } from '../probes/url';
import { probeKindOf } from '../probes';
import { targetKindOf } from '../targets';
import { failoverRegions, trafficShiftOf, type FailoverHook } from '../failover/spec';
import { strategyRunbook } from '../failover/strategies';
import type { PlanContext } from '../faults/types';
import { failbackExperiment, runbookRegions } from './phases/failover';
import { needsPrometheus } from './phases/prometheus';

/** One line of what a run would do, at an offset from the start of observation. */
export interface PlanStep {
  /** ms from the start of observation; negative for what happens before it. */
  atMs: number;
  phase: 'preflight' | 'steady-state' | 'observe' | 'rollback' | 'post-check';
  action: string;
}

/** The timeline a run would follow. Pure: runs nothing, touches nothing. */
export function planExperiment(experiment: Experiment): PlanStep[] {
  const steps: PlanStep[] = [];
  const { steadyState, traffic, target } = experiment;
  const targetKind = targetKindOf(target);
  const endpoints = targetKind.planEndpoints(target);
  const api = targetKind.faultApi(target);
  const planContext: PlanContext = {
    aws: targetKind.awsModel(target),
    heldForMs: (fault) => heldForMs(fault, experiment.duration),
  };
  for (const action of targetKind.planOpen(target))
    steps.push({ atMs: -steadyState.duration, phase: 'preflight', action });
  for (const [name, url] of Object.entries(endpoints)) {
    steps.push({ atMs: -steadyState.duration, phase: 'preflight', action: `check ${name} answers HTTP: GET ${url}` });
  }
  const runbook = runbookRegions(experiment);
  if (runbook && planContext.aws) {
    const { from, to } = runbook;
    steps.push({
      atMs: -steadyState.duration,
      phase: 'preflight',
      action:
        `check the starting topology: ${from} holds the writer (RDS DescribeGlobalClusters), the other ` +
        `regions' clusters are secondaries in sync, the health checks of ${from} and ${to} are healthy and ` +
        `not inverted (Route 53); otherwise inject nothing`,
    });
  }
  steps.push(...planPrometheus(experiment));
  steps.push({
    atMs: -steadyState.duration,
    phase: 'steady-state',
    action:
      `start traffic ${traffic.name}: ${traffic.method} ${probeUrl(traffic, endpoints)} at ` +
      `${traffic.rate}/s (open model, timeout ${traffic.timeout} ms); require success ≥ ` +
      `${steadyState.successRatio * 100}% for ${steadyState.duration} ms or inject nothing`,
  });
  for (const probe of experiment.probes)
    steps.push({
      atMs: -steadyState.duration,
      phase: 'steady-state',
      action: probeKindOf(probe)!.plan(probe, endpoints),
    });
  experiment.stopConditions.forEach((condition, index) => {
    steps.push({
      atMs: 0,
      phase: 'observe',
      action: `watch stopConditions[${index}]: ${describeStopCondition(condition)}`,
    });
  });
  for (const slo of experiment.slos) {
    const sli =
      slo.sli === 'latency'
        ? `requests of ${slo.probe ?? traffic.name} answered within ${formatDuration(slo.threshold ?? 0)}`
        : slo.sli === 'promql'
          ? `events Prometheus counts good (\`${slo.good}\` of \`${slo.total}\`, read after the run)`
          : `requests of ${slo.probe ?? traffic.name} that succeed`;
    const objective = `${slo.objective}% ${sli} over ${formatDuration(slo.window)}`;
    const judged = slo.expect ?? experiment.hypothesis.slo;
    const passWhen =
      judged && judged.length > 0 ? `; pass when ${judged.map((threshold) => threshold.text).join(', ')}` : '';
    steps.push({
      atMs: 0,
      phase: 'observe',
      action: `measure SLO ${slo.name}: ${objective}; budget burn and alert pairs${passWhen}`,
    });
  }
  for (const fault of experiment.faults) {
    const plan = faultImplementationOf(fault, api).plan(fault, planContext);
    steps.push({
      atMs: fault.after,
      phase: 'observe',
      action: `inject ${fault.name} (${fault.kind}): ${plan.inject}; rollback registered first: ${plan.rollback}`,
    });
    if (fault.duration !== undefined) {
      steps.push({
        atMs: fault.after + fault.duration,
        phase: 'observe',
        action: `revert ${fault.name}: ${plan.rollback}`,
      });
    } else {
      steps.push({
        atMs: experiment.duration,
        phase: 'rollback',
        action: `revert ${fault.name} (held until the end): ${plan.rollback}`,
      });
    }
  }
  steps.push(...planFailover(experiment));
  steps.push({ atMs: experiment.duration, phase: 'rollback', action: 'revert anything still injected, newest first' });
  steps.push({
    atMs: experiment.duration,
    phase: 'post-check',
    action:
      `require success ≥ ${steadyState.successRatio * 100}% again within ${steadyState.recoveryTimeout} ms; then ` +
      `verdict${rtoObjectivesText(experiment)}`,
  });
  if (experiment.alerts)
    steps.push({
      atMs: experiment.duration,
      phase: 'post-check',
      action:
        'read from Prometheus (read only): ALERTS and ALERTS_FOR_STATE over the drill, the rules behind them and ' +
        "each burn condition's ratio; set each rule beside gameday's evaluation of its windows" +
        (experiment.alerts.slo ? ` on ${experiment.alerts.slo}'s requests` : ''),
    });
  return steps.sort((a, b) => a.atMs - b.atMs);
}

/** Where the run's PromQL goes: the lab's Prometheus (started unless it runs, given the rule files), or yours. */
function planPrometheus(experiment: Experiment): PlanStep[] {
  if (!needsPrometheus(experiment)) return [];
  const at = -experiment.steadyState.duration;
  const target = experiment.target;
  const rules = experiment.alerts?.rules ?? [];
  if (target.kind === 'lab') {
    const interval = formatDuration(experiment.alerts?.evaluationInterval ?? 1_000);
    return [
      {
        atMs: at,
        phase: 'preflight',
        action:
          "start the lab's Prometheus unless it runs (scrapes every region's app and the lab's own metrics every 1s, " +
          'region-labelled)' +
          (rules.length > 0 ? `; load ${rules.length} rule file(s), evaluated every ${interval}` : '') +
          '; unload them after the run',
      },
    ];
  }
  const url = 'prometheus' in target && target.prometheus ? target.prometheus.url : '<none>';
  return [{ atMs: at, phase: 'preflight', action: `check Prometheus at ${url} answers PromQL (read only)` }];
}

/** ' (RTO objective 30000 ms; journey checkout 45000 ms)', or nothing without one. */
function rtoObjectivesText(experiment: Experiment): string {
  const { rto, rtoByJourney = {}, headline } = experiment.hypothesis;
  const parts = rto !== undefined ? [`RTO objective ${rto} ms${headline ? ` (journey ${headline})` : ''}`] : [];
  parts.push(...Object.entries(rtoByJourney).map(([journey, ms]) => `journey ${journey} RTO objective ${ms} ms`));
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

/**
 * The runbook's steps in words, in order; `detect` only matters when a fault starts it.
 * `failback`: the reversed runbook of `gameday failover --failback`.
 */
export function runbookPlan(
  given: Experiment,
  options: { failback?: boolean } = {},
): { from: string; to: string; steps: Array<{ detect: boolean; action: string }> } | null {
  const experiment = options.failback ? failbackExperiment(given) : given;
  const spec = experiment.failover;
  const target = experiment.target;
  const targetKind = targetKindOf(target);
  const regions = targetKind.regions(target);
  if (!spec || regions.length === 0) return null;
  const { from, to } = failoverRegions(spec, { regions, primary: targetKind.primary(target) });
  const detectBy = [
    spec.detect.healthCheck
      ? `Route 53 GetHealthCheckStatus of ${from}'s check (FailureThreshold consecutive failures)`
      : null,
    spec.detect.errorRatio
      ? `traffic error ratio > ${spec.detect.errorRatio.above * 100}% over ${spec.detect.errorRatio.window} ms`
      : null,
  ]
    .filter(Boolean)
    .join(' or ');
  const everyRegionWrites = writesEverywhere(experiment);
  const strategy = (target as { strategy?: string }).strategy;
  const moveWriter =
    spec.kind === 'planned'
      ? 'SwitchoverGlobalCluster (replication catches up, no data loss)'
      : 'FailoverGlobalCluster AllowDataLoss=true';
  const shift =
    trafficShiftOf(spec) === 'dns'
      ? `health-check failover records (data plane); wait for DNS to answer ${to}`
      : `Route 53 UpdateHealthCheck ${from} Inverted=true (control plane), then DNS`;
  const after = [
    `decide: ${spec.mode === 'automatic' ? 'automatic' : 'manual — wait for approval (TTY prompt or --approve)'}`,
    ...(options.failback
      ? [
          `rejoin: ${to} comes back as a secondary of ${from} (the lab rebuilds its database; an AWS region ` +
            `rejoins by itself); its health check, if inverted, is set Inverted=false`,
        ]
      : []),
    everyRegionWrites
      ? `fence + promote: none — every region of the ${strategy} lab already takes writes; ${to} serves as it is`
      : `fence + promote: RDS ${moveWriter} to ${to}; verify the old writer no longer accepts writes`,
    `shift traffic: ${shift}`,
    ...spec.warm.map((hook, index) => `warm ${index + 1}: ${describeHook(hook)}`),
    ...spec.steps.map(
      (hook, index) => `custom step ${hook.name ?? index + 1} after ${hook.after}: ${describeHook(hook)}`,
    ),
    `verify: clients served by ${to} at ≥ ${spec.verify.successRatio * 100}% over ` +
      `${spec.verify.window} ms (within ${spec.verify.timeout} ms)`,
    'notify',
  ];
  return {
    from,
    to: to!,
    steps: [
      { detect: true, action: `detect: ${detectBy} (give up after ${spec.detect.timeout} ms)` },
      ...after.map((action) => ({ detect: false, action })),
    ],
  };
}

/** A lab built as a strategy where every region takes writes: its runbook moves no writer, so none moves back. */
function writesEverywhere(experiment: Experiment): boolean {
  const { target } = experiment;
  const strategy = target.kind === 'lab' ? ((target as { strategy?: string }).strategy ?? null) : null;
  return strategyRunbook(strategy).writers === 'every-region';
}

/** The failover runbook's steps: it starts with the first fault and acts on detection. */
function planFailover(experiment: Experiment): PlanStep[] {
  const runbook = runbookPlan(experiment);
  if (!runbook) return [];
  const { from, to } = runbook;
  const start = Math.min(...experiment.faults.map((fault) => fault.after), experiment.duration);
  const steps: PlanStep[] = runbook.steps.map(({ action }) => ({
    atMs: start,
    phase: 'observe',
    action: `failover ${from} → ${to}, ${action}`,
  }));
  if (experiment.failover!.failback)
    steps.push({
      atMs: experiment.duration,
      phase: 'rollback',
      action: writesEverywhere(experiment)
        ? `failback: none — no writer moved; ${from}'s clients return once its health check passes`
        : `failback: ${to} → ${from} by RDS SwitchoverGlobalCluster (planned)`,
    });
  return steps;
}

function describeHook(hook: FailoverHook): string {
  if ('exec' in hook) return `sh -c ${JSON.stringify(hook.exec)} (timeout ${hook.timeout} ms)`;
  if ('http' in hook) return `${hook.http.method} ${hook.http.url} (timeout ${hook.timeout} ms)`;
  return `function (timeout ${hook.timeout} ms)`;
}
