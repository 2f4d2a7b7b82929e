import type { Experiment } from '../experiment/validate';
import { findRunningLab, startLab, type RunningLab } from '../lab/manager';
import { resolveLabDir } from '../lab/state';
import { labNames } from '../lab/topology';

/**
 * A target opened for one run: the URLs probes may hit by name, the DNS server clients
 * resolve through, and for the lab the running lab itself. Closing it stops what the
 * run started (an ephemeral lab) and nothing else.
 */
export interface TargetSession {
  kind: Experiment['target']['kind'];
  endpoints: Record<string, string>;
  /** Clients resolve names through this DNS server (the lab's), honouring TTLs. */
  dnsServer: { host: string; port: number } | null;
  lab: RunningLab | null;
  /** Extra environment for exec commands (where the lab is). */
  env: Record<string, string>;
  /** For the journal: enough for `gameday recover` to find the target again. */
  describe(): { kind: string; [key: string]: unknown };
  close(): Promise<void>;
}

export async function openTarget(experiment: Experiment, onProgress: (message: string) => void): Promise<TargetSession> {
  const target = experiment.target;
  const env: Record<string, string> = {};
  if (target.kind === 'endpoints') {
    return {
      kind: 'endpoints',
      endpoints: { ...target.endpoints },
      dnsServer: null,
      lab: null,
      env,
      describe: () => ({ kind: 'endpoints', endpoints: target.endpoints }),
      close: async () => undefined,
    };
  }

  const labDir = resolveLabDir(target.dir);
  let lab = await findRunningLab(labDir);
  let ephemeral = false;
  if (lab) {
    const missing = target.regions.filter((region) => !lab!.state.regions.some((r) => r.name === region));
    if (missing.length > 0) {
      throw new TargetError(`the running lab in ${labDir} has regions ${lab.state.regions.map((r) => r.name).join(', ')}; the experiment needs ${missing.join(', ')} too (\`gameday lab down\`, or run without a running lab)`);
    }
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
  return {
    kind: 'lab',
    endpoints,
    dnsServer: running.state.dns,
    lab: running,
    env: { ...env, GAMEDAY_LAB_DIR: running.state.labDir, GAMEDAY_LAB_CONTROL_URL: running.state.controlUrl },
    describe: () => ({
      kind: 'lab',
      labDir: running.state.labDir,
      controlUrl: running.state.controlUrl,
      ephemeral,
      regions: running.state.regions.map((region) => ({ name: region.name, role: region.role, address: region.address })),
      dns: running.state.dns,
      healthCheck: running.state.layout.healthCheck,
      ttl: running.state.layout.ttl,
      endpoints,
    }),
    close: () => running.stop(),
  };
}

export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}
