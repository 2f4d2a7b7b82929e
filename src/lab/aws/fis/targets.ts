import type { LabRegionResources } from '../resources';
import { validationError } from './errors';

/**
 * Experiment targets: which lab resources a template's target names, and which of them an
 * experiment acts on. The lab's resources are the ones `awsResources()` describes (one of
 * each type per region); an experiment reaches only resources of its own region, as FIS does.
 */

export const resourceTypes = [
  'aws:ec2:subnet',
  'aws:ec2:instance',
  'aws:ecs:task',
  'aws:eks:pod',
  'aws:rds:db',
  'aws:rds:cluster',
  'aws:s3:bucket',
] as const;
export type ResourceType = (typeof resourceTypes)[number];

export interface LabResource {
  readonly type: ResourceType;
  readonly arn: string;
  readonly region: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Values a target filter can match, by FIS filter path. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** A template target as stored (and returned) after validation. */
export interface TargetSpec {
  resourceType: ResourceType;
  resourceArns?: string[];
  resourceTags?: Record<string, string>;
  filters?: Array<{ path: string; values: string[] }>;
  selectionMode: string;
  parameters?: Record<string, string>;
}

/** The lab's EKS pods: one per region, in cluster gameday-lab, namespace default. */
const eksCluster = 'gameday-lab';
const eksNamespace = 'default';
const eksDeployment = 'app';
const eksPodLabel = 'app=gameday';
const eksTargetParameters = [
  'clusterIdentifier',
  'namespace',
  'selectorType',
  'selectorValue',
  'availabilityZoneIdentifier',
  'targetContainerName',
];

export function labResourceList(regions: readonly LabRegionResources[]): LabResource[] {
  return regions.flatMap((r): LabResource[] => [
    { type: 'aws:ec2:subnet', arn: r.subnetArn, region: r.region, tags: r.tags, attributes: { SubnetId: r.subnetId } },
    {
      type: 'aws:ec2:instance',
      arn: r.instanceArn,
      region: r.region,
      tags: r.tags,
      attributes: { InstanceId: r.instanceId },
    },
    { type: 'aws:ecs:task', arn: r.ecsTaskArn, region: r.region, tags: r.tags, attributes: { taskArn: r.ecsTaskArn } },
    {
      type: 'aws:eks:pod',
      arn: r.eksPodArn,
      region: r.region,
      tags: r.tags,
      attributes: {
        podName: r.eksPodArn.split('/').at(-1)!,
        deploymentName: eksDeployment,
        labelSelector: eksPodLabel,
      },
    },
    {
      type: 'aws:rds:db',
      arn: r.dbInstanceArn,
      region: r.region,
      tags: r.tags,
      attributes: { DBInstanceIdentifier: r.dbInstanceId, DBClusterIdentifier: r.dbClusterId },
    },
    {
      type: 'aws:rds:cluster',
      arn: r.dbClusterArn,
      region: r.region,
      tags: r.tags,
      attributes: { DBClusterIdentifier: r.dbClusterId },
    },
    { type: 'aws:s3:bucket', arn: r.bucketArn, region: r.region, tags: r.tags, attributes: {} },
  ]);
}

const filterPaths: Record<ResourceType, string[]> = {
  'aws:ec2:subnet': ['SubnetId'],
  'aws:ec2:instance': ['InstanceId'],
  'aws:ecs:task': ['taskArn'],
  'aws:eks:pod': [],
  'aws:rds:db': ['DBInstanceIdentifier', 'DBClusterIdentifier'],
  'aws:rds:cluster': ['DBClusterIdentifier'],
  'aws:s3:bucket': [],
};

export function isResourceType(value: unknown): value is ResourceType {
  return resourceTypes.some((type) => type === value);
}

// ------------------------------------------------------------------ selection mode

export type SelectionMode = { kind: 'ALL' } | { kind: 'COUNT'; n: number } | { kind: 'PERCENT'; n: number };

export function parseSelectionMode(text: string): SelectionMode | undefined {
  if (text === 'ALL') return { kind: 'ALL' };
  const count = /^COUNT\((\d+)\)$/.exec(text);
  if (count && Number(count[1]) >= 1) return { kind: 'COUNT', n: Number(count[1]) };
  const percent = /^PERCENT\((\d+)\)$/.exec(text);
  if (percent && Number(percent[1]) >= 1 && Number(percent[1]) <= 100)
    return { kind: 'PERCENT', n: Number(percent[1]) };
  return undefined;
}

/**
 * Picks the resources an experiment acts on, at random as FIS does. COUNT(n) takes n (all
 * when fewer exist); PERCENT(n) takes n% rounded down, but at least one.
 */
export function selectResources(candidates: readonly LabResource[], mode: SelectionMode): LabResource[] {
  if (mode.kind === 'ALL') return [...candidates];
  const wanted = mode.kind === 'COUNT' ? mode.n : Math.max(1, Math.floor((candidates.length * mode.n) / 100));
  const shuffled = [...candidates];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  return shuffled.slice(0, Math.min(wanted, shuffled.length));
}

// ------------------------------------------------------------------ validation and resolution

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringMap = (value: unknown): value is Record<string, string> =>
  isObject(value) && Object.values(value).every((v) => typeof v === 'string');

/**
 * Validates one template target (`targets.<name>`) and returns it as stored. Throws a
 * ValidationException naming the field and what is valid.
 */
export function validateTarget(name: string, input: unknown): TargetSpec {
  const where = `targets.${name}`;
  if (!isObject(input)) throw validationError(`${where} must be an object with resourceType and selectionMode`);
  const known = ['resourceType', 'resourceArns', 'resourceTags', 'filters', 'selectionMode', 'parameters'];
  for (const key of Object.keys(input)) {
    if (!known.includes(key))
      throw validationError(`${where}.${key} is not a target field; valid: ${known.join(', ')}`);
  }
  const { resourceType, resourceArns, resourceTags, filters, selectionMode, parameters } = input;
  if (!isResourceType(resourceType)) {
    const got =
      resourceType === undefined ? 'is required' : `${JSON.stringify(resourceType)} is not a resource type the lab has`;
    throw validationError(`${where}.resourceType ${got}; valid: ${resourceTypes.join(', ')}`);
  }
  if (typeof selectionMode !== 'string' || !parseSelectionMode(selectionMode)) {
    throw validationError(
      `${where}.selectionMode ` +
        `${selectionMode === undefined ? 'is required' : `${JSON.stringify(selectionMode)} is not valid`}; ` +
        `valid: ALL, COUNT(n) with n >= 1, PERCENT(n) with n 1-100`,
    );
  }
  const spec: TargetSpec = { resourceType, selectionMode };
  if (resourceArns !== undefined) {
    if (
      !Array.isArray(resourceArns) ||
      resourceArns.length === 0 ||
      !resourceArns.every((arn) => typeof arn === 'string')
    ) {
      throw validationError(`${where}.resourceArns must be a non-empty list of ARNs`);
    }
    spec.resourceArns = [...resourceArns];
  }
  if (resourceTags !== undefined) {
    if (!isStringMap(resourceTags) || Object.keys(resourceTags).length === 0)
      throw validationError(`${where}.resourceTags must be a non-empty map of tag key to value`);
    spec.resourceTags = { ...resourceTags };
  }
  if (filters !== undefined) {
    if (!Array.isArray(filters)) throw validationError(`${where}.filters must be a list of {path, values}`);
    spec.filters = filters.map((filter, i) => {
      if (
        !isObject(filter) ||
        typeof filter.path !== 'string' ||
        !Array.isArray(filter.values) ||
        !filter.values.every((v) => typeof v === 'string')
      ) {
        throw validationError(`${where}.filters[${i}] must be {path: string, values: string[]}`);
      }
      const paths = filterPaths[resourceType];
      if (!paths.includes(filter.path)) {
        throw validationError(
          `${where}.filters[${i}].path ${JSON.stringify(filter.path)} is not a filter the lab ` +
            `evaluates for ${resourceType}; valid: ${paths.join(', ') || 'none'}`,
        );
      }
      return { path: filter.path, values: [...(filter.values as string[])] };
    });
  }
  if (parameters !== undefined) {
    if (!isStringMap(parameters)) throw validationError(`${where}.parameters must be a map of string to string`);
    spec.parameters = { ...parameters };
  }

  const ways = [
    spec.resourceArns && 'resourceArns',
    spec.resourceTags && 'resourceTags',
    spec.parameters && 'parameters',
  ].filter(Boolean);
  if (resourceType === 'aws:eks:pod') {
    // As in FIS: pods are found by cluster, namespace and selector, not by ARN or tag.
    if (spec.resourceArns || spec.resourceTags) {
      throw validationError(
        `${where}: targets of type aws:eks:pod are identified by parameters (clusterIdentifier, ` +
          `namespace, selectorType, selectorValue), not resourceArns or resourceTags`,
      );
    }
    if (!spec.parameters)
      throw validationError(
        `${where}: targets of type aws:eks:pod need parameters clusterIdentifier, namespace, ` +
          `selectorType, selectorValue`,
      );
    for (const key of Object.keys(spec.parameters)) {
      if (!eksTargetParameters.includes(key))
        throw validationError(
          `${where}.parameters.${key} is not a parameter of aws:eks:pod targets; valid: ` +
            `${eksTargetParameters.join(', ')}`,
        );
    }
    for (const key of ['clusterIdentifier', 'namespace', 'selectorType', 'selectorValue']) {
      if (spec.parameters[key] === undefined)
        throw validationError(`${where}.parameters.${key} is required for aws:eks:pod targets`);
    }
    const selectorTypes = ['podName', 'deploymentName', 'labelSelector'];
    if (!selectorTypes.includes(spec.parameters.selectorType)) {
      throw validationError(
        `${where}.parameters.selectorType ${JSON.stringify(spec.parameters.selectorType)} is not ` +
          `valid; valid: ${selectorTypes.join(', ')}`,
      );
    }
    return spec;
  }
  if (spec.parameters) {
    throw validationError(
      `${where}.parameters: the lab finds ${resourceType} targets by resourceArns or resourceTags only`,
    );
  }
  if (ways.length !== 1) {
    throw validationError(
      `${where} must name its resources by exactly one of resourceArns or ` +
        `resourceTags${ways.length > 1 ? `, not ${ways.join(' and ')}` : ''}`,
    );
  }
  return spec;
}

/**
 * The lab resources a target names in `region`, before the selection mode. Names that can
 * never resolve (an ARN that is no lab resource, or one in another region, or of another
 * type) are ValidationExceptions; tags and filters that match nothing resolve to [].
 */
export function resolveCandidates(
  name: string,
  spec: TargetSpec,
  region: string,
  resources: readonly LabResource[],
): LabResource[] {
  const where = `targets.${name}`;
  const ofType = resources.filter((resource) => resource.type === spec.resourceType);
  const inRegion = ofType.filter((resource) => resource.region === region);
  let candidates: LabResource[];
  if (spec.resourceArns) {
    candidates = spec.resourceArns.map((arn) => {
      const found = resources.find((resource) => resource.arn === arn);
      if (!found) {
        const hint = inRegion.map((resource) => resource.arn).join(', ') || 'none';
        throw validationError(
          `${where}.resourceArns: ${arn} is not a lab resource; the lab's ${spec.resourceType} in ${region}: ${hint}`,
        );
      }
      if (found.type !== spec.resourceType)
        throw validationError(`${where}.resourceArns: ${arn} is a ${found.type}, not a ${spec.resourceType}`);
      if (found.region !== region)
        throw validationError(
          `${where}.resourceArns: ${arn} is in ${found.region}; an experiment in ${region} can only ` +
            `target resources in ${region}`,
        );
      return found;
    });
  } else if (spec.resourceTags) {
    const tags = Object.entries(spec.resourceTags);
    candidates = inRegion.filter((resource) => tags.every(([key, value]) => resource.tags[key] === value));
  } else {
    candidates = inRegion.filter((resource) => podMatches(resource, spec.parameters!, region));
  }
  for (const filter of spec.filters ?? []) {
    candidates = candidates.filter((resource) => filter.values.includes(resource.attributes[filter.path]));
  }
  return candidates;
}

function podMatches(pod: LabResource, parameters: Record<string, string>, region: string): boolean {
  const cluster = parameters.clusterIdentifier;
  const clusterArn = `arn:aws:eks:${region}:${pod.arn.split(':')[4]}:cluster/${eksCluster}`;
  if (cluster !== eksCluster && cluster !== clusterArn) return false;
  if (parameters.namespace !== eksNamespace) return false;
  return pod.attributes[parameters.selectorType] === parameters.selectorValue;
}

/** What a template's targets resolve to, for error messages: where to look instead. */
export function describeLabResources(type: ResourceType, region: string, resources: readonly LabResource[]): string {
  const found = resources.filter((resource) => resource.type === type && resource.region === region);
  if (type === 'aws:eks:pod') {
    return (
      `cluster ${eksCluster}, namespace ${eksNamespace}, podName ` +
      `${found.map((pod) => pod.attributes.podName).join(', ')} (deploymentName ${eksDeployment}, ` +
      `labelSelector ${eksPodLabel})`
    );
  }
  return `${found.map((resource) => `${resource.arn} (tags ${JSON.stringify(resource.tags)})`).join(', ')}`;
}
