import type { CreateExperimentTemplateCommandInput } from '@aws-sdk/client-fis';
import { toIsoDuration } from '../iso-duration';
import type { AwsModel, ComputeType, RegionResources, ResourceSelector } from '../model';
import { GamedayError } from '../../core/errors';

/** A fault as one FIS action on one region's resources. */
export type FisFaultSpec =
  | { kind: 'regionOutage'; name: string; region: string; scope: 'all' | 'cross-region'; durationMs: number }
  | { kind: 'latency'; name: string; region: string; latencyMs: number; jitterMs: number; durationMs: number }
  | { kind: 'dbStop'; name: string; region: string; via: 'reboot' | 'cluster-failover' }
  | {
      kind: 'objectReplicationPause';
      name: string;
      region: string;
      /** Where the paused replicas go; without it, the failover partner (as for a cross-region outage). */
      destinationRegion?: string;
      durationMs: number;
    };

export class FisMappingError extends GamedayError {}

/** FIS resource types and the target key each action expects. */
const computeActions: Record<ComputeType, { actionId: string; targetKey: string; resourceType: string }> = {
  ecs: { actionId: 'aws:ecs:task-network-latency', targetKey: 'Tasks', resourceType: 'aws:ecs:task' },
  eks: { actionId: 'aws:eks:pod-network-latency', targetKey: 'Pods', resourceType: 'aws:eks:pod' },
  ec2: { actionId: 'aws:ssm:send-command', targetKey: 'Instances', resourceType: 'aws:ec2:instance' },
};

export const latencyDocumentName = 'AWSFIS-Run-Network-Latency';

/**
 * The resources each FIS action acts on, by the field of a region's resources that names
 * them: what an experiment's checks require before anything runs, and what the template
 * targets.
 */
export function fisResourceField(
  spec: Pick<FisFaultSpec, 'kind'> & { via?: 'reboot' | 'cluster-failover' },
  compute: ComputeType,
): keyof RegionResources {
  switch (spec.kind) {
    case 'regionOutage':
      return 'subnets';
    case 'latency':
      return compute === 'eks' ? 'eks' : 'compute';
    case 'dbStop':
      return spec.via === 'reboot' ? 'dbInstances' : 'dbClusters';
    case 'objectReplicationPause':
      return 'buckets';
  }
}

/** The region a region's traffic fails over to or from: the primary's is the next region, any other's the primary. */
export function failoverPartner(model: Pick<AwsModel, 'regions' | 'primary'>, region: string): string {
  return region === model.primary ? model.regions.find((candidate) => candidate !== region)! : model.primary;
}

/**
 * Compiles a fault to a FIS experiment template. Pure: the same input gives the same
 * template, which is also what `gameday plan` prints.
 */
export function compileFisTemplate(
  spec: FisFaultSpec,
  model: AwsModel,
  tags: Record<string, string>,
): CreateExperimentTemplateCommandInput {
  const resources = model.resources[spec.region];
  if (!resources) throw new FisMappingError(`no resources are configured for region ${spec.region}`);
  const field = fisResourceField(spec, model.compute);
  const target = (selector: ResourceSelector | undefined, resourceType: string) => {
    if (!selector)
      throw new FisMappingError(`${spec.kind} in ${spec.region} needs target.resources.${spec.region}.${field}`);
    return {
      resourceType,
      selectionMode: 'ALL',
      ...('arns' in selector ? { resourceArns: selector.arns } : { resourceTags: selector.tags }),
    };
  };
  let action: { actionId: string; parameters: Record<string, string>; targets: Record<string, string> };
  let targets: Record<string, ReturnType<typeof target>>;
  switch (spec.kind) {
    case 'regionOutage': {
      const duration = toIsoDuration(spec.durationMs);
      targets = { Subnets: target(resources.subnets, 'aws:ec2:subnet') };
      if (spec.scope === 'all') {
        action = {
          actionId: 'aws:network:disrupt-connectivity',
          parameters: { duration, scope: 'all' },
          targets: { Subnets: 'Subnets' },
        };
      } else {
        // Cut the links between this region and its failover partner (the primary, or for the primary the next region).
        const partner = failoverPartner(model, spec.region);
        action = {
          actionId: 'aws:network:route-table-disrupt-cross-region-connectivity',
          parameters: { duration, region: partner },
          targets: { Subnets: 'Subnets' },
        };
      }
      break;
    }
    case 'latency': {
      const compute = computeActions[model.compute];
      if (model.compute === 'eks') {
        const eks = resources.eks;
        if (!eks)
          throw new FisMappingError(
            `latency on EKS in ${spec.region} needs target.resources.${spec.region}.eks (cluster, ` +
              `namespace, pod selector, service account)`,
          );
        targets = {
          Pods: {
            resourceType: 'aws:eks:pod',
            selectionMode: 'ALL',
            parameters: {
              clusterIdentifier: eks.clusterIdentifier,
              namespace: eks.namespace,
              selectorType: eks.selectorType,
              selectorValue: eks.selectorValue,
            },
          } as unknown as ReturnType<typeof target>,
        };
      } else {
        targets = { [compute.targetKey]: target(resources.compute, compute.resourceType) };
      }
      const duration = toIsoDuration(spec.durationMs);
      const parameters: Record<string, string> =
        model.compute === 'ec2'
          ? {
              duration,
              documentArn: `arn:aws:ssm:${spec.region}::document/${latencyDocumentName}`,
              documentParameters: JSON.stringify({
                DelayMilliseconds: String(spec.latencyMs),
                JitterMilliseconds: String(spec.jitterMs),
                DurationSeconds: String(Math.ceil(spec.durationMs / 1000)),
                InstallDependencies: 'True',
              }),
            }
          : {
              duration,
              delayMilliseconds: String(spec.latencyMs),
              jitterMilliseconds: String(spec.jitterMs),
              ...(model.compute === 'eks' ? { kubernetesServiceAccount: resources.eks!.serviceAccount } : {}),
            };
      action = { actionId: compute.actionId, parameters, targets: { [compute.targetKey]: compute.targetKey } };
      break;
    }
    case 'dbStop': {
      if (spec.via === 'reboot') {
        targets = { DBInstances: target(resources.dbInstances, 'aws:rds:db') };
        action = { actionId: 'aws:rds:reboot-db-instances', parameters: {}, targets: { DBInstances: 'DBInstances' } };
      } else {
        targets = { Clusters: target(resources.dbClusters, 'aws:rds:cluster') };
        action = { actionId: 'aws:rds:failover-db-cluster', parameters: {}, targets: { Clusters: 'Clusters' } };
      }
      break;
    }
    case 'objectReplicationPause': {
      targets = { Buckets: target(resources.buckets, 'aws:s3:bucket') };
      action = {
        actionId: 'aws:s3:bucket-pause-replication',
        parameters: {
          duration: toIsoDuration(spec.durationMs),
          region: spec.destinationRegion ?? failoverPartner(model, spec.region),
        },
        targets: { Buckets: 'Buckets' },
      };
      break;
    }
  }
  const actionName = spec.name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64) || 'fault';
  return {
    description: `gameday: ${spec.kind} ${spec.region} (${spec.name})`.slice(0, 512),
    roleArn: model.fisRoleArn,
    targets,
    actions: { [actionName]: action },
    stopConditions:
      model.stopConditionAlarms.length > 0
        ? model.stopConditionAlarms.map((alarm) => ({ source: 'aws:cloudwatch:alarm', value: alarm }))
        : [{ source: 'none' }],
    tags,
  };
}
