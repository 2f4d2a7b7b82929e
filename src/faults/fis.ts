import { compileFisTemplate, fisResourceField, type FisFaultSpec } from '../aws/fis/compile';
import { checkActionParameters, createTemplate, startExperiment, waitUntilActive } from '../aws/fis/experiment';
import type { AwsModel } from '../aws/model';
import { FaultError, type FaultContext, type FaultImplementation, type FaultPlan } from './types';

/** The faults FIS carries out, as far as it reads them. */
export type FisBackedFault = { name: string; region: string; after: number; duration?: number } & (
  | { kind: 'regionOutage'; mode: 'blackhole' | 'stop'; scope: 'all' | 'cross-region' }
  | { kind: 'latency'; link: 'ingress' | 'replication'; latency: number; jitter: number }
  | { kind: 'dbStop'; via: 'reboot' | 'cluster-failover' }
  | { kind: 'objectReplicationPause'; to?: string }
);

/**
 * FIS actions last at least this long when the fault is held to the end of the observation; rollback stops them sooner.
 */
const heldFaultMaxMs = 12 * 3_600_000;
const startTimeoutMs = 120_000;
const stopTimeoutMs = 120_000;

export function fisSpecOf(fault: FisBackedFault, heldForMs: number): FisFaultSpec {
  const durationMs = fault.duration ?? heldForMs;
  switch (fault.kind) {
    case 'regionOutage':
      return { kind: 'regionOutage', name: fault.name, region: fault.region, scope: fault.scope, durationMs };
    case 'latency':
      return {
        kind: 'latency',
        name: fault.name,
        region: fault.region,
        latencyMs: fault.latency,
        jitterMs: fault.jitter,
        durationMs,
      };
    case 'dbStop':
      return { kind: 'dbStop', name: fault.name, region: fault.region, via: fault.via };
    case 'objectReplicationPause':
      return {
        kind: 'objectReplicationPause',
        name: fault.name,
        region: fault.region,
        ...(fault.to ? { destinationRegion: fault.to } : {}),
        durationMs,
      };
  }
}

export function runTags(context: Pick<FaultContext, 'runId'>, fault: { name: string }): Record<string, string> {
  return { 'gameday:run-id': context.runId, 'gameday:fault': fault.name, 'gameday:managed-by': 'gameday' };
}

/** What `plan` shows: the API calls, with the template a run would create. */
export function fisPlan(fault: FisBackedFault, model: AwsModel, heldForMs: number): FaultPlan {
  const template = compileFisTemplate(fisSpecOf(fault, heldForMs), model, {
    'gameday:run-id': '<run id>',
    'gameday:fault': fault.name,
  });
  const [actionName, action] = Object.entries(template.actions ?? {})[0];
  const targets = Object.entries(template.targets ?? {})
    .map(([key, target]) => `${key}=${target.resourceArns?.join(',') ?? JSON.stringify(target.resourceTags)}`)
    .join(' ');
  const parameters = Object.entries(action.parameters ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  return {
    inject:
      `FIS ${fault.region}: GetAction ${action.actionId} (check parameters) -> ` +
      `CreateExperimentTemplate {action ${actionName}: ` +
      `${action.actionId}${parameters ? ` ${parameters}` : ''}; targets ${targets}; roleArn ` +
      `${template.roleArn}; stopConditions ` +
      `${template.stopConditions?.map((c) => c.value ?? c.source).join(',')}} -> StartExperiment -> ` +
      `GetExperiment until the action runs (its startTime is t_fault)`,
    rollback: `FIS ${fault.region}: StopExperiment (if still running) -> DeleteExperimentTemplate`,
  };
}

/** regionOutage, latency and dbStop through AWS Fault Injection Service. */
export const fisFault: FaultImplementation<FisBackedFault> = {
  /** What FIS has no action for, and the resources each action needs, said before anything runs. */
  validate(fault, context, report) {
    if (fault.kind === 'regionOutage' && fault.mode === 'stop')
      report(['mode'], `mode 'stop' has no FIS action ${context.throughAws}; use mode 'blackhole'`);
    if (fault.kind === 'latency' && fault.link === 'replication')
      report(['link'], `replication-link latency has no FIS action ${context.throughAws}; use link 'ingress'`);
    if (fault.kind === 'dbStop' && fault.duration !== undefined) {
      report(
        ['duration'],
        `a FIS ${fault.via === 'reboot' ? 'reboot' : 'cluster failover'} is instantaneous; remove ` +
          `duration (or use target.api 'direct' in the lab to hold the database down)`,
      );
    }
    const model = context.aws;
    if (!model || !model.regions.includes(fault.region)) return;
    if (fault.kind === 'objectReplicationPause' && fault.to !== undefined && fault.to === fault.region)
      report(['to'], `is the fault's own region; name the region the replicas go to`);
    else if (fault.kind === 'objectReplicationPause' && fault.to !== undefined && !model.regions.includes(fault.to))
      report(['to'], `${JSON.stringify(fault.to)} is not a region of the target (${model.regions.join(', ')})`);
    const needed = fisResourceField(fault, model.compute);
    if (!model.resources[fault.region]?.[needed]) {
      report(
        ['region'],
        `${fault.kind} needs target.resources[${JSON.stringify(fault.region)}].${needed} ({ arns: ` +
          `[...] } or { tags: {...} })`,
      );
    }
  },

  plan: (fault, context) => fisPlan(fault, context!.aws!, context!.heldForMs(fault)),

  async prepare(fault, context) {
    const aws = context.target.aws;
    if (!aws) throw new FaultError(`${fault.kind} through FIS needs an AWS model of the target`);
    const fis = aws.clients.fis(fault.region);
    const tags = runTags(context, fault);
    const template = compileFisTemplate(
      fisSpecOf(fault, Math.min(context.heldForMs(fault), heldFaultMaxMs)),
      aws.model,
      tags,
    );
    for (const action of Object.values(template.actions ?? {}))
      await checkActionParameters(fis, action.actionId!, action.parameters ?? {});
    // A template changes nothing by itself; creating it first gives the rollback an id to act on.
    const templateId = await createTemplate(fis, template);
    return {
      rollback: {
        kind: 'fis',
        connection: aws.model.connection,
        region: fault.region,
        templateId,
        description: `FIS ${fault.region}: stop experiments of template ${templateId}, delete it`,
        timeoutMs: stopTimeoutMs,
      },
      async inject() {
        const experimentId = await startExperiment(fis, templateId, tags);
        const { startedAt, experiment } = await waitUntilActive(fis, experimentId, startTimeoutMs);
        const actions = Object.values(experiment.actions ?? {}).map((action) => action.actionId);
        return { activeAt: startedAt, templateId, experimentId, actions };
      },
    };
  },
};
