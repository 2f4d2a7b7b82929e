import type { DnsServer } from '../probes/resolver';
import { assertAllowedAccount } from '../aws/account';
import { AwsClients } from '../aws/clients';
import { awsTargetModel, labAwsModel, type AwsModel } from '../aws/model';
import type { Experiment } from '../experiment/validate';
import { faultApiOf } from '../experiment/schema';
import { findRunningLab, startLab, type RunningLab } from '../lab/manager';
import { resolveLabDir } from '../lab/state';
import { labNames } from '../lab/topology';
import { activeManagedExperiments } from '../aws/fis/experiment';
import { acquireLock, assertNoActiveAwsRun, endpointsLockFile, labLockFile, type HeldLock, type LockRequest } from './lock';
import { GamedayError } from '../core/errors';

/**
 * A target opened for one run: the URLs probes may hit by name, the DNS server clients
 * resolve through, the lab (if any) and the AWS APIs faults go through. Closing it stops
 * what the run started (an ephemeral lab) and nothing else.
 */
export interface TargetSession {
  kind: Experiment['target']['kind'];
  /** How region faults are carried out; null for targets without regions. */
  api: 'aws' | 'direct' | null;
  endpoints: Record<string, string>;
  /** Clients resolve names through this DNS server (the lab's), honouring TTLs. */
  dnsServer: DnsServer | null;
  lab: RunningLab | null;
  aws: { model: AwsModel; clients: AwsClients } | null;
  /** Extra environment for exec commands (where the lab is). */
  env: Record<string, string>;
  /** This run's lock on the target (none for an ephemeral lab, which no one else can reach, or an AWS account, which has markers instead). */
  lock: HeldLock | null;
  /** For the journal: enough for `gameday recover` to find the target again. */
  describe(): { kind: string; [key: string]: unknown };
  close(): Promise<void>;
}

export class TargetError extends GamedayError {}

/**
 * Opens the target for one run and takes it: the second run against the same target is
 * refused (LockHeldError, AwsTargetBusyError) before anything is injected.
 */
export async function openTarget(experiment: Experiment, onProgress: (message: string) => void, lockRequest: Omit<LockRequest, 'target'>): Promise<TargetSession> {
  const target = experiment.target;
  switch (target.kind) {
    case 'endpoints': {
      const lock = acquireLock(endpointsLockFile(target.endpoints), { ...lockRequest, target: `the endpoints ${Object.values(target.endpoints).join(', ')}` });
      return {
        kind: 'endpoints',
        api: null,
        endpoints: { ...target.endpoints },
        dnsServer: null,
        lab: null,
        aws: null,
        env: {},
        lock,
        describe: () => ({ kind: 'endpoints', endpoints: target.endpoints }),
        close: async () => lock.release(),
      };
    }

    case 'aws': {
      const model = awsTargetModel(target);
      const account = await assertAllowedAccount(model.connection, model.primary, target.accountIds);
      model.accountId = account;
      onProgress(`AWS account ${account} is on the allow-list`);
      const clients = new AwsClients(model.connection);
      try {
        await assertNoActiveAwsRun((region) => activeManagedExperiments(clients.fis(region)), target.regions, account);
      } catch (error) {
        clients.destroy();
        throw error;
      }
      onProgress(`no other gameday run active in ${target.regions.join(', ')} (FIS experiments tagged gameday:managed-by)`);
      return {
        kind: 'aws',
        api: 'aws',
        endpoints: { ...target.endpoints },
        dnsServer: null,
        lab: null,
        aws: { model, clients },
        env: {},
        lock: null,
        describe: () => ({ kind: 'aws', accountId: account, regions: target.regions, endpoint: target.endpoint ?? null, endpoints: target.endpoints }),
        close: async () => clients.destroy(),
      };
    }

    case 'lab': {
      const labDir = resolveLabDir(target.dir);
      let lab = await findRunningLab(labDir);
      let ephemeral = false;
      let lock: HeldLock | null = null;
      if (lab) {
        const missing = target.regions.filter((region) => !lab!.state.regions.some((r) => r.name === region));
        if (missing.length > 0) {
          throw new TargetError(`the running lab in ${labDir} has regions ${lab.state.regions.map((r) => r.name).join(', ')}; the experiment needs ${missing.join(', ')} too (\`gameday lab down\`, or run without a running lab)`);
        }
        lock = acquireLock(labLockFile(labDir), { ...lockRequest, target: `the lab in ${labDir}` });
        onProgress(`using the running lab in ${labDir}`);
      } else {
        onProgress('starting an ephemeral lab…');
        lab = await startLab({
          ephemeral: true,
          regions: target.regions,
          primary: target.primary,
          healthCheck: { requestIntervalMs: target.healthCheck.interval, failureThreshold: target.healthCheck.failureThreshold },
          ttl: { app: Math.round(target.ttl.app / 1000), writer: Math.round(target.ttl.writer / 1000) },
        });
        ephemeral = true;
      }
      const running = lab;
      const port = running.state.layout.ports.app;
      const endpoints: Record<string, string> = { app: `http://${labNames.app.replace(/\.$/, '')}:${port}` };
      for (const region of running.state.regions) endpoints[`app-${region.name}`] = region.appUrl;
      const labRegions = running.state.layout.regions.map((region) => region.name);
      const model = labAwsModel(labRegions, running.state.layout.primary, running.state.controlUrl);
      const clients = new AwsClients(model.connection);
      return {
        kind: 'lab',
        api: faultApiOf(target),
        endpoints,
        dnsServer: running.state.dns,
        lab: running,
        aws: { model, clients },
        env: { GAMEDAY_LAB_DIR: running.state.labDir, GAMEDAY_LAB_CONTROL_URL: running.state.controlUrl },
        lock,
        describe: () => ({
          kind: 'lab',
          api: target.api,
          labDir: running.state.labDir,
          controlUrl: running.state.controlUrl,
          ephemeral,
          regions: running.state.regions.map((region) => ({ name: region.name, role: region.role, address: region.address })),
          dns: running.state.dns,
          healthCheck: running.state.layout.healthCheck,
          ttl: running.state.layout.ttl,
          endpoints,
        }),
        close: async () => {
          clients.destroy();
          try {
            await running.stop();
          } finally {
            lock?.release();
          }
        },
      };
    }
  }
}
