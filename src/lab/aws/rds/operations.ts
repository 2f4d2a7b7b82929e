import { labGlobalClusterId } from '../resources';
import { RdsError } from './errors';
import { labEngine, type GlobalOperationKind, type LabGlobalCluster } from './model';
import type { QueryParams } from './query';

/**
 * The RDS actions the lab serves, each one function from the request's parameters to its
 * `<Action>Result` content. DB clusters and instances are regional (a call signed for
 * us-east-1 sees us-east-1's); the global cluster is seen from every region.
 */

export interface OperationContext {
  model: LabGlobalCluster;
  params: QueryParams;
  /** The region the request was signed for. */
  region: string;
}

type Operation = (context: OperationContext) => Promise<Record<string, unknown>>;

/** Describe* page sizes, as RDS bounds them. */
const maxRecordsRange = { min: 20, max: 100 };

export const operations: Record<string, Operation> = {
  async DescribeGlobalClusters({ model, params }) {
    const identifier = params.string('GlobalClusterIdentifier');
    if (identifier !== undefined) model.requireGlobalCluster(identifier);
    const filters = params.filters(['db-cluster-id']);
    params.integer('MaxRecords', maxRecordsRange);
    const cluster = await model.globalCluster();
    // db-cluster-id: the global cluster whose members include one of these clusters (identifiers or ARNs).
    const matches = filters.every((filter) => filter.values.some((value) => model.findCluster(value) !== undefined));
    return { GlobalClusters: matches ? [cluster] : [] };
  },

  async DescribeDBClusters({ model, params, region }) {
    const identifier = params.string('DBClusterIdentifier');
    const filters = params.filters(['db-cluster-id', 'engine']);
    params.integer('MaxRecords', maxRecordsRange);
    let clusters = model.regions().filter((resources) => resources.region === region);
    if (identifier !== undefined) {
      const found = model.findCluster(identifier, region);
      if (!found)
        throw new RdsError(
          'DBClusterNotFoundFault',
          `DBCluster ${identifier} not found.${elsewhere(model, identifier, region)}`,
        );
      clusters = [found];
    }
    for (const filter of filters) {
      clusters = clusters.filter((resources) =>
        filter.name === 'engine'
          ? filter.values.includes(labEngine)
          : filter.values.some((value) => model.findCluster(value, region)?.region === resources.region),
      );
    }
    return { DBClusters: clusters.map((resources) => model.dbCluster(resources)) };
  },

  async DescribeDBInstances({ model, params, region }) {
    const identifier = params.string('DBInstanceIdentifier');
    const filters = params.filters(['db-cluster-id', 'db-instance-id', 'engine']);
    params.integer('MaxRecords', maxRecordsRange);
    let instances = model.regions().filter((resources) => resources.region === region);
    if (identifier !== undefined) {
      const found = model.findInstance(identifier, region);
      if (!found) throw new RdsError('DBInstanceNotFound', `DBInstance ${identifier} not found.`);
      instances = [found];
    }
    for (const filter of filters) {
      instances = instances.filter((resources) => {
        if (filter.name === 'engine') return filter.values.includes(labEngine);
        // Each call describes the lab afresh: a region's resources are the same by region, not by object.
        if (filter.name === 'db-cluster-id')
          return filter.values.some((value) => model.findCluster(value, region)?.region === resources.region);
        return filter.values.some((value) => model.findInstance(value, region)?.region === resources.region);
      });
    }
    return { DBInstances: instances.map((resources) => model.dbInstance(resources)) };
  },

  /**
   * AllowDataLoss=true is a global failover. Without it RDS switches over ("If you don't
   * specify AllowDataLoss, the global database cluster operation defaults to a switchover"),
   * and AllowDataLoss and Switchover "can't be specified together".
   */
  async FailoverGlobalCluster(context) {
    const { params } = context;
    if (params.has('AllowDataLoss') && params.has('Switchover')) {
      throw new RdsError(
        'InvalidParameterCombination',
        'AllowDataLoss and Switchover cannot be specified together: give AllowDataLoss=true to fail ' +
          'over (data loss allowed), or Switchover (or neither) to switch over',
      );
    }
    const allowDataLoss = params.boolean('AllowDataLoss') ?? false;
    params.boolean('Switchover');
    return startGlobalOperation(context, allowDataLoss ? 'failover' : 'switchover');
  },

  async SwitchoverGlobalCluster(context) {
    return startGlobalOperation(context, 'switchover');
  },

  async RebootDBInstance({ model, params, region }) {
    const identifier = params.requiredString('DBInstanceIdentifier');
    if (params.boolean('ForceFailover')) {
      throw new RdsError(
        'InvalidParameterCombination',
        `ForceFailover applies to Multi-AZ DB instances; ${identifier} is an Aurora cluster instance ` +
          `(to change the writer, use FailoverGlobalCluster)`,
      );
    }
    const found = model.findInstance(identifier, region);
    if (!found) throw new RdsError('DBInstanceNotFound', `DBInstance ${identifier} not found.`);
    model.startReboot(found);
    return { DBInstance: model.dbInstance(found) };
  },
};

async function startGlobalOperation(
  { model, params, region }: OperationContext,
  kind: GlobalOperationKind,
): Promise<Record<string, unknown>> {
  const globalId = identifierParam(params, 'GlobalClusterIdentifier');
  const targetId = identifierParam(params, 'TargetDbClusterIdentifier');
  model.requireGlobalCluster(globalId);
  // An ARN names a cluster in any region; a bare identifier only one in the region called.
  const target = targetId.startsWith('arn:') ? model.findCluster(targetId) : model.findCluster(targetId, region);
  if (!target)
    throw new RdsError(
      'DBClusterNotFoundFault',
      `DBCluster ${targetId} not found.${elsewhere(model, targetId, region)}`,
    );
  model.startGlobalOperation(kind, target);
  return { GlobalCluster: await model.globalCluster() };
}

/**
 * `[A-Za-z][0-9A-Za-z-:._]*`, 1 to 255 characters: the identifiers FailoverGlobalCluster and SwitchoverGlobalCluster
 * take.
 */
function identifierParam(params: QueryParams, name: string): string {
  const value = params.requiredString(name);
  if (value.length > 255 || !/^[A-Za-z][0-9A-Za-z\-:._]*$/.test(value)) {
    throw new RdsError(
      'InvalidParameterValue',
      `Invalid value ${JSON.stringify(value)} for ${name}: must start with a letter and contain only ` +
        `letters, digits and - : . _ (at most 255 characters)`,
    );
  }
  return value;
}

/** A hint when a bare identifier names a cluster of the global database in another region. */
function elsewhere(model: LabGlobalCluster, identifier: string, region: string): string {
  const other = identifier.startsWith('arn:') ? undefined : model.findCluster(identifier);
  if (other && other.region !== region)
    return ` (${other.dbClusterId} is in ${other.region}: call that region, or name it by ARN, ${other.dbClusterArn})`;
  if (identifier.startsWith('arn:') && model.findCluster(identifier))
    return ` (that cluster is in another region than ${region}; call its region)`;
  return ` The global cluster ${labGlobalClusterId} has: ${model
    .regions()
    .map((resources) => resources.dbClusterArn)
    .join(', ')}`;
}
