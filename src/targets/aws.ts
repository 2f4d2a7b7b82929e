import { z } from 'zod';
import { assertAllowedAccount } from '../aws/account';
import { AwsClients } from '../aws/clients';
import { activeManagedExperiments } from '../aws/fis/experiment';
import type { AwsModel, ComputeType, RegionResources } from '../aws/model';
import { formatDuration } from '../core/duration';
import { duration, httpUrl, namedUrls, regionName } from '../core/fields';
import type { TargetKind } from './kind';
import { assertNoActiveAwsRun } from './lock';
import { prometheusTargetSchema, targetPrometheus } from './prometheus';
import { TargetError } from './session';

/** No fault stays in a real account longer than this, whatever target.maxFaultDuration says. */
export const awsFaultDurationCeiling = '6h';

const accountId = z
  .string({ error: 'expected a 12-digit AWS account id' })
  .regex(/^\d{12}$/, { error: 'expected a 12-digit AWS account id' });
const arn = z
  .string({ error: 'expected an ARN (arn:aws:…)' })
  .regex(/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:.+/, { error: 'expected an ARN (arn:aws:…)' });
const resourceSelector = z.union(
  [
    z.strictObject({ arns: z.array(arn).min(1, { error: 'give at least one ARN' }) }),
    z.strictObject({
      tags: z
        .record(z.string(), z.string())
        .refine((tags) => Object.keys(tags).length > 0, { error: 'give at least one tag' }),
    }),
  ],
  { error: 'expected { arns: [...] } or { tags: {...} }' },
);

export const awsTargetSchema = z.strictObject({
  kind: z.literal('aws'),
  /** Accounts gameday may touch; a run against any other account stops before the first fault. */
  accountIds: z.array(accountId).min(1, { error: 'list the account ids gameday may act on' }),
  /** Regions of the deployment; the first is the primary unless `primary` says otherwise. */
  regions: z.array(regionName).min(2, { error: 'a multi-region target has at least 2 regions' }).max(10),
  primary: regionName.optional(),
  /** Endpoint override for every API (also AWS_ENDPOINT_URL). */
  endpoint: httpUrl.optional(),
  /** Named profile from ~/.aws (also AWS_PROFILE). */
  profile: z.string().optional(),
  /** With CI=true, `gameday run` may act on this account without --yes (an unattended pipeline cannot type it). */
  allowCI: z.boolean().default(false),
  /**
   * The longest any fault may stay injected in this account; every fault but dbStop (instantaneous) must give a
   * duration up to it.
   */
  maxFaultDuration: duration({ max: awsFaultDurationCeiling }).prefault('30m'),
  fis: z.strictObject({
    /** The IAM role FIS assumes to act on your resources. */
    roleArn: arn,
    /** CloudWatch alarms that stop every FIS experiment (FIS stop conditions). */
    stopConditionAlarms: z.array(arn).default([]),
  }),
  route53: z
    .strictObject({
      hostedZoneId: z.string().min(1),
      recordName: z.string().min(1),
      /** The health check of each region's failover record. */
      healthChecks: z.record(regionName, z.string().min(1)),
    })
    .optional(),
  rds: z.strictObject({ globalClusterId: z.string().min(1) }).optional(),
  /** Where latency is injected: ECS tasks, EKS pods, or EC2 instances (SSM). */
  compute: z.enum(['ecs', 'eks', 'ec2']).default('ecs'),
  /** Per region, the resources faults target, by ARNs or by tags. */
  resources: z
    .record(
      regionName,
      z.strictObject({
        subnets: resourceSelector.optional(),
        compute: resourceSelector.optional(),
        dbInstances: resourceSelector.optional(),
        dbClusters: resourceSelector.optional(),
        /** S3 buckets whose Cross-Region Replication objectReplicationPause pauses. */
        buckets: resourceSelector.optional(),
        /** compute 'eks': FIS picks pods by cluster, namespace and a selector, and needs a service account. */
        eks: z
          .strictObject({
            clusterIdentifier: z.string().min(1),
            namespace: z.string().min(1),
            selectorType: z.enum(['labelSelector', 'deploymentName', 'podName']),
            selectorValue: z.string().min(1),
            serviceAccount: z.string().min(1),
          })
          .optional(),
      }),
    )
    .default({}),
  /** Named URLs probes hit (e.g. the public name of the app). */
  endpoints: namedUrls,
  /** Your Prometheus-compatible server, read only: PromQL probes, SLIs and stop conditions, and which alerts fired. */
  prometheus: prometheusTargetSchema.optional(),
});

export type AwsTarget = z.output<typeof awsTargetSchema>;

/** The model of a real account, from an `aws` target's fields. */
export function awsTargetModel(target: {
  regions: string[];
  primary?: string;
  endpoint?: string;
  profile?: string;
  fis: { roleArn: string; stopConditionAlarms: string[] };
  route53?: { hostedZoneId: string; recordName: string; healthChecks: Record<string, string> };
  rds?: { globalClusterId: string };
  compute: ComputeType;
  resources: Record<string, RegionResources>;
}): AwsModel {
  return {
    connection: { endpoint: target.endpoint, profile: target.profile },
    accountId: null,
    regions: target.regions,
    primary: target.primary ?? target.regions[0],
    fisRoleArn: target.fis.roleArn,
    stopConditionAlarms: target.fis.stopConditionAlarms,
    hostedZoneId: target.route53?.hostedZoneId ?? null,
    recordName: target.route53?.recordName ?? null,
    healthChecks: target.route53?.healthChecks ?? {},
    globalClusterId: target.rds?.globalClusterId ?? null,
    compute: target.compute,
    resources: target.resources,
  };
}

export const awsTarget: TargetKind<typeof awsTargetSchema> = {
  schema: awsTargetSchema,

  validate(target, report) {
    if (target.primary && !target.regions.includes(target.primary))
      report(['primary'], `must be one of target.regions (${target.regions.join(', ')})`);
  },

  /**
   * In a real account a fault must end by itself, within maxFaultDuration: FIS gets the
   * duration in its template, so even a run that dies leaves nothing injected for long.
   * An instantaneous fault (a reboot, a cluster failover) takes no duration.
   */
  checkFaults(target, faults, report) {
    const max = target.maxFaultDuration;
    faults.forEach((fault, index) => {
      if (fault.instantaneous) return;
      if (fault.duration === undefined) {
        report(
          ['faults', index, 'duration'],
          `is required against an aws target (at most target.maxFaultDuration, ` +
            `${formatDuration(max)}): a fault in a real account must end by itself`,
        );
      } else if (fault.duration > max) {
        report(
          ['faults', index, 'duration'],
          `${formatDuration(fault.duration)} exceeds target.maxFaultDuration ` +
            `(${formatDuration(max)}); raise target.maxFaultDuration (at most ` +
            `${awsFaultDurationCeiling}) or shorten the fault`,
        );
      }
    });
  },

  regions: (target) => target.regions,
  primary: (target) => target.primary ?? target.regions[0],
  endpointNames: (target) => Object.keys(target.endpoints),
  databaseNames: () => [],
  hasPrometheus: (target) => target.prometheus !== undefined,
  faultApi: () => 'aws',
  throughAws: 'through AWS FIS',
  awsModel: (target) => awsTargetModel(target),
  planEndpoints: (target) => target.endpoints,

  planOpen: (target) => [
    `STS GetCallerIdentity (${credentialsOf(target)}): the account must be one of ${target.accountIds.join(', ')}, ` +
      'else nothing runs',
  ],

  async open(target, _lockRequest, onProgress) {
    const model = awsTargetModel(target);
    const account = await assertAllowedAccount(model.connection, model.primary, target.accountIds);
    model.accountId = account;
    onProgress(`AWS account ${account} is on the allow-list`);
    const clients = new AwsClients(model.connection);
    try {
      // An account has no file to lock: the marker is gameday's own FIS experiments there.
      await assertNoActiveAwsRun((region) => activeManagedExperiments(clients.fis(region)), target.regions, account);
    } catch (error) {
      clients.destroy();
      throw error;
    }
    onProgress(
      `no other gameday run active in ${target.regions.join(', ')} (FIS experiments tagged gameday:managed-by)`,
    );
    return {
      kind: 'aws',
      api: 'aws',
      strategy: null,
      endpoints: { ...target.endpoints },
      coldEndpoints: [],
      dnsServer: null,
      aws: { model, clients },
      direct: null,
      env: {},
      prometheus: target.prometheus ? targetPrometheus(target.prometheus) : null,
      lock: null,
      databaseUrl: () => undefined,
      regionOfAddress: () => undefined,
      // Route 53 answers the secondary as soon as the primary's check is unhealthy.
      awaitTrafficShift: async () => null,
      // An Aurora global cluster's old primary region rejoins as a secondary by itself.
      rejoinRegion: async () => undefined,
      rejoinRecord: () => null,
      resourceUsage: async () => null,
      dataSnapshot: async () => null,
      strategyStep: async (step) => {
        throw new TargetError(`${step}: only the lab carries out a strategy's steps`);
      },
      describe: () => ({
        kind: 'aws',
        accountId: account,
        regions: target.regions,
        endpoint: target.endpoint ?? null,
        endpoints: target.endpoints,
        ...(target.prometheus ? { prometheus: target.prometheus.url } : {}),
      }),
      close: async () => clients.destroy(),
    };
  },
};

/** Where the credentials come from, and the endpoint when it is overridden, for `plan`. */
function credentialsOf(target: AwsTarget): string {
  const source = target.profile ? `profile ${target.profile}` : 'default credential chain';
  return target.endpoint ? `${source}, endpoint ${target.endpoint}` : source;
}
