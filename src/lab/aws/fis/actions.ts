import { parseIsoDuration } from './duration';
import { bucketPauseReplication } from './executors/bucket-pause-replication';
import { crossRegionBlackhole } from './executors/cross-region-blackhole';
import { databaseRestart } from './executors/database-restart';
import type { Executor } from './executors/execution';
import { ecsTaskLatency, eksPodLatency, ssmNetworkLatency } from './executors/ingress-latency';
import { regionBlackhole } from './executors/region-blackhole';
import { wait } from './executors/wait';
import type { ResourceType } from './targets';

/**
 * The FIS actions the lab carries out: ids, target keys and parameters as FIS names them
 * (ListActions and GetAction serve this), and the executor that does the lab's work.
 * Durations in the lab may be shorter than FIS's one-minute minimum, so drills stay short.
 */

export interface CheckContext {
  /** The experiment's region. */
  readonly region: string;
  readonly regions: readonly string[];
}

export interface ParameterDefinition {
  readonly description: string;
  readonly required: boolean;
  /** Used when a template leaves the parameter out. */
  readonly default?: string;
  /** What is wrong with `value`, or undefined when it is valid. */
  check?(value: string, context: CheckContext): string | undefined;
}

export interface ActionDefinition {
  readonly id: string;
  readonly description: string;
  /** The action's one target key and the resource type it takes; none for aws:fis:wait. */
  readonly target?: { readonly key: string; readonly resourceType: ResourceType };
  readonly parameters: Readonly<Record<string, ParameterDefinition>>;
  readonly executor: Executor;
}

// ------------------------------------------------------------------ parameter checks

const isoDuration = (value: string): string | undefined => {
  const parsed = parseIsoDuration(value);
  return 'error' in parsed ? parsed.error : undefined;
};

const milliseconds = (value: string): string | undefined =>
  /^\d+$/.test(value) && Number(value) <= 3_600_000
    ? undefined
    : `${JSON.stringify(value)} is not a whole number of milliseconds from 0 to 3600000`;

const oneOf =
  (...valid: string[]) =>
  (value: string): string | undefined =>
    valid.includes(value) ? undefined : `${JSON.stringify(value)} is not valid; valid: ${valid.join(', ')}`;

const boolean = (value: string): string | undefined =>
  ['true', 'false'].includes(value.toLowerCase())
    ? undefined
    : `${JSON.stringify(value)} is not valid; valid: true, false`;

const nonEmpty = (value: string): string | undefined => (value.trim() ? undefined : 'must not be empty');

const allSources = (value: string): string | undefined =>
  value === '0.0.0.0/0'
    ? undefined
    : `the lab delays traffic from every source; only 0.0.0.0/0 is valid, got ${JSON.stringify(value)}`;

const otherRegion = (value: string, { region, regions }: CheckContext): string | undefined => {
  if (value === region)
    return (
      `${value} is the experiment's own region; name the region to cut it off from ` +
      `(${regions.filter((r) => r !== region).join(', ')})`
    );
  return regions.includes(value)
    ? undefined
    : `${JSON.stringify(value)} is not a lab region; valid: ${regions.filter((r) => r !== region).join(', ')}`;
};

const destinationRegion = (value: string, { region, regions }: CheckContext): string | undefined =>
  regions.includes(value) && value !== region
    ? undefined
    : `${JSON.stringify(value)} holds no destination bucket of the lab's; valid: ` +
      `${regions.filter((r) => r !== region).join(', ')}`;

const notInLab =
  (what: string) =>
  (value: string): string | undefined =>
    value.trim() ? `the lab pauses whole buckets, not ${what}; leave it out` : undefined;

const latencyDocument = 'document/AWSFIS-Run-Network-Latency';

const documentArn = (value: string): string | undefined =>
  value.startsWith('arn:') && value.endsWith(latencyDocument)
    ? undefined
    : `the lab runs one SSM document, AWSFIS-Run-Network-Latency (e.g. ` +
      `arn:aws:ssm:us-east-1::${latencyDocument}); got ${JSON.stringify(value)}`;

const documentParameterNames = [
  'DelayMilliseconds',
  'JitterMilliseconds',
  'DurationSeconds',
  'Interface',
  'InstallDependencies',
];

const latencyDocumentParameters = (value: string): string | undefined => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return (
      `must be a JSON object string, e.g. {"DelayMilliseconds":"200","DurationSeconds":"60"}; ` +
      `got ${JSON.stringify(value)}`
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'must be a JSON object string';
  const document = parsed as Record<string, unknown>;
  for (const key of Object.keys(document)) {
    if (!documentParameterNames.includes(key))
      return `${key} is not a parameter of AWSFIS-Run-Network-Latency; valid: ${documentParameterNames.join(', ')}`;
  }
  const whole = (key: string, min: number, max: number, required: boolean): string | undefined => {
    const raw = document[key];
    if (raw === undefined) return required ? `${key} is required` : undefined;
    const number = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
    return Number.isInteger(number) && number >= min && number <= max
      ? undefined
      : `${key} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`;
  };
  return (
    whole('DelayMilliseconds', 0, 3_600_000, true) ??
    whole('JitterMilliseconds', 0, 3_600_000, false) ??
    whole('DurationSeconds', 1, 43_200, true)
  );
};

// ------------------------------------------------------------------ the catalogue

const limits = "the lab allows less than FIS's one-minute minimum; at most PT12H";
const duration = (what: string): ParameterDefinition => ({
  description: `${what}, as an ISO 8601 duration, e.g. PT1M (${limits}).`,
  required: true,
  check: isoDuration,
});

const latencyParameters = {
  duration: duration('How long the latency is added'),
  delayMilliseconds: {
    description: 'The delay in milliseconds. Default: 200.',
    required: false,
    default: '200',
    check: milliseconds,
  },
  jitterMilliseconds: {
    description: 'The jitter (random variation around the delay) in milliseconds. Default: 10.',
    required: false,
    default: '10',
    check: milliseconds,
  },
  sources: {
    description:
      'Sources of the delayed traffic. The lab delays every response of the app, so only 0.0.0.0/0 ' +
      '(the default) is valid.',
    required: false,
    default: '0.0.0.0/0',
    check: allSources,
  },
} satisfies Record<string, ParameterDefinition>;

const catalogue: ActionDefinition[] = [
  {
    id: 'aws:network:disrupt-connectivity',
    description:
      "Denies all traffic to and from the target subnets. In the lab: the subnet's region is " +
      'blackholed (every fault proxy in or into it holds all traffic).',
    target: { key: 'Subnets', resourceType: 'aws:ec2:subnet' },
    parameters: {
      duration: duration('How long traffic is denied'),
      scope: {
        description: 'The traffic to deny. The lab models one scope: all (the default).',
        required: false,
        default: 'all',
        check: oneOf('all'),
      },
    },
    executor: regionBlackhole,
  },
  {
    id: 'aws:network:route-table-disrupt-cross-region-connectivity',
    description:
      'Blocks traffic from the target subnets to another region. In the lab: the database and ' +
      "replication links between the subnet's region and that region are blackholed; client ingress is untouched.",
    target: { key: 'Subnets', resourceType: 'aws:ec2:subnet' },
    parameters: {
      duration: duration('How long cross-region traffic is blocked'),
      region: {
        description: 'The region to isolate from the subnets (another lab region).',
        required: true,
        check: otherRegion,
      },
    },
    executor: crossRegionBlackhole,
  },
  {
    id: 'aws:ecs:task-network-latency',
    description:
      'Adds latency to the network of the target tasks. In the lab: a latency toxic on the responses ' +
      "of the task's region's app ingress.",
    target: { key: 'Tasks', resourceType: 'aws:ecs:task' },
    parameters: {
      ...latencyParameters,
      installDependencies: {
        description: 'Whether FIS installs tc on the task. Nothing to install in the lab. Default: true.',
        required: false,
        default: 'true',
        check: boolean,
      },
      useEcsFaultInjectionEndpoints: {
        description:
          "Whether to use the ECS agent's fault injection endpoints. Makes no difference in the lab. Default: false.",
        required: false,
        default: 'false',
        check: boolean,
      },
    },
    executor: ecsTaskLatency,
  },
  {
    id: 'aws:eks:pod-network-latency',
    description:
      'Adds latency to the network of the target pods. In the lab: a latency toxic on the responses ' +
      "of the pod's region's app ingress.",
    target: { key: 'Pods', resourceType: 'aws:eks:pod' },
    parameters: {
      ...latencyParameters,
      interface: {
        description: 'The network interface to delay. The lab delays the app ingress whatever is given. Default: eth0.',
        required: false,
        default: 'eth0',
        check: nonEmpty,
      },
      kubernetesServiceAccount: {
        description: 'The Kubernetes service account FIS acts as (required by FIS; the lab runs no Kubernetes).',
        required: true,
        check: nonEmpty,
      },
      maxErrorsPercent: {
        description: 'Percentage of targets that may fail before the action fails. Default: 0.',
        required: false,
        default: '0',
        check: (value) =>
          /^\d+$/.test(value) && Number(value) <= 100
            ? undefined
            : `${JSON.stringify(value)} is not a whole number from 0 to 100`,
      },
    },
    executor: eksPodLatency,
  },
  {
    id: 'aws:ssm:send-command',
    description:
      'Runs an SSM document on the target instances. The lab runs AWSFIS-Run-Network-Latency: a ' +
      "latency toxic on the responses of the instance's region's app ingress for DurationSeconds.",
    target: { key: 'Instances', resourceType: 'aws:ec2:instance' },
    parameters: {
      duration: duration('How long the action waits for the command'),
      documentArn: {
        description: `The document's ARN; the lab runs arn:aws:ssm:<region>::${latencyDocument}.`,
        required: true,
        check: documentArn,
      },
      documentVersion: { description: 'The document version. The lab has one.', required: false, check: nonEmpty },
      documentParameters: {
        description:
          'The document parameters as a JSON string: DelayMilliseconds and DurationSeconds ' +
          '(required), JitterMilliseconds (default 0), Interface, InstallDependencies.',
        required: true,
        check: latencyDocumentParameters,
      },
    },
    executor: ssmNetworkLatency,
  },
  {
    id: 'aws:rds:reboot-db-instances',
    description:
      "Reboots the target DB instances. In the lab: the instance's PostgreSQL stops immediately and " +
      'starts again; the action completes when it accepts connections.',
    target: { key: 'DBInstances', resourceType: 'aws:rds:db' },
    parameters: {
      forceFailover: {
        description:
          'Whether to fail over during the reboot. A lab instance has no standby in its region, so ' +
          'it restarts either way. Default: false.',
        required: false,
        default: 'false',
        check: boolean,
      },
    },
    executor: databaseRestart('DBInstances'),
  },
  {
    id: 'aws:rds:failover-db-cluster',
    description:
      'Fails over the target DB clusters. A lab cluster has one instance: its PostgreSQL stops ' +
      'immediately and starts again; the action completes when it accepts connections.',
    target: { key: 'Clusters', resourceType: 'aws:rds:cluster' },
    parameters: {},
    executor: databaseRestart('Clusters'),
  },
  {
    id: 'aws:s3:bucket-pause-replication',
    description:
      'Pauses replication from the target source buckets to their destination buckets in a region. ' +
      'In the lab: the source region queues the changes, and replicates them when the pause ends.',
    target: { key: 'Buckets', resourceType: 'aws:s3:bucket' },
    parameters: {
      duration: duration('How long replication is paused'),
      region: {
        description: 'The region of the destination buckets (another lab region).',
        required: true,
        check: destinationRegion,
      },
      destinationBuckets: {
        description: 'Comma-separated destination bucket names. The lab pauses every destination in region.',
        required: false,
        check: notInLab('a list of destination buckets'),
      },
      prefixes: {
        description: 'Comma-separated key prefixes of the replication rules to pause. The lab pauses every rule.',
        required: false,
        check: notInLab('a list of prefixes'),
      },
    },
    executor: bucketPauseReplication,
  },
  {
    id: 'aws:fis:wait',
    description: 'Waits for the specified duration.',
    parameters: { duration: duration('How long to wait') },
    executor: wait,
  },
];

export const actions: ReadonlyMap<string, ActionDefinition> = new Map(catalogue.map((action) => [action.id, action]));

/** A parameter map with every default filled in. */
export function withDefaults(
  definition: ActionDefinition,
  given: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(definition.parameters)) {
    const value = given[name] ?? parameter.default;
    if (value !== undefined) out[name] = value;
  }
  return out;
}
