import { describeFailures, formatRatio } from '../analysis/format';
import { judge } from '../analysis/judge';
import { RunSummarizer } from '../analysis/summarize';
import type { RunSummary } from '../analysis/summary';
import { now } from '../core/clock';
import { errorMessage } from '../core/errors';
import { experimentRecordVersion, type RunStatus } from '../core/events';
import { Journal } from '../core/journal';
import { sha256OfFile } from '../core/digest';
import { gamedayVersion } from '../core/version';
import type { Experiment } from '../experiment/validate';
import { Resolvers } from '../probes';
import { Reporters, type Reporter, type ReportOutcome } from '../report/reporter';
import type { TargetSession } from '../targets';
import { assertConsent, type Consent } from './guardrails';
import { failbackExperiment, FailoverPhase, runbookRegions } from './phases/failover';
import { observe } from './phases/observe';
import { HaltWatcher, haltEvent, haltedRunReason } from './halt';
import { registerLiveRun } from './live-runs';
import { ranBy } from './ran-by';
import { NoteInbox } from './notes';
import {
  checkFailbackTopology,
  checkNotHalted,
  checkProbePrerequisites,
  checkReachable,
  checkStartingTopology,
  openSession,
} from './phases/preflight';
import { ProbeSet } from './phases/probes';
import { PrometheusPhase } from './phases/prometheus';
import { postCheck, steadyStateBefore } from './phases/steady-state';
import { RunControl, type Stop } from './run-control';

export { interruptStop, type InterruptReason } from './run-control';

export interface RunOptions {
  runId: string;
  runDir: string;
  /**
   * An opened target to run on: several experiments, one after another, on one target.
   * Without it the run opens the experiment's own target and closes it at the end.
   */
  session?: TargetSession;
  /** Aborting it interrupts the run (the CLI wires SIGINT/SIGTERM here); rollback still runs. */
  signal?: AbortSignal;
  /** Told every journal event as it is written, and the outcome at the end: report files, progress, notifiers. */
  reporters?: Reporter[];
  /** Run only the failover runbook (`gameday failover`). */
  failoverOnly?: boolean;
  /** With failoverOnly: run it reversed, to undo a failover done for real (`gameday failover --failback`). */
  failback?: boolean;
  /** Overrides the runbook's trafficShift (e.g. invert a healthy region's check in a planned DR move). */
  trafficShift?: 'dns' | 'invert-health-check';
  /** Manual failover: asks the operator; resolves true to go ahead. Without it, manual failovers are declined. */
  approve?: (question: string) => Promise<boolean>;
  /**
   * For an aws target: --yes, or CI=true with target.allowCI. Without it such a run throws ConsentRequiredError before
   * anything.
   */
  consent?: Consent;
}

export interface RunResult {
  status: RunStatus;
  summary: RunSummary;
  runDir: string;
  /** What the reporters wrote, and those that could not; they never change the status. */
  reports: ReportOutcome;
}

/**
 * Runs one experiment through its lifecycle:
 * preflight -> steady state -> observe (traffic + faults on schedule + stop conditions)
 * -> roll back every fault in reverse order -> post-check -> verdict.
 * Never throws for anything the target or the experiment does; the result's status says
 * what happened and the journal says why. Everything it learns goes to the journal,
 * from which the summary is folded as the run goes and the reporters are told.
 */
export async function runExperiment(given: Experiment, options: RunOptions): Promise<RunResult> {
  // The journal records the runbook that runs: a failback's, from where the failover went.
  const experiment = options.failback ? failbackExperiment(given) : given;
  assertConsent(experiment, options.consent ?? { yes: false }, options.failoverOnly ? 'failover' : 'run');
  const journal = Journal.create(options.runDir);
  const summarizer = new RunSummarizer();
  const reporters = new Reporters(options.reporters ?? []);
  journal.onEvent((event) => summarizer.add(event));
  journal.onEvent((event) => reporters.onEvent(event));
  const control = new RunControl(journal, options.signal);
  const by = ranBy();
  journal.append({
    type: 'run.started',
    runId: options.runId,
    runDir: options.runDir,
    experiment: experiment.name,
    file: experiment.file,
    description: experiment.description,
    target: { ...experiment.target },
    gamedayVersion,
    pid: process.pid,
    host: by.host,
    user: by.user,
    ci: by.ci,
    fileSha256: sha256OfFile(experiment.file),
    spec: { ...experiment, recordVersion: experimentRecordVersion },
  });
  const live = watchFromOutside(experiment.name, journal, control, options);

  let outcome: Stop | { status: RunStatus; reason: string };
  try {
    outcome = (await lifecycle(experiment, journal, control, options, live.halt)) ?? judge(summarizer.result());
  } catch (error) {
    // Reaching here means a bug in gameday, not a target failure; still roll back.
    journal.append({ type: 'error', message: errorMessage(error), where: 'engine' });
    await control.rollbackAll('error');
    outcome = { status: 'error', reason: `internal error: ${errorMessage(error)}` };
  }
  live.close();
  journal.append({ type: 'run.finished', status: outcome.status, reason: outcome.reason });
  journal.close();
  live.unregister();

  const summary = summarizer.result();
  const reports = await reporters.onEnd({
    status: outcome.status,
    reason: outcome.reason,
    summary,
    runDir: options.runDir,
  });
  return { status: outcome.status, summary, runDir: options.runDir, reports };
}

/**
 * What reaches a run from outside its process while it goes: the safety lever (the halt
 * file, watched from the start, so a halt pulled at any moment after this stops the run)
 * and notes dropped into its inbox; and the run's entry in the registry of live runs,
 * through which `gameday halt` and `gameday note latest` find it.
 */
function watchFromOutside(name: string, journal: Journal, control: RunControl, options: RunOptions) {
  let unregister: () => void = () => undefined;
  try {
    unregister = registerLiveRun({ runId: options.runId, runDir: options.runDir, experiment: name });
  } catch (error) {
    // The lever still stops this run (it reads the halt file); only `gameday halt` cannot list it.
    journal.append({ type: 'error', message: errorMessage(error), where: 'registering the run as live' });
  }
  const halt = new HaltWatcher();
  halt.start((reading) => {
    journal.append(haltEvent(reading));
    if (reading.halted) control.halt(haltedRunReason(reading));
  });
  const inbox = new NoteInbox(options.runDir);
  inbox.start(
    (note) => journal.append(note),
    (problem) => journal.append({ type: 'error', message: problem, where: 'note inbox' }),
  );
  return {
    halt,
    /** Before run.finished: the last notes are journaled, and nothing arrives after the end. */
    close() {
      halt.stop();
      inbox.close();
    },
    unregister,
  };
}

/** The run from start to rollback; null when it went to the end and its measurements decide. */
async function lifecycle(
  experiment: Experiment,
  journal: Journal,
  control: RunControl,
  options: RunOptions,
  halt: HaltWatcher,
): Promise<Stop | { status: RunStatus; reason: string } | null> {
  journal.append({ type: 'phase', phase: 'preflight' });
  // First, before the target is opened: while the lever is pulled, nothing is touched.
  const halted = checkNotHalted(halt.current, halt.file, journal);
  if (halted) return { status: 'halted', reason: halted };
  // A DR action (the runbook alone) goes ahead without the probes it cannot run.
  if (!options.failoverOnly) {
    const missing = await checkProbePrerequisites(experiment, journal);
    if (missing) return { status: 'error', reason: missing };
  }
  const opened =
    options.session ?? (await openSession(experiment, journal, { runId: options.runId, runDir: options.runDir }));
  if (typeof opened === 'string') return { status: 'error', reason: opened };
  const session = opened;
  journal.append({ type: 'target.opened', target: session.describe() });
  const resolvers = new Resolvers(session.dnsServer);
  const lookup = resolvers.shared?.lookup();
  const run = { experiment, session, journal, control, resolvers, runId: options.runId, runDir: options.runDir };

  let probes: ProbeSet | null = null;
  let failover: FailoverPhase | null = null;
  let prometheus: PrometheusPhase | null = null;
  try {
    if (control.stop) return control.stop;
    const regions = runbookRegions(experiment);
    if (!options.failoverOnly) {
      const unreachable = await checkReachable(experiment, session, journal, lookup);
      if (unreachable) return { status: 'error', reason: unreachable };
      const mismatch = await checkStartingTopology(experiment, session, journal, regions, control.signal);
      if (mismatch) return { status: 'error', reason: mismatch };
    }
    const opened = await PrometheusPhase.open(run);
    // A DR action goes ahead without a Prometheus that cannot be opened (its preflight check says why).
    if (typeof opened === 'string' && !options.failoverOnly) return { status: 'error', reason: opened };
    prometheus = typeof opened === 'string' ? null : opened;
    if (!options.failoverOnly) {
      if (control.stop) return control.stop;
      journal.append({ type: 'phase', phase: 'steady-state' });
    } else {
      // Run alone for real, the runbook is the operator's decision: only a failback has a topology to expect.
      if (options.failback && regions) {
        const refused = await checkFailbackTopology(session, journal, regions);
        if (refused) return { status: 'error', reason: refused };
      }
      journal.append({ type: 'phase', phase: 'observe' });
    }
    // A DR action goes ahead without a probe that cannot start (the old writer may be down); the journal says why.
    const started = await ProbeSet.start(
      { ...run, prometheus: prometheus?.client ?? null },
      { tolerateFailures: options.failoverOnly === true },
    );
    probes = started.probes;
    if (started.failure) return { status: 'error', reason: `${started.failure}; nothing was injected` };
    failover = new FailoverPhase(
      { ...run, probes, lookup },
      {
        trafficShift: options.trafficShift,
        approve: options.approve,
        standalone: options.failoverOnly === true,
        rejoin: options.failback,
      },
    );
    if (options.failoverOnly) {
      const result = await failoverOnly(failover, journal);
      // The runbook fails when the lever or Ctrl-C stops it; the run says why it stopped (halted, or aborted:
      // exit 3, as for any interrupted run). (Narrowed to null above, before the await: TypeScript cannot know
      // the run may have been stopped since.)
      const stop = control.stop as Stop | null;
      return stop ?? result;
    }

    const before = await steadyStateBefore(experiment, probes, journal, control);
    if (control.stop) return control.stop;
    if (!before.ok) {
      return {
        status: 'aborted',
        reason:
          `steady state not met before any fault: success ratio ${formatRatio(before.ratio)} < ` +
          `${formatRatio(experiment.steadyState.successRatio)} (${describeFailures(before.count, before.failures)}); ` +
          'nothing was injected',
      };
    }
    journal.append({ type: 'phase', phase: 'observe' });
    await observe({ ...run, probes, failover, prometheus: prometheus?.client ?? null });
  } finally {
    await probes?.endObservation({ readBack: !control.interrupted, signal: options.signal }, journal);
    journal.append({ type: 'phase', phase: 'rollback' });
    await failover?.finish();
    // The faults newest first, then the failback (registered when the writer moved): even after Ctrl-C,
    // the target goes back to the topology the run started from.
    const rollbackOk = await control.rollbackAll(control.stop ? 'abort' : 'end');
    if (!rollbackOk || control.rollbackFailed) control.failRollback();
    if (probes && !control.interrupted) {
      journal.append({ type: 'phase', phase: 'post-check' });
      await postCheck(experiment, probes, journal, control);
    }
    await probes?.stop();
    // Read once the post-check is over: the drill's window includes the rollback, as customers' time does.
    await prometheus?.finish();
    resolvers.close();
    if (!options.session) await closeSession(session, journal);
    journal.append({ type: 'phase', phase: 'done' });
  }
  return control.stop;
}

/**
 * `gameday failover`: the runbook alone, as a real DR action — operator-initiated (nothing
 * to detect), no faults, no steady-state gate (the old region may be down), no failback.
 */
async function failoverOnly(failover: FailoverPhase, journal: Journal): Promise<{ status: RunStatus; reason: string }> {
  journal.append({ type: 'observe.started', t0: now(), durationMs: 0 });
  failover.start({ skipDetection: true });
  if (!failover.started)
    return { status: 'error', reason: 'the experiment has no failover runbook, or its target cannot fail over' };
  const result = await failover.result();
  return result.ok ? { status: 'passed', reason: result.reason } : { status: 'failed', reason: result.reason };
}

async function closeSession(session: TargetSession, journal: Journal): Promise<void> {
  try {
    await session.close();
    journal.append({ type: 'target.closed' });
  } catch (error) {
    journal.append({ type: 'error', message: errorMessage(error), where: 'closing the target' });
  }
}
