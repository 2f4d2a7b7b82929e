import { promises as dns } from 'node:dns';
import { z } from 'zod';
import { AwsClients } from '../aws/clients';
import type { AwsModel, RegionResources } from '../aws/model';
import { now, sleep } from '../core/clock';
import { duration, regionName, type ReportIssue } from '../core/fields';
import { labAccountId, labGlobalClusterId, labHostedZoneId, labResources } from '../lab/aws/resources';
import { findRunningLab, startLab, type RunningLab } from '../lab/manager';
import { resolveLabDir } from '../lab/state';
import { defaultStrategy, labStrategy, strategyNames } from '../lab/strategies';
import { labNames, resolveRegions } from '../lab/topology';
import type { TargetKind } from './kind';
import { acquireLock, labLockFile, type HeldLock } from './lock';
import { labPrometheus } from './prometheus';
import { formatDnsServer, TargetError, type DirectApi, type TargetSession } from './session';

export const labTargetSchema = z.strictObject({
  kind: z.literal('lab'),
  /** The failover architecture the lab is built as (lab/strategies/): the same outage, measured against each. */
  strategy: z.enum(strategyNames).default(defaultStrategy),
  /** 2 to 4 regions; the first is the primary unless `primary` says otherwise. */
  regions: z
    .array(regionName)
    .min(2, { error: 'the lab needs 2 to 4 regions' })
    .max(4, { error: 'the lab needs 2 to 4 regions' })
    .refine((names) => new Set(names).size === names.length, { error: 'regions must be distinct' })
    .default(['us-east-1', 'eu-west-1']),
  primary: regionName.optional(),
  /** Route 53-style health checks on each region's app (the lab allows intervals below 10 s). */
  healthCheck: z
    .strictObject({
      interval: duration({ max: '30s' }).prefault('1s'),
      failureThreshold: z
        .number()
        .int({ error: 'expected a whole number 1..10' })
        .min(1, { error: 'expected a whole number 1..10' })
        .max(10, { error: 'expected a whole number 1..10' })
        .default(3),
    })
    .prefault({}),
  /** DNS TTLs of the app's failover record and of the writer name. */
  ttl: z
    .strictObject({
      app: duration({ allowZero: true, max: '1h' }).prefault('5s'),
      writer: duration({ allowZero: true, max: '1h' }).prefault('1s'),
    })
    .prefault({}),
  /** Lab directory of a running lab to use (`gameday lab up`); default .gameday/lab, else an ephemeral lab. */
  dir: z.string().optional(),
  /**
   * How faults reach the lab: 'aws' (default) through the lab's FIS and Route 53 APIs with
   * the AWS SDK — the code path a real account uses; 'direct' through the lab's own
   * control API (which also offers lab-only faults: replication latency, process stops).
   */
  api: z.enum(['aws', 'direct']).default('aws'),
});

export type LabTarget = z.output<typeof labTargetSchema>;

/** Every strategy a lab target may name, in the lab's order: what `gameday compare --strategies all` runs. */
export const labStrategyNames: readonly string[] = strategyNames;

export const labFisRoleArn = `arn:aws:iam::${labAccountId}:role/gameday-lab-fis`;

/** The lab as AWS sees it; deterministic from the region list, so `plan` can show exact ARNs. */
export function labAwsModel(regions: string[], primary: string, endpoint?: string): AwsModel {
  const resources: Record<string, RegionResources> = {};
  const healthChecks: Record<string, string> = {};
  regions.forEach((region, i) => {
    const r = labResources(region, i + 1);
    resources[region] = {
      subnets: { arns: [r.subnetArn] },
      compute: { arns: [r.ecsTaskArn] },
      dbInstances: { arns: [r.dbInstanceArn] },
      dbClusters: { arns: [r.dbClusterArn] },
      buckets: { arns: [r.bucketArn] },
    };
    healthChecks[region] = r.healthCheckId;
  });
  return {
    connection: { endpoint: endpoint ?? '<lab control endpoint>', labCredentials: true },
    accountId: labAccountId,
    regions,
    primary,
    fisRoleArn: labFisRoleArn,
    stopConditionAlarms: [],
    hostedZoneId: labHostedZoneId,
    recordName: labNames.app,
    healthChecks,
    globalClusterId: labGlobalClusterId,
    compute: 'ecs',
    resources,
  };
}

const appHost = labNames.app.replace(/\.$/, '');

/** The databases a lab names: `writer` (the failover name of the current writer) and `db-<region>`. */
function databaseNames(regions: readonly string[]): string[] {
  return ['writer', ...regions.map((region) => `db-${region}`)];
}

/**
 * The lab's database URLs by name, each through the region's database ingress, so region
 * faults reach these connections as they reach the app's.
 */
export function labDatabaseUrls(lab: RunningLab): Record<string, string> {
  const port = lab.state.layout.ports.db;
  const url = (name: string) => `postgres://postgres@${name.replace(/\.$/, '')}:${port}/postgres`;
  const urls: Record<string, string> = { writer: url(labNames.writer) };
  for (const region of lab.state.regions) urls[`db-${region.name}`] = url(labNames.regionalDb(region.name));
  return urls;
}

export const labTarget: TargetKind<typeof labTargetSchema> = {
  schema: labTargetSchema,

  validate(target, report: ReportIssue) {
    if (target.primary && !target.regions.includes(target.primary))
      report(['primary'], `must be one of target.regions (${target.regions.join(', ')})`);
    const most = labStrategy(target.strategy).regions?.max;
    if (most !== undefined && target.regions.length > most)
      report(['regions'], `the ${target.strategy} strategy runs at most ${most} regions, got ${target.regions.length}`);
  },

  regions: (target) => target.regions,
  primary: (target) => target.primary ?? target.regions[0],
  endpointNames: (target) => ['app', ...target.regions.map((region) => `app-${region}`)],
  databaseNames: (target) => databaseNames(target.regions),
  hasPrometheus: () => true,
  faultApi: (target) => target.api,
  throughAws: "through the AWS APIs (use target.api 'direct' for lab-only faults)",
  awsModel: (target) => labAwsModel(target.regions, target.primary ?? target.regions[0]),

  planEndpoints(target) {
    // Ports are picked when the lab starts; `app` is resolved through the lab's DNS, or is the load balancer's address.
    const balanced = labStrategy(target.strategy).entry === 'load-balancer';
    const endpoints: Record<string, string> = { app: balanced ? 'http://127.0.0.1:PORT' : `http://${appHost}:PORT` };
    for (const region of resolveRegions({ regions: target.regions, primary: target.primary }).regions)
      endpoints[`app-${region.name}`] = `http://${region.address}:PORT`;
    return endpoints;
  },

  planOpen: (target) => [
    `lab: use the running lab (${target.dir ?? '.gameday/lab'}) if there is one, else start an ` +
      `ephemeral lab built as ${target.strategy} (${labStrategy(target.strategy).summary}): ` +
      `${target.regions.join(', ')} (primary ${target.primary ?? target.regions[0]}), ` +
      `health checks every ${target.healthCheck.interval} ms × ` +
      `${target.healthCheck.failureThreshold}, TTL app ${target.ttl.app} ms / writer ${target.ttl.writer} ms`,
  ],

  async open(target, lockRequest, onProgress) {
    const labDir = resolveLabDir(target.dir);
    let lab = await findRunningLab(labDir);
    let ephemeral = false;
    let lock: HeldLock | null = null;
    if (lab) {
      const running = lab;
      const missing = target.regions.filter((region) => !running.state.regions.some((r) => r.name === region));
      if (missing.length > 0) {
        throw new TargetError(
          `the running lab in ${labDir} has regions ` +
            `${running.state.regions.map((r) => r.name).join(', ')}; the experiment needs ` +
            `${missing.join(', ')} too (\`gameday lab down\`, or run without a running lab)`,
        );
      }
      // A lab up before strategies existed was built as the default.
      const runningStrategy = running.state.layout.strategy ?? defaultStrategy;
      if (runningStrategy !== target.strategy) {
        throw new TargetError(
          `the running lab in ${labDir} is built as ${runningStrategy}; the experiment needs ` +
            `${target.strategy} (\`gameday lab down\`, then \`gameday lab up --strategy ${target.strategy}\`, or run ` +
            `without a running lab)`,
        );
      }
      lock = acquireLock(labLockFile(labDir), { ...lockRequest, target: `the lab in ${labDir}` });
      onProgress(`using the running lab in ${labDir}`);
    } else {
      onProgress('starting an ephemeral lab…');
      lab = await startLab({
        ephemeral: true,
        strategy: target.strategy,
        regions: target.regions,
        primary: target.primary,
        healthCheck: {
          requestIntervalMs: target.healthCheck.interval,
          failureThreshold: target.healthCheck.failureThreshold,
        },
        ttl: { app: Math.round(target.ttl.app / 1000), writer: Math.round(target.ttl.writer / 1000) },
      });
      ephemeral = true;
    }
    return labSession(target, lab, { ephemeral, lock });
  },
};

/** The session over a running lab: the AWS APIs it serves, its direct API, its DNS and databases. */
function labSession(
  target: LabTarget,
  lab: RunningLab,
  options: { ephemeral: boolean; lock: HeldLock | null },
): TargetSession {
  const { state } = lab;
  const entry = state.entry ?? { kind: 'dns-failover', url: `http://${appHost}:${state.layout.ports.app}` };
  const endpoints: Record<string, string> = { app: entry.url };
  for (const region of state.regions) endpoints[`app-${region.name}`] = region.appUrl;
  const model = labAwsModel(
    state.layout.regions.map((region) => region.name),
    state.layout.primary,
    state.controlUrl,
  );
  const clients = new AwsClients(model.connection);
  const databases = labDatabaseUrls(lab);
  const addresses = new Map(state.regions.map((region) => [region.address, region.name]));
  const prometheus = labPrometheus(lab.client);
  return {
    kind: 'lab',
    api: target.api,
    strategy: state.layout.strategy ?? defaultStrategy,
    endpoints,
    // A cold standby region runs no app until the runbook starts one.
    coldEndpoints:
      labStrategy(state.layout.strategy ?? defaultStrategy).database === 'archive'
        ? state.regions.filter((region) => region.role === 'standby').map((region) => `app-${region.name}`)
        : [],
    dnsServer: state.dns,
    aws: { model, clients },
    direct: directApi(lab),
    env: { GAMEDAY_LAB_DIR: state.labDir, GAMEDAY_LAB_CONTROL_URL: state.controlUrl },
    prometheus,
    lock: options.lock,
    databaseUrl: (name) => databases[name],
    regionOfAddress: (address) => addresses.get(address),
    awaitTrafficShift: (region, signal) =>
      entry.kind === 'load-balancer' ? awaitBalancer(lab, region, signal) : awaitDnsAnswer(lab, region, signal),
    rejoinRegion: (region) => lab.client.startDatabase(region),
    strategyStep: (step, region) => lab.client.strategyStep(region, step),
    resourceUsage: () => lab.client.usage(),
    dataSnapshot: async () =>
      labStrategy(state.layout.strategy ?? defaultStrategy).database === 'logical' ? lab.client.dataSnapshot() : null,
    rejoinRecord: (region) => ({
      controlUrl: state.controlUrl,
      requests: [{ method: 'POST', path: `/lab/regions/${region}/database/start` }],
    }),
    describe: () => ({
      kind: 'lab',
      api: target.api,
      strategy: state.layout.strategy ?? defaultStrategy,
      entry,
      labDir: state.labDir,
      controlUrl: state.controlUrl,
      ephemeral: options.ephemeral,
      regions: state.regions.map((region) => ({ name: region.name, role: region.role, address: region.address })),
      dns: state.dns,
      healthCheck: state.layout.healthCheck,
      ttl: state.layout.ttl,
      endpoints,
    }),
    close: async () => {
      clients.destroy();
      try {
        await lab.stop();
      } finally {
        options.lock?.release();
      }
    },
  };
}

function directApi(lab: RunningLab): DirectApi {
  return {
    controlUrl: lab.state.controlUrl,
    labDir: lab.state.labDir,
    proxyOf: (region, link) => (link === 'ingress' ? `app-${region}` : `replication-${region}`),
    async linksOf(region, scope) {
      const status = await lab.client.status();
      const address = status.regions.find((candidate) => candidate.name === region)!.address;
      const touchesRegion = (regionName: string, proxy: { upstream: string }) =>
        regionName === region || proxy.upstream.startsWith(`${address}:`);
      // cross-region: clients (of the app and of S3) still reach the region; only its links to other regions are cut.
      const isCrossRegionLink = (proxy: { name: string }) =>
        !proxy.name.startsWith('app-') && !proxy.name.startsWith('s3-');
      return status.regions.flatMap((candidate) =>
        candidate.proxies
          .filter((proxy) => touchesRegion(candidate.name, proxy) && (scope === 'all' || isCrossRegionLink(proxy)))
          .map((proxy) => proxy.name),
      );
    },
  };
}

const pollMs = 200;

/** Until the lab's load balancer sends requests to `region`: its health checks decide, no DNS in between. */
async function awaitBalancer(lab: RunningLab, region: string, signal: AbortSignal): Promise<Record<string, unknown>> {
  const deadline = now() + 5 * 60_000;
  while (!signal.aborted) {
    const { entry } = await lab.client.status();
    if (entry.routesTo.includes(region)) return { entry: `the load balancer ${entry.url} routes to ${region}` };
    if (now() > deadline)
      throw new Error(`the load balancer still routes to ${entry.routesTo.join(', ') || 'nothing'} after 5 minutes`);
    await sleep(pollMs, signal);
  }
  throw new Error('the run ended before the load balancer moved');
}

/** Until the lab's DNS answers the app's name with `region`'s address, as a client asking it would be told. */
async function awaitDnsAnswer(lab: RunningLab, region: string, signal: AbortSignal): Promise<Record<string, unknown>> {
  const address = lab.state.regions.find((candidate) => candidate.name === region)?.address;
  const resolver = new dns.Resolver({ timeout: 1_000, tries: 1 });
  resolver.setServers([formatDnsServer(lab.state.dns)]);
  const deadline = now() + 5 * 60_000;
  try {
    while (!signal.aborted) {
      const answers = await resolver.resolve4(appHost).catch(() => [] as string[]);
      if (address && answers.includes(address)) return { dns: `${appHost} -> ${answers.join(', ')}` };
      if (now() > deadline)
        throw new Error(`${appHost} still answers ${answers.join(', ') || 'nothing'} after 5 minutes`);
      await sleep(pollMs, signal);
    }
    throw new Error('the run ended before DNS moved');
  } finally {
    resolver.cancel();
  }
}
