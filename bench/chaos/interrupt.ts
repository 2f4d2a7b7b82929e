import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { JournalEvent } from '../../src/core/events';
import { journalFileName, readJournal } from '../../src/core/journal';
import { LabClient } from '../../src/lab/client';
import { aimLengths, aims, JournalTail, opensAim, phaseAt, phases, type Aim, type Phase } from './journal';
import { baselineOf, repair, whatRemains } from './lab-check';

/**
 * Chaos on gameday itself: start a lab drill (faults through FIS and Route 53, a failover
 * runbook that fails back) against one persistent lab, interrupt it in one of the ways a
 * run dies — SIGINT, SIGTERM, kill -9 followed by `gameday recover`, an exception inside a
 * probe or inside a runbook hook — and check that the lab is as the drill found it, with
 * no reset (lab-check.ts). A drill that left anything behind is a failure, whatever
 * repairs it afterwards; the harness then repairs the lab so the next drill starts clean.
 *
 * The moments are stratified over the drill's phases: the k-th signal drill aims at
 * aims[k % 5] (steady state, fault before detection, promotion, failed over,
 * rollback/failback), probe exceptions likewise, counted apart; each waits for the journal
 * event that opens its phase and fires uniformly within that phase's length in a
 * calibration drill run first, uninterrupted. Where it landed is read back from the
 * journal, since no run keeps to the calibration's timing exactly.
 */

export const interruptModes = ['kill-9+recover', 'SIGINT', 'SIGTERM', 'probe-exception', 'hook-exception'] as const;
/**
 * 'kill-9' (no recover) is a control, not in the default modes: it must come out unhealthy,
 * or the check cannot see what a dead run leaves.
 */
export type InterruptMode = (typeof interruptModes)[number] | 'kill-9';

export interface Iteration {
  index: number;
  mode: InterruptMode;
  /** The phase it aimed at (null: a hook exception, which comes where the hook is). */
  aim: Aim | null;
  /** When the interruption came, from the start of `gameday run`; null when the run ended first. */
  momentMs: number | null;
  /** Where the run was at that moment, from its journal; 'not-reached' when it ended before its moment came. */
  phase: Phase | 'not-reached';
  exitCode: number | null;
  /** For kill -9: what `gameday recover` said; otherwise '-'. */
  recover: string;
  /** What differed from the starting lab after the run (and recover), before any repair; empty when healthy. */
  remained: string[];
  /** What the harness did to start the next drill clean (empty when nothing was needed). */
  repaired: string[];
  /** What the run's journal says went wrong (its verdict, failed steps and reverts, errors): why, when unhealthy. */
  said: string[];
  healthy: boolean;
}

export interface ChaosOptions {
  n: number;
  /** Work directory (lab, experiment, run directories); default a temporary one, removed at the end. */
  dir?: string;
  /** The gameday bin to run (default: this checkout's, built). */
  bin?: string;
  modes?: readonly InterruptMode[];
  /** Aims in turn (default: all five); a signal or probe drill takes the next. */
  aims?: readonly Aim[];
  /** Each aim's length (ms); without it a calibration drill measures them first. */
  aimLengths?: Record<Aim, number>;
  /** Random source in [0, 1), injectable for a reproducible sequence. */
  random?: () => number;
  log?: (line: string) => void;
  /** Extra environment for every command (the test runner's process marker). */
  env?: Record<string, string>;
  /** Keep the work directory when a drill was unhealthy: its journals are the evidence (printed where). */
  keepUnhealthy?: boolean;
  /**
   * Starts the running lab the drills use in `labDir`, returning its control URL (default: `gameday lab up`,
   * with its default health checks and TTLs); it is taken down with `gameday lab down` at the end either way.
   */
  startLab?: (labDir: string) => Promise<{ controlUrl: string }>;
}

export interface ChaosResult {
  iterations: Iteration[];
  healthy: number;
  /** The calibration drill, when one ran: how long it took and each aim's length. */
  calibration: { durationMs: number; aimLengths: Record<Aim, number> } | null;
}

const repoRoot = path.resolve(__dirname, '..', '..');

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-chaos-'));
  const labDir = path.join(dir, 'lab');
  const random = options.random ?? Math.random;
  const modes = options.modes ?? interruptModes;
  const aimOrder = options.aims ?? aims;
  const log = options.log ?? (() => undefined);
  const cli = (args: string[], env: Record<string, string> = {}) =>
    runGameday(options.bin ?? path.join(repoRoot, 'bin', 'gameday'), args, { ...options.env, ...env }, dir);

  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  if (!fs.existsSync(path.join(dir, 'node_modules', 'gameday')))
    fs.symlinkSync(repoRoot, path.join(dir, 'node_modules', 'gameday'));
  const throwFile = path.join(dir, 'probe-throws');
  const file = writeDrill(dir, labDir);
  const { controlUrl } = options.startLab ? await options.startLab(labDir) : await labUp(cli, labDir);
  // Asked after every drill, and again while what heals by itself heals: from the control API, which
  // `gameday lab status --json` prints too, rather than a CLI start each time.
  const lab = new LabClient(controlUrl);
  const statusOf = () => lab.status();

  const iterations: Iteration[] = [];
  let calibration: ChaosResult['calibration'] = null;
  try {
    const baseline = baselineOf(await statusOf());
    const remainsOf = () => whatRemains(statusOf, labDir, controlUrl, baseline);
    let lengths = options.aimLengths;
    if (!lengths) {
      const runDir = path.join(dir, 'runs', '0-calibration');
      const started = Date.now();
      const run = await cli(['run', file, '--out', runDir]).done;
      const durationMs = Date.now() - started;
      const remained = await remainsOf();
      if (run.code !== 0 || remained.length > 0)
        throw new Error(
          `the calibration drill, left alone, exited ${run.code} and left ${remained.join('; ') || 'nothing'}: ` +
            `${run.stdout.trim().split('\n').slice(-3).join(' / ')}`,
        );
      lengths = aimLengths(readJournal(path.join(runDir, journalFileName)));
      calibration = { durationMs, aimLengths: lengths };
      log(describeCalibration(calibration));
    }

    let aimed = 0;
    let probesAimed = 0;
    for (let index = 0; index < options.n; index++) {
      const mode = modes[index % modes.length];
      const aim =
        mode === 'hook-exception'
          ? null
          : aimOrder[(mode === 'probe-exception' ? probesAimed++ : aimed++) % aimOrder.length];
      const runDir = path.join(dir, 'runs', `${index + 1}-${mode}`);
      fs.rmSync(throwFile, { force: true });
      const env: Record<string, string> = {};
      if (mode === 'probe-exception') env.CHAOS_PROBE_THROW_FILE = throwFile;
      if (mode === 'hook-exception') env.CHAOS_HOOK_THROWS = '1';

      const spawnedAt = Date.now();
      const run = cli(['run', file, '--out', runDir], env);
      let exited = false;
      void run.done.then(() => (exited = true));
      const tail = new JournalTail(path.join(runDir, journalFileName));
      let firedAt: number | null = null;
      if (aim) {
        const opened = await tail.waitFor(
          (event) => opensAim(aim, event),
          () => exited,
        );
        if (opened) {
          // From when the event happened, not when it was read: the poll's delay is not part of the phase.
          const at = opened.t + random() * lengths[aim];
          await Promise.race([sleep(at - Date.now()), run.done]);
          if (!exited) {
            firedAt = Date.now();
            const signal = signalOf[mode];
            if (signal) run.child.kill(signal);
            else fs.writeFileSync(throwFile, '');
          }
        }
      }
      const result = await run.done;
      const events = fs.existsSync(tail.file) ? readJournal(tail.file) : [];
      if (mode === 'hook-exception') {
        const threw = events.find((event) => event.type === 'failover.step' && event.status === 'failed');
        firedAt = threw ? threw.t : null;
      }
      const recover = mode === 'kill-9+recover' ? await recoverRun(cli, runDir) : '-';

      const remained = await remainsOf();
      if (recover.startsWith('FAILED')) remained.unshift(`recover ${recover}`);
      let repaired: string[] = [];
      if (remained.length > 0) {
        repaired = await repair(statusOf, labDir, controlUrl, () => cli(['lab', 'reset', '--dir', labDir]).done);
        const still = await remainsOf();
        // A lab the harness cannot repair makes every later drill meaningless.
        if (still.length > 0) throw new Error(`drill ${index + 1}: after ${repaired.join(', ')}: ${still.join('; ')}`);
      }
      const iteration: Iteration = {
        index: index + 1,
        mode,
        aim,
        momentMs: firedAt === null ? null : Math.round(firedAt - spawnedAt),
        phase: firedAt === null ? 'not-reached' : phaseAt(events, firedAt),
        exitCode: result.code,
        recover,
        remained,
        repaired,
        said: whatTheRunSaid(events),
        healthy: remained.length === 0,
      };
      iterations.push(iteration);
      log(describeIteration(iteration, options.n));
    }
  } finally {
    await cli(['lab', 'down', '--dir', labDir]).done;
    if (options.keepUnhealthy && iterations.some((iteration) => !iteration.healthy))
      log(`run directories kept in ${path.join(dir, 'runs')}`);
    else if (!options.dir) fs.rmSync(dir, { recursive: true, force: true });
  }
  return { iterations, healthy: iterations.filter((iteration) => iteration.healthy).length, calibration };
}

const signalOf: Partial<Record<InterruptMode, NodeJS.Signals>> = {
  'kill-9+recover': 'SIGKILL',
  'kill-9': 'SIGKILL',
  SIGINT: 'SIGINT',
  SIGTERM: 'SIGTERM',
};

const modeLabels: Record<InterruptMode, string> = {
  'kill-9+recover': 'kill -9+recover',
  'kill-9': 'kill -9 alone',
  SIGINT: 'SIGINT',
  SIGTERM: 'SIGTERM',
  'probe-exception': 'probe throws',
  'hook-exception': 'hook throws',
};

export function describeIteration(iteration: Iteration, n: number): string {
  const when = iteration.momentMs === null ? '-' : `${(iteration.momentMs / 1000).toFixed(2)}s`;
  const said = iteration.said.length > 0 ? ` (the run: ${iteration.said.join('; ')})` : '';
  const outcome = iteration.healthy
    ? 'healthy'
    : `UNHEALTHY: ${iteration.remained.join('; ')}${said} → ${iteration.repaired.join(', ')}`;
  return (
    `[${String(iteration.index).padStart(String(n).length)}/${n}] ${modeLabels[iteration.mode].padEnd(15)} ` +
    `aim ${(iteration.aim ?? '-').padEnd(22)} ` +
    `at ${when.padStart(6)} in ${iteration.phase.padEnd(22)} exit ${String(iteration.exitCode).padEnd(4)} ` +
    `recover ${iteration.recover.padEnd(10)} ${outcome}`
  );
}

function describeCalibration(calibration: NonNullable<ChaosResult['calibration']>): string {
  const lengths = aims.map((aim) => `${aim} ${(calibration.aimLengths[aim] / 1000).toFixed(2)}s`).join(', ');
  return (
    `calibration drill, uninterrupted: passed in ${(calibration.durationMs / 1000).toFixed(1)}s, ` +
    `lab healthy; phase lengths: ${lengths}`
  );
}

/**
 * The result line: healthy and unhealthy drills (which add up to all of them), how many
 * needed the harness's repair, and where the interruptions landed.
 */
export function summaryLine(iterations: readonly Iteration[]): string {
  const healthy = iterations.filter((iteration) => iteration.healthy).length;
  const unhealthy = iterations.length - healthy;
  const repaired = iterations.filter((iteration) => iteration.repaired.length > 0).length;
  const landed = [...phases, 'not-reached' as const]
    .map((phase) => [phase, iterations.filter((iteration) => iteration.phase === phase).length] as const)
    .filter(([, count]) => count > 0)
    .map(([phase, count]) => `${phase} ${count}`)
    .join(', ');
  return (
    `${healthy} of ${iterations.length} healthy, ${unhealthy} unhealthy (${repaired} needed a lab reset); ` +
    `interrupted in: ${landed}`
  );
}

function whatTheRunSaid(events: readonly JournalEvent[]): string[] {
  const said: string[] = [];
  for (const event of events) {
    if (event.type === 'failover.step' && event.status === 'failed') said.push(`${event.step} failed: ${event.error}`);
    else if (event.type === 'fault.revert-failed') said.push(`revert of ${event.fault} failed: ${event.error}`);
    else if (event.type === 'error') said.push(`error in ${event.where}: ${event.message}`);
    else if (event.type === 'run.finished') said.push(`${event.status}: ${event.reason}`);
  }
  return said;
}

async function recoverRun(cli: Cli, runDir: string): Promise<string> {
  if (!fs.existsSync(path.join(runDir, journalFileName))) return 'no journal';
  const recovered = await cli(['recover', runDir]).done;
  const reverted = (recovered.stdout.match(/^.*: reverted /gm) ?? []).length;
  if (recovered.code !== 0)
    return `FAILED (exit ${recovered.code}): ${recovered.stdout.trim()} ${recovered.stderr.trim()}`;
  if (reverted > 0) return `reverted ${reverted}`;
  return recovered.stdout.includes('nothing to recover') ? 'nothing' : 'ok';
}

async function labUp(cli: Cli, labDir: string): Promise<{ controlUrl: string }> {
  const up = await cli(['lab', 'up', '--dir', labDir, '--json']).done;
  if (up.code !== 0) throw new Error(`gameday lab up failed: ${up.stderr}`);
  return JSON.parse(up.stdout) as { controlUrl: string };
}

/** The drill: FIS region blackhole and latency faults, a runbook that fails over and back; the exceptions' knobs. */
function writeDrill(dir: string, labDir: string): string {
  const file = path.join(dir, 'chaos-drill.ts');
  fs.writeFileSync(
    file,
    `import fs from 'node:fs';
import { defineExperiment, faults, probes } from 'gameday';

// The harness creates the file at the moment it chose; the probe throws from its next tick on.
const throwFile = process.env.CHAOS_PROBE_THROW_FILE;

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
        if (throwFile && fs.existsSync(throwFile)) throw new Error('chaos: an exception inside a probe');
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
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
