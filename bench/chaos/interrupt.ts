import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { activeManagedExperiments } from '../../src/aws/fis/experiment';
import { AwsClients } from '../../src/aws/clients';
import { labLockFile } from '../../src/targets/lock';
import type { LabStatus } from '../../src/lab/lab';

/**
 * Chaos on gameday itself: start a lab drill (faults through FIS and Route 53, a failover
 * runbook) against one persistent lab, interrupt it at a random moment in one of the ways
 * a run dies — SIGINT, SIGTERM, kill -9 followed by `gameday recover`, an exception inside
 * a probe or inside a runbook hook — and check that nothing of it is left: no toxic, no
 * inverted or unhealthy health check, no FIS experiment running, no lock, every
 * component up and every standby streaming (after `gameday lab reset` when the
 * interrupted runbook had moved the writer).
 */

export const interruptModes = ['kill-9+recover', 'SIGINT', 'SIGTERM', 'probe-exception', 'hook-exception'] as const;
export type InterruptMode = (typeof interruptModes)[number];

export interface Iteration {
  index: number;
  mode: InterruptMode;
  /**
   * When the interruption came, from the start of `gameday run` (exceptions: when the probe or hook threw, from the
   * run's start).
   */
  interruptAtMs: number;
  exitCode: number | null;
  /** For kill -9: what `gameday recover` said; otherwise '-'. */
  recover: string;
  /** Faults or locks left behind before any reset: must be empty. */
  leftovers: string[];
  /** The runbook had moved the writer (it was interrupted before failing back): `gameday lab reset` restored it. */
  reset: boolean;
  /** Components, health checks and replication after settling (and the reset). */
  unhealthy: string[];
  healthy: boolean;
}

export interface ChaosOptions {
  n: number;
  /** Work directory (lab, experiment, run directories); removed at the end. */
  dir?: string;
  /** The gameday bin to run (default: this checkout's, built). */
  bin?: string;
  modes?: readonly InterruptMode[];
  /** Random source in [0, 1), injectable for a reproducible sequence. */
  random?: () => number;
  log?: (line: string) => void;
  /** Extra environment for every command (the test runner's process marker). */
  env?: Record<string, string>;
}

const repoRoot = path.resolve(__dirname, '..', '..');
/** How long a drill runs, roughly: preflight, steady state, 8 s of observation with faults and a failover, failback. */
const drillSpanMs = 9_000;

export async function runChaos(options: ChaosOptions): Promise<{ iterations: Iteration[]; healthy: number }> {
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-chaos-'));
  const labDir = path.join(dir, 'lab');
  const random = options.random ?? Math.random;
  const modes = options.modes ?? interruptModes;
  const log = options.log ?? (() => undefined);
  const cli = (args: string[], env: Record<string, string> = {}) =>
    runGameday(options.bin ?? path.join(repoRoot, 'bin', 'gameday'), args, { ...options.env, ...env }, dir);

  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  if (!fs.existsSync(path.join(dir, 'node_modules', 'gameday')))
    fs.symlinkSync(repoRoot, path.join(dir, 'node_modules', 'gameday'));
  const file = writeDrill(dir, labDir);
  const up = await cli(['lab', 'up', '--dir', labDir, '--json']).done;
  if (up.code !== 0) throw new Error(`gameday lab up failed: ${up.stderr}`);
  const lab = JSON.parse(up.stdout) as { controlUrl: string; regions: Record<string, { role: string }> };
  const primary = Object.entries(lab.regions).find(([, region]) => region.role === 'primary')![0];

  const iterations: Iteration[] = [];
  try {
    for (let index = 0; index < options.n; index++) {
      const mode = modes[index % modes.length];
      const interruptAtMs = Math.round(500 + random() * drillSpanMs);
      const runDir = path.join(dir, 'runs', `${index + 1}-${mode}`);
      const env: Record<string, string> = {};
      if (mode === 'probe-exception') env.CHAOS_PROBE_THROW_AT_MS = String(interruptAtMs);
      if (mode === 'hook-exception') env.CHAOS_HOOK_THROWS = '1';
      const run = cli(['run', file, '--out', runDir], env);
      let recover = '-';
      if (mode === 'SIGINT' || mode === 'SIGTERM' || mode === 'kill-9+recover') {
        await Promise.race([sleep(interruptAtMs), run.done]);
        run.child.kill(mode === 'kill-9+recover' ? 'SIGKILL' : mode);
      }
      const result = await run.done;
      if (mode === 'kill-9+recover') {
        const recovered = await cli(['recover', runDir]).done;
        const reverted = (recovered.stdout.match(/^.*: reverted /gm) ?? []).length;
        recover =
          recovered.code === 0
            ? reverted > 0
              ? `reverted ${reverted}`
              : recovered.stdout.includes('nothing to recover')
                ? 'nothing to recover'
                : 'ok'
            : `FAILED (exit ${recovered.code}): ${recovered.stdout.trim()} ${recovered.stderr.trim()}`;
      }
      const leftovers = await leftoversOf(labDir, lab.controlUrl, cli);
      const status = await labStatus(cli, labDir);
      const reset =
        status.regions.some((region) =>
          region.name === primary ? region.role !== 'primary' : region.role === 'primary',
        ) || status.regions.some((region) => !region.database.running || !region.app.running);
      if (reset) {
        const done = await cli(['lab', 'reset', '--dir', labDir]).done;
        if (done.code !== 0) leftovers.push(`lab reset failed: ${done.stderr.trim()}`);
      }
      const unhealthy = await settledHealth(cli, labDir);
      const iteration: Iteration = {
        index: index + 1,
        mode,
        interruptAtMs,
        exitCode: result.code,
        recover,
        leftovers,
        reset,
        unhealthy,
        healthy: leftovers.length === 0 && unhealthy.length === 0 && !recover.startsWith('FAILED'),
      };
      iterations.push(iteration);
      log(describeIteration(iteration, options.n));
    }
  } finally {
    await cli(['lab', 'down', '--dir', labDir]).done;
    if (!options.dir) fs.rmSync(dir, { recursive: true, force: true });
  }
  return { iterations, healthy: iterations.filter((iteration) => iteration.healthy).length };
}

export function describeIteration(iteration: Iteration, n: number): string {
  const when = `${(iteration.interruptAtMs / 1000).toFixed(1)}s`;
  const problems = [...iteration.leftovers, ...iteration.unhealthy];
  return (
    `[${iteration.index}/${n}] ${iteration.mode.padEnd(15)} at ${when.padStart(5)}  exit ` +
    `${iteration.exitCode}  recover ${iteration.recover}  reset ${iteration.reset ? 'yes' : 'no'}  ` +
    `${iteration.healthy ? 'healthy' : `UNHEALTHY: ${problems.join('; ')}`}`
  );
}

/** What an interrupted run may have left: toxics, inverted checks, running FIS experiments, its lock. */
async function leftoversOf(labDir: string, controlUrl: string, cli: Cli): Promise<string[]> {
  const left: string[] = [];
  const status = await labStatus(cli, labDir);
  for (const region of status.regions) {
    for (const proxy of region.proxies) {
      if (proxy.toxics.length > 0)
        left.push(`${region.name} proxy ${proxy.name} has toxics ${proxy.toxics.join(', ')}`);
      if (!proxy.enabled) left.push(`${region.name} proxy ${proxy.name} is down`);
    }
    if (region.healthCheck?.inverted) left.push(`${region.name} health check inverted`);
    if (region.healthCheck?.disabled) left.push(`${region.name} health check disabled`);
  }
  const clients = new AwsClients({ endpoint: controlUrl, labCredentials: true });
  try {
    for (const region of status.regions) {
      for (const experiment of await activeManagedExperiments(clients.fis(region.name)))
        left.push(`FIS experiment ${experiment.id} (${experiment.fault}) still ${experiment.status} in ${region.name}`);
    }
  } finally {
    clients.destroy();
  }
  if (fs.existsSync(labLockFile(labDir))) left.push(`lock ${labLockFile(labDir)} left behind`);
  return left;
}

/** Health after the dust settles: health checks flip back only after their threshold of successes. */
async function settledHealth(cli: Cli, labDir: string): Promise<string[]> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const problems = healthProblems(await labStatus(cli, labDir));
    if (problems.length === 0 || Date.now() > deadline) return problems;
    await sleep(500);
  }
}

function healthProblems(status: LabStatus): string[] {
  const problems: string[] = [];
  for (const region of status.regions) {
    if (!region.database.running) problems.push(`${region.name} database down`);
    if (!region.app.running) problems.push(`${region.name} app down`);
    if (region.healthCheck && region.healthCheck.status.toLowerCase() !== 'healthy')
      problems.push(`${region.name} health check ${region.healthCheck.status}`);
    const replication = region.replication as {
      role?: string;
      receiverStatus?: string;
      standbys?: Array<{ state: string }>;
    } | null;
    if (region.role === 'standby' && replication?.receiverStatus !== 'streaming')
      problems.push(`${region.name} replication ${replication?.receiverStatus ?? 'unknown'}`);
    if (region.role === 'primary' && (replication?.standbys ?? []).length < status.regions.length - 1)
      problems.push(`${region.name} has ${(replication?.standbys ?? []).length} standbys streaming`);
  }
  return problems;
}

async function labStatus(cli: Cli, labDir: string): Promise<LabStatus> {
  const result = await cli(['lab', 'status', '--dir', labDir, '--json']).done;
  if (result.code !== 0) throw new Error(`gameday lab status failed: ${result.stderr}`);
  return JSON.parse(result.stdout).status as LabStatus;
}

/** The drill: FIS health-check and latency faults, a runbook that fails over and back; knobs for the exceptions. */
function writeDrill(dir: string, labDir: string): string {
  const file = path.join(dir, 'chaos-drill.ts');
  fs.writeFileSync(
    file,
    `import { defineExperiment, faults, probes } from 'gameday';

const startedAt = Date.now();
const probeThrowAt = Number(process.env.CHAOS_PROBE_THROW_AT_MS ?? Number.POSITIVE_INFINITY);

export default defineExperiment({
  name: 'chaos drill',
  target: { kind: 'lab', dir: ${JSON.stringify(labDir)} },
  steadyState: { duration: '500ms', recoveryTimeout: '20s' },
  hypothesis: { recovery: { window: '1s' } },
  traffic: probes.http({ endpoint: 'app', path: '/health', rate: 10, timeout: '1s', connection: 'new' }),
  probes: [
    probes.fn({
      name: 'chaos-probe',
      every: '200ms',
      run: () => {
        if (Date.now() - startedAt >= probeThrowAt) throw new Error('chaos: an exception inside a probe');
        return 'ok';
      },
    }),
  ],
  faults: [
    // Held to the end of the observation, so DNS keeps clients on eu-west-1 until the rollback.
    faults.regionOutage({ name: 'us-east-1-offline', region: 'us-east-1', mode: 'blackhole', after: '500ms' }),
    faults.latency({ name: 'slow-eu', region: 'eu-west-1', latency: '30ms', after: '1s', duration: '4s' }),
  ],
  failover: {
    from: 'us-east-1',
    to: 'eu-west-1',
    detect: { healthCheck: true, timeout: '8s' },
    trafficShift: 'dns',
    steps: [
      {
        after: 'decide',
        name: 'chaos hook',
        run: () => {
          if (process.env.CHAOS_HOOK_THROWS) throw new Error('chaos: an exception inside a runbook hook');
        },
      },
    ],
    verify: { window: '1s', timeout: '10s' },
    failback: true,
  },
  duration: '12s',
});
`,
  );
  return file;
}

type Cli = (
  args: string[],
  env?: Record<string, string>,
) => { child: ReturnType<typeof spawn>; done: Promise<{ code: number | null; stdout: string; stderr: string }> };

function runGameday(bin: string, args: string[], env: Record<string, string>, cwd: string): ReturnType<Cli> {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
