import { errorMessage } from '../core/errors';
import os from 'node:os';
import type { Experiment } from '../experiment/validate';
import { faultImplementationOf, heldForMs, type ResolvedFault } from '../faults';
import type { FaultContext, PreparedFault } from '../faults/types';
import { failBack, runFailover, type RunbookContext, type RunbookResult } from '../failover/runbook';
import { revertRecord } from '../faults/revert';
import { HttpTraffic } from '../probes/http';
import { exchange } from '../probes/exchange';
import { failoverRegions, type HttpProbe } from '../experiment/schema';
import { TrafficRecorder } from '../probes/recorder';
import { probeUrl } from '../probes/url';
import { CachingResolver } from '../probes/resolver';
import { LedgerSession } from '../probes/ledger';
import { ledgerUrls } from '../probes/ledger-http';
import { startCheckProbes } from '../probes/checks';
import type { PeriodicCheck } from '../probes/periodic';
import type { LookupFunction } from 'node:net';
import { openTarget, type TargetSession } from '../targets';
import { AwsTargetBusyError, describeHolder, LockHeldError } from '../targets/lock';
import { assertConsent, type Consent } from './guardrails';
import { writeReports, type ReportOptions, type ReportOutcome } from '../report/write';
import { buildSummary, formatRatio, type RunSummary } from '../report/summary';
import { now, sleep } from '../core/clock';
import type { JournalEvent, RunStatus } from '../core/events';
import { Journal } from '../core/journal';
import { RollbackStack } from '../core/rollback';
import { trackedLatencyThresholds, watchStopConditions } from './stop-conditions';
import { describeSloMeasure } from '../report/objectives';
import { gamedayVersion } from '../core/version';

export interface RunOptions {
  runId: string;
  runDir: string;
  /** Aborting it interrupts the run (the CLI wires SIGINT/SIGTERM here); rollback still runs. */
  signal?: AbortSignal;
  /** Every journal event, as it is written (progress displays, notifiers). */
  onEvent?: (event: JournalEvent) => void;
  /** Run only the failover runbook (`gameday failover`). */
  failoverOnly?: boolean;
  /** Overrides the runbook's trafficShift (e.g. invert a healthy region's check in a planned DR move). */
  trafficShift?: 'dns' | 'invert-health-check';
  /** Manual failover: asks the operator; resolves true to go ahead. Without it, manual failovers are declined. */
  approve?: (question: string) => Promise<boolean>;
  /** For an aws target: --yes, or CI=true with target.allowCI. Without it such a run throws ConsentRequiredError before anything. */
  consent?: Consent;
  /** What the reports at the end of the run include (the PDF, the GitHub job summary). */
  reports?: ReportOptions;
}

export interface RunResult {
  status: RunStatus;
  summary: RunSummary;
  runDir: string;
  /** Reports written and those that could not be; they never change the status. */
  reports: ReportOutcome;
}

/** Why a run stopped early; the first one to happen wins. */
interface Stop {
  status: 'aborted' | 'error';
  reason: string;
}

/** A run was interrupted by the user; the abort reason carried on the AbortSignal. */
export interface InterruptReason {
  signal: string;
}

/**
 * Runs one experiment through its lifecycle:
 * preflight -> steady state -> observe (traffic + faults on schedule + stop conditions)
 * -> roll back every fault in reverse order -> post-check -> verdict -> summary/report.
 * Never throws for anything the target or the experiment does; the result's status says
 * what happened and the journal says why.
 */
export async function runExperiment(experiment: Experiment, options: RunOptions): Promise<RunResult> {
  assertConsent(experiment, options.consent ?? { yes: false, ci: process.env.CI }, options.failoverOnly ? 'failover' : 'run');
  const journal = Journal.create(options.runDir);
  const events: JournalEvent[] = [];
  journal.onEvent((event) => events.push(event));
  if (options.onEvent) journal.onEvent(options.onEvent);

  const run = new ExperimentRun(experiment, journal, options);
  let status: RunStatus;
  let reason: string;
  try {
    ({ status, reason } = await run.execute(() => buildSummary(events)));
  } catch (error) {
    // Reaching here means a bug in gameday, not a target failure; still roll back.
    journal.append({ type: 'error', message: errorMessage(error), where: 'engine' });
    await run.rollbackAll('error');
    status = 'error';
    reason = `internal error: ${errorMessage(error)}`;
  }
  journal.append({ type: 'run.finished', status, reason });
  journal.close();

  const summary = buildSummary(events);
  const reports = await writeReports(options.runDir, summary, options.reports);
  return { status, summary, runDir: options.runDir, reports };
}

class ExperimentRun {
  private readonly rollbacks = new RollbackStack();
  private readonly stopController = new AbortController();
  private stop: Stop | null = null;
  private interrupted = false;
  private traffic: HttpTraffic | null = null;
  private ledger: LedgerSession | null = null;
  private checks: PeriodicCheck[] = [];
  private recorder: TrafficRecorder | null = null;
  private lastRevertAt = 0;
  private failover: { run: Promise<RunbookResult>; context: RunbookContext; abort: AbortController } | null = null;
  private target: TargetSession | null = null;
  private resolver: CachingResolver | null = null;
  private rollbackFailed = false;

  constructor(
    private readonly experiment: Experiment,
    private readonly journal: Journal,
    private readonly options: RunOptions,
  ) {
    const external = options.signal;
    if (external) {
      const onAbort = () => {
        const signalName = (external.reason as InterruptReason | undefined)?.signal ?? 'interrupt';
        this.interrupted = true;
        this.requestStop({ status: 'aborted', reason: `interrupted by ${signalName}` });
      };
      if (external.aborted) onAbort();
      else external.addEventListener('abort', onAbort, { once: true });
    }
  }

  private get stopSignal(): AbortSignal {
    return this.stopController.signal;
  }

  private requestStop(stop: Stop): void {
    if (this.stop) return;
    this.stop = stop;
    this.stopController.abort();
  }

  async execute(summarize: () => RunSummary): Promise<{ status: RunStatus; reason: string }> {
    const { experiment, journal } = this;
    journal.append({
      type: 'run.started',
      runId: this.options.runId,
      runDir: this.options.runDir,
      experiment: experiment.name,
      file: experiment.file,
      description: experiment.description,
      target: describeTarget(experiment),
      gamedayVersion,
      pid: process.pid,
      host: os.hostname(),
      spec: experiment,
    });

    try {
      journal.append({ type: 'phase', phase: 'preflight' });
      const opened = await this.openTarget();
      if (opened) return { status: 'error', reason: opened };
      if (this.stop) return this.stop;
      if (this.options.failoverOnly) return await this.failoverOnly();
      const unreachable = await this.preflight();
      if (unreachable) return { status: 'error', reason: unreachable };
      if (this.stop) return this.stop;

      journal.append({ type: 'phase', phase: 'steady-state' });
      this.startTraffic();
      const ledgerFailure = await this.startLedger();
      if (ledgerFailure) return { status: 'error', reason: `${ledgerFailure}; nothing was injected` };
      this.startChecks();
      const before = await this.steadyStateBefore();
      if (this.stop) return this.stop;
      if (!before.ok) {
        return {
          status: 'aborted',
          reason: `steady state not met before any fault: success ratio ${formatRatio(before.ratio)} < ${formatRatio(experiment.steadyState.successRatio)}; nothing was injected`,
        };
      }

      journal.append({ type: 'phase', phase: 'observe' });
      await this.observe();
    } finally {
      // Before any rollback: a rollback may rewind the writer (failback, lab reset), which is not what RPO measures.
      await this.finishLedger();
      journal.append({ type: 'phase', phase: 'rollback' });
      await this.finishFailover();
      const rollbackOk = await this.rollbackAll(this.stop ? 'abort' : 'end');
      if (rollbackOk) await this.failBackIfDone();
      if (!rollbackOk || this.rollbackFailed) {
        // Worse than any earlier reason to stop: the world may be left broken.
        this.stop = { status: 'error', reason: 'a rollback failed; the fault may still be active (see the journal, then run `gameday recover`)' };
        this.stopController.abort();
      }
      if (this.traffic && !this.interrupted) {
        journal.append({ type: 'phase', phase: 'post-check' });
        await this.postCheck();
      }
      await this.stopTraffic();
      await this.stopChecks();
      await this.closeTarget();
      journal.append({ type: 'phase', phase: 'done' });
    }

    if (this.stop) return this.stop;
    const judged = verdict(summarize());
    if (this.failoverFailure && judged.status === 'passed') return { status: 'failed', reason: this.failoverFailure };
    if (this.failoverFailure) return { status: judged.status, reason: `${judged.reason}; ${this.failoverFailure}` };
    return judged;
  }

  /** Opens the target (for the lab: finds the running one or starts an ephemeral lab). */
  private async openTarget(): Promise<string | null> {
    try {
      this.target = await openTarget(
        this.experiment.target,
        { runId: this.options.runId, runDir: this.options.runDir, experiment: this.experiment.name },
        (message) => this.journal.append({ type: 'preflight.check', check: 'target', ok: true, detail: message }),
      );
    } catch (error) {
      if (error instanceof LockHeldError || error instanceof AwsTargetBusyError) {
        this.journal.append({ type: 'preflight.check', check: 'lock', ok: false, detail: error.message });
        return `target busy: ${error.message}`;
      }
      this.journal.append({ type: 'preflight.check', check: 'target', ok: false, detail: errorMessage(error) });
      return `target ${this.experiment.target.kind} could not be opened: ${errorMessage(error)}; nothing was injected`;
    }
    const tookOver = this.target.lock?.tookOver;
    if (tookOver) {
      this.journal.append({ type: 'preflight.check', check: 'lock', ok: true, detail: `took over the stale lock ${this.target.lock!.file} of ${describeHolder(tookOver)}: that process is gone (run \`gameday recover ${tookOver.runDir}\` if it left faults behind)` });
    }
    this.journal.append({ type: 'target.opened', target: this.target.describe() });
    if (this.target.dnsServer) this.resolver = new CachingResolver(this.target.dnsServer);
    return null;
  }

  private async closeTarget(): Promise<void> {
    if (!this.target) return;
    try {
      await this.target.close();
      this.journal.append({ type: 'target.closed' });
    } catch (error) {
      this.journal.append({ type: 'error', message: errorMessage(error), where: 'closing the target' });
    }
    this.resolver?.close();
    for (const resolver of this.stickyResolvers.splice(0)) resolver.close();
    this.target = null;
  }

  private get lookup(): LookupFunction | undefined {
    return this.resolver?.lookup();
  }

  /** A probe with a sticky DNS cache gets a resolver of its own, as each such runtime has its own cache. */
  private lookupFor(probe: HttpProbe): LookupFunction | undefined {
    if (probe.dns.cache !== 'sticky') return this.lookup;
    const resolver = new CachingResolver(this.target!.dnsServer, { stickyMs: probe.dns.stickyFor });
    this.stickyResolvers.push(resolver);
    return resolver.lookup();
  }

  private readonly stickyResolvers: CachingResolver[] = [];

  /** Every endpoint answers HTTP at all (any status). Faults are pointless against a target that is already down. */
  private async preflight(): Promise<string | null> {
    const urls = new Map<string, string>();
    for (const [name, url] of Object.entries(this.target!.endpoints)) urls.set(name, url);
    urls.set(this.experiment.traffic.name, probeUrl(this.experiment.traffic, this.target!.endpoints));
    // A SQL ledger is reached when it starts: it creates its table before the first write.
    for (const probe of this.experiment.probes) if (probe.kind === 'ledger' && probe.sql === undefined) urls.set(probe.name, ledgerUrls(probe, this.target!.endpoints).write);
    const failures: string[] = [];
    for (const [name, url] of urls) {
      const result = await reach(url, 5_000, this.lookup);
      this.journal.append({ type: 'preflight.check', check: `reach ${name}`, ok: result.ok, detail: `${url}: ${result.detail}` });
      if (!result.ok) failures.push(`${name} (${url}): ${result.detail}`);
    }
    return failures.length > 0 ? `target unreachable: ${failures.join('; ')}; nothing was injected` : null;
  }

  /** The traffic probe (RTO is measured from it) and any further http probes, measured alongside. */
  private startTraffic(): void {
    const start = (probe: HttpProbe) => {
      const url = probeUrl(probe, this.target!.endpoints);
      const traffic = new HttpTraffic(probe, url, { lookup: this.lookupFor(probe) });
      const { stopConditions, slos } = this.experiment;
      const thresholds = trackedLatencyThresholds(stopConditions, slos, probe.name, this.experiment.traffic.name);
      const recorder = new TrafficRecorder(this.journal, probe.name, thresholds);
      traffic.onOutcome((outcome) => recorder.add(outcome));
      this.journal.append({ type: 'probe.started', probe: probe.name, kind: probe.kind, url, rate: probe.rate });
      traffic.start();
      return { traffic, recorder };
    };
    ({ traffic: this.traffic, recorder: this.recorder } = start(this.experiment.traffic));
    for (const probe of this.experiment.probes) if (probe.kind === 'http') this.extraProbes.push(start(probe));
  }

  private async stopTraffic(): Promise<void> {
    if (!this.traffic || !this.recorder) return;
    const all = [{ traffic: this.traffic, recorder: this.recorder }, ...this.extraProbes.splice(0)];
    await Promise.all(all.map(({ traffic }) => traffic.stop()));
    for (const { traffic, recorder } of all) {
      recorder.close();
      this.journal.append({ type: 'probe.stopped', probe: traffic.name, requests: recorder.requests, errors: recorder.errors });
    }
    this.traffic = null;
  }

  private readonly extraProbes: Array<{ traffic: HttpTraffic; recorder: TrafficRecorder }> = [];

  /** An http probe's recorder by name (validation guarantees it exists); undefined is the traffic. */
  private recorderOf(probe: string | undefined): TrafficRecorder {
    if (probe === undefined || probe === this.experiment.traffic.name) return this.recorder!;
    return this.extraProbes.find(({ traffic }) => traffic.name === probe)!.recorder;
  }

  /** The write ledger (at most one), started with the traffic; why it could not start, or null. */
  private async startLedger(): Promise<string | null> {
    const probe = this.experiment.probes.find((candidate) => candidate.kind === 'ledger');
    if (!probe) return null;
    const target = { session: this.target!, lookup: this.lookup, resolver: this.resolver };
    try {
      this.ledger = await LedgerSession.start(probe, target, this.journal, { runId: this.options.runId });
      return null;
    } catch (error) {
      this.journal.append({ type: 'error', message: errorMessage(error), where: 'write ledger' });
      return `write ledger ${probe.name} could not start: ${errorMessage(error)}`;
    }
  }

  /** Stops the ledger's writes and reads back what the writer holds; an interrupted run skips the read back. */
  private async finishLedger(): Promise<void> {
    const ledger = this.ledger;
    this.ledger = null;
    try {
      await ledger?.finish({ readBack: !this.interrupted, signal: this.options.signal });
    } catch (error) {
      this.journal.append({ type: 'error', message: errorMessage(error), where: 'write ledger' });
    }
  }

  /** dns, sql and function probes: checks at an interval, alongside the traffic. */
  private startChecks(): void {
    this.checks = startCheckProbes(this.experiment.probes, this.target!, this.journal);
  }

  private async stopChecks(): Promise<void> {
    await Promise.all(this.checks.splice(0).map((check) => check.stop()));
  }

  private async steadyStateBefore(): Promise<{ ok: boolean; ratio: number | null }> {
    const { duration, successRatio } = this.experiment.steadyState;
    const from = now();
    await sleep(duration, this.stopSignal);
    const to = now();
    // Let the requests sent in the window finish (each is bounded by the probe timeout).
    await this.settle(from, to);
    const { ratio, count } = this.recorder!.ratioBetween(from, to);
    const ok = ratio !== null && ratio >= successRatio;
    this.journal.append({ type: 'steady-state', when: 'before', ok, successRatio: ratio, required: successRatio, samples: count });
    return { ok, ratio };
  }

  /** Waits until the requests due in [from, until) have completed, at most the probe timeout. */
  private async settle(from: number, until: number): Promise<void> {
    const deadline = now() + this.experiment.traffic.timeout + 100;
    const expected = this.traffic!.dueBefore(until) - this.traffic!.dueBefore(from);
    while (now() < deadline && !this.stop) {
      const { count } = this.recorder!.countsBetween(from, until);
      if (count >= expected) return;
      await sleep(20, this.stopSignal);
    }
  }

  private async observe(): Promise<void> {
    const t0 = now();
    this.journal.append({ type: 'observe.started', t0, durationMs: this.experiment.duration });
    const stopWatching = watchStopConditions(this.experiment.stopConditions, {
      recorderFor: (probe) => this.recorderOf(probe),
      slos: this.experiment.slos,
      t0,
      signal: this.stopSignal,
      onBreach: (condition, detail) => {
        this.journal.append({ type: 'stop-condition.breached', condition, detail });
        this.requestStop({ status: 'aborted', reason: `stop condition ${condition}: ${detail}` });
      },
    });
    try {
      const faultRuns = this.experiment.faults.map((fault) => this.runFault(fault, t0));
      await sleep(t0 + this.experiment.duration - now(), this.stopSignal);
      await Promise.all(faultRuns);
      await this.finishFailover();
    } finally {
      stopWatching();
    }
  }

  /**
   * `gameday failover`: the runbook alone, as a real DR action — operator-initiated (nothing
   * to detect), no faults, no steady-state gate (the old region may be down), no failback.
   */
  private async failoverOnly(): Promise<{ status: RunStatus; reason: string }> {
    this.journal.append({ type: 'phase', phase: 'observe' });
    this.startTraffic();
    // A DR action goes ahead without its ledger (the old writer may be down); the journal says why.
    await this.startLedger();
    this.startChecks();
    this.journal.append({ type: 'observe.started', t0: now(), durationMs: 0 });
    this.startFailover({ skipDetection: true });
    if (!this.failover) return { status: 'error', reason: 'the experiment has no failover runbook, or its target cannot fail over' };
    const result = await this.failover.run;
    return result.ok ? { status: 'passed', reason: result.reason } : { status: 'failed', reason: result.reason };
  }

  /** The failover runbook starts with the first fault: in automatic mode it now watches for detection. */
  private startFailover(options: { skipDetection?: boolean } = {}): void {
    const spec = this.experiment.failover;
    if (!spec || this.failover || !this.target?.aws || this.experiment.target.kind === 'endpoints') return;
    const { from, to } = failoverRegions(spec, this.experiment.target);
    const abort = new AbortController();
    this.stopSignal.addEventListener('abort', () => abort.abort(), { once: true });
    const context: RunbookContext = {
      spec: this.options.trafficShift ? { ...spec, trafficShift: this.options.trafficShift } : spec,
      from,
      // Validation guarantees a second region.
      to: to!,
      target: this.target,
      journal: this.journal,
      recorder: this.recorder,
      signal: abort.signal,
      approve: this.options.approve ?? (async () => false),
      skipDetection: options.skipDetection,
      progress: { detected: false },
      verifyProbe: {
        url: probeUrl(this.experiment.traffic, this.target.endpoints),
        method: this.experiment.traffic.method,
        headers: this.experiment.traffic.headers,
        body: this.experiment.traffic.body,
        lookup: this.lookup,
      },
      registerChange: (name, rollback) => {
        this.journal.append({ type: 'fault.injecting', fault: name, kind: 'failover', rollback, detail: {} });
        // A standalone failover is a real DR action: what it changes stays changed (the journal says how to undo it).
        if (this.options.failoverOnly) return;
        this.rollbacks.push({ id: name, description: name, timeoutMs: rollback.timeoutMs + 1_000, undo: async () => {
          await revertRecord(rollback);
          this.journal.append({ type: 'fault.reverted', fault: name, at: now() });
        } });
      },
    };
    this.failover = { run: runFailover(context), context, abort };
  }

  /** Waits for the runbook; a failed runbook fails the run (the journal says which step). */
  private async finishFailover(): Promise<void> {
    if (!this.failover) return;
    // At the end of the observation a runbook that detected nothing is stopped at once; one
    // under way gets its verify window to finish.
    const grace = this.failover.context.progress?.detected ? this.failover.context.spec.verify.timeout : 0;
    const timer = setTimeout(() => this.failover?.abort.abort(), grace);
    const result = await this.failover.run;
    clearTimeout(timer);
    if (!result.ok && !this.stop) this.failoverFailure = result.reason;
  }

  private failoverFailure: string | null = null;

  /** After the faults are undone: back to the original topology, unless the experiment says to stay. */
  private async failBackIfDone(): Promise<void> {
    const failover = this.failover;
    // After an interrupt the operator wants out, not another topology change.
    if (!failover || !failover.context.spec.failback || this.interrupted || this.options.failoverOnly) return;
    const result = await failover.run;
    if (!result.ok) return;
    try {
      await failBack({ ...failover.context, signal: new AbortController().signal });
    } catch (error) {
      this.journal.append({ type: 'error', message: errorMessage(error), where: 'failback' });
      this.failoverFailure ??= errorMessage(error);
    }
  }

  private faultContext(): FaultContext {
    const experiment = this.experiment;
    return {
      target: this.target!,
      runId: this.options.runId,
      aws: this.target!.aws?.model ?? null,
      heldForMs: (fault) => heldForMs(fault, experiment.duration),
    };
  }

  /** One fault's life on the schedule: wait, inject, hold, revert. */
  private async runFault(fault: ResolvedFault, t0: number): Promise<void> {
    await sleep(t0 + fault.after - now(), this.stopSignal);
    if (this.stop) return;
    const kind = faultImplementationOf(fault, this.target!.api);
    const context = this.faultContext();
    const plan = kind.plan(fault, context);
    let prepared: PreparedFault;
    try {
      prepared = await kind.prepare(fault, context);
    } catch (error) {
      // Preparing only reads; nothing changed, so there is nothing to undo.
      this.journal.append({ type: 'fault.inject-failed', fault: fault.name, kind: fault.kind, error: errorMessage(error) });
      this.requestStop({ status: 'error', reason: `fault ${fault.name} could not be prepared: ${errorMessage(error)}` });
      return;
    }
    const record = prepared.rollback;
    // Written and registered before the first byte of the fault happens.
    this.journal.append({ type: 'fault.injecting', fault: fault.name, kind: fault.kind, rollback: record, detail: { inject: plan.inject } });
    this.rollbacks.push({
      id: fault.name,
      description: plan.rollback,
      timeoutMs: record.timeoutMs + 1_000,
      undo: async () => {
        const detail = await revertRecord(record);
        this.lastRevertAt = now();
        this.journal.append({ type: 'fault.reverted', fault: fault.name, at: this.lastRevertAt, detail: detail ?? undefined });
      },
    });
    try {
      const detail = await prepared.inject();
      // When the API says when the fault took effect (FIS action startTime), that is t_fault.
      const activeAt = detail && typeof detail.activeAt === 'number' ? toMonotonic(detail.activeAt) : now();
      this.journal.append({ type: 'fault.injected', fault: fault.name, kind: fault.kind, at: activeAt, detail: detail ?? undefined });
      this.startFailover();
    } catch (error) {
      this.journal.append({ type: 'fault.inject-failed', fault: fault.name, kind: fault.kind, error: errorMessage(error) });
      this.requestStop({ status: 'error', reason: `fault ${fault.name} could not be injected: ${errorMessage(error)}` });
      return;
    }
    if (fault.duration === undefined) return; // held until the end of the observation
    await sleep(fault.duration, this.stopSignal);
    if (this.stop) return; // the rollback phase undoes it with everything else
    await this.revert(fault.name, 'scheduled');
  }

  private async revert(faultName: string, reason: 'scheduled' | 'end' | 'abort' | 'error'): Promise<boolean> {
    if (!this.rollbacks.has(faultName)) return true;
    this.journal.append({ type: 'fault.reverting', fault: faultName, reason });
    const outcome = await this.rollbacks.runOne(faultName);
    if (outcome && !outcome.ok) {
      this.journal.append({ type: 'fault.revert-failed', fault: faultName, error: outcome.error ?? 'unknown' });
      this.rollbackFailed = true;
      return false;
    }
    return true;
  }

  /** Undoes everything still injected, newest first. False when any undo failed. */
  async rollbackAll(reason: 'end' | 'abort' | 'error'): Promise<boolean> {
    const outcomes = await this.rollbacks.runAll((entry) => this.journal.append({ type: 'fault.reverting', fault: entry.id, reason }));
    for (const outcome of outcomes) {
      if (!outcome.ok) this.journal.append({ type: 'fault.revert-failed', fault: outcome.id, error: outcome.error ?? 'unknown' });
    }
    return outcomes.every((outcome) => outcome.ok);
  }

  /**
   * After rollback the target must return to steady state: the success ratio over the
   * last steady-state window meets the bar, and clients have been observed for at least
   * one recovery window since the last revert (so RTO's window is judged on real data).
   */
  private async postCheck(): Promise<void> {
    const { duration, successRatio, recoveryTimeout } = this.experiment.steadyState;
    const recoveryWindow = this.experiment.hypothesis.recovery.window;
    const started = now();
    const minimumUntil = Math.max(this.lastRevertAt + recoveryWindow, started + duration);
    let last = { ratio: null as number | null, count: 0 };
    for (;;) {
      const current = now();
      last = this.recorder!.ratioBetween(current - duration, current);
      const holds = last.ratio !== null && last.ratio >= successRatio;
      if ((holds && current >= minimumUntil) || current - started >= recoveryTimeout + recoveryWindow || this.interrupted) break;
      await sleep(100);
    }
    const ok = last.ratio !== null && last.ratio >= successRatio;
    this.journal.append({ type: 'steady-state', when: 'after', ok, successRatio: last.ratio, required: successRatio, samples: last.count });
  }
}

/** Passed only when every objective with a measurement is met and the target came back. */
function verdict(summary: RunSummary): { status: RunStatus; reason: string } {
  const misses: string[] = [];
  const { rto, rpo } = summary;
  if (rto.met === false) {
    misses.push(rto.recovered === false ? `clients never recovered (RTO ≥ ${rto.atLeastMs} ms, objective ${rto.objectiveMs} ms)` : `RTO ${rto.ms} ms > objective ${rto.objectiveMs} ms`);
  }
  if (rpo && rpo.objectiveMs !== null && rpo.met !== true) misses.push(rpoMiss(rpo));
  for (const slo of summary.slos) {
    for (const threshold of slo.thresholds) {
      if (threshold.met !== true) misses.push(`SLO ${slo.name}: ${threshold.text} not met (${describeSloMeasure(threshold.metric, threshold.measured)})`);
    }
  }
  const after = summary.steadyState.after;
  if (after && !after.ok) misses.push(`steady state did not return after rollback (success ratio ${formatRatio(after.successRatio)} < ${formatRatio(after.required)})`);
  if (misses.length > 0) return { status: 'failed', reason: misses.join('; ') };
  const met: string[] = [];
  if (rto.met) met.push(`RTO ${rto.ms} ms ≤ ${rto.objectiveMs} ms`);
  if (rpo?.met) met.push(`RPO ${rpo.ms} ms ≤ ${rpo.objectiveMs} ms (${rpo.lostWrites} of ${rpo.ackedWrites} acknowledged writes lost)`);
  for (const slo of summary.slos) {
    for (const threshold of slo.thresholds) met.push(`SLO ${slo.name}: ${threshold.text} (${describeSloMeasure(threshold.metric, threshold.measured)})`);
  }
  if (after?.ok) met.push('steady state restored');
  return { status: 'passed', reason: met.length > 0 ? met.join('; ') : 'no objective missed' };
}

function rpoMiss(rpo: NonNullable<RunSummary['rpo']>): string {
  if (rpo.ms === null) return `RPO not measured (objective ${rpo.objectiveMs} ms): ${rpo.note}`;
  const lost = `${rpo.lostWrites} of ${rpo.ackedWrites} acknowledged writes lost`;
  if (rpo.ms > rpo.objectiveMs!) return `RPO ${rpo.ms} ms > objective ${rpo.objectiveMs} ms (${lost})`;
  return `split brain: ${rpo.staleWriterAcks} writes acknowledged by a superseded writer, ${rpo.duplicateWrites} present twice (RPO ${rpo.ms} ms, ${lost})`;
}

function describeTarget(experiment: Experiment): { kind: string; [key: string]: unknown } {
  return { ...experiment.target };
}

/** One request to see whether anything answers HTTP there (any status will do). */
function reach(url: string, timeoutMs: number, lookup?: LookupFunction): Promise<{ ok: boolean; detail: string }> {
  return exchange(url, { method: 'GET', agent: false, timeoutMs, lookup }).then(
    (answer) => ({ ok: true, detail: `HTTP ${answer.status}` }),
    (error: NodeJS.ErrnoException) => ({ ok: false, detail: error.code ?? error.message }),
  );
}

/**
 * A wall-clock time from an API (FIS startTime) on our monotonic clock. The offset
 * between the two clocks is measured now; an API timestamp from the future (clock skew
 * with a remote service) is clamped to now.
 */
function toMonotonic(wallMs: number): number {
  const offset = now() - Date.now();
  return Math.min(now(), wallMs + offset);
}

