import path from 'node:path';
import { judgeDay } from '../analysis/judge-scenario';
import type { ScenarioSummary } from '../analysis/scenario-summary';
import { stepRunRecord } from '../analysis/step-record';
import { ScenarioSummarizer } from '../analysis/summarize-scenario';
import { sleep } from '../core/clock';
import { formatDuration } from '../core/duration';
import { errorMessage } from '../core/errors';
import { scenarioRecordVersion, type AgendaRecord, type RunStatus } from '../core/events';
import { Journal } from '../core/journal';
import { sha256OfFile } from '../core/digest';
import { gamedayVersion } from '../core/version';
import { assertConsent, type Consent } from '../engine/guardrails';
import { interruptStop, runExperiment, type RunOptions } from '../engine/run';
import type { Experiment } from '../experiment/validate';
import { checkReadiness, readinessVerdict, type ReadinessCheck } from '../engine/readiness';
import { newRunId } from '../engine/run-id';
import { ranBy } from '../engine/ran-by';
import { Reporters, type ReportOutcome, type Reporter } from '../report/reporter';
import { openTarget, type TargetSession } from '../targets';
import { AwsTargetBusyError, LockHeldError } from '../targets/lock';
import { awaitDecision, type CheckpointAnswerers } from './checkpoint';
import { checkDetail, planScenario, type ScenarioPlan } from './plan';
import type { Scenario, ScenarioStep } from './validate';

/** How a GameDay ended, as its reporters are told at the end. */
export interface ScenarioOutcome {
  status: RunStatus | 'running';
  reason: string;
  summary: ScenarioSummary;
  runDir: string;
}

export interface ScenarioRunOptions {
  runId: string;
  runDir: string;
  /** Aborting it interrupts the day: the running experiment rolls back, the rest is skipped. */
  signal?: AbortSignal;
  /** Told every event of the day's journal, and the outcome at the end: the day's report files, progress. */
  reporters?: Reporter<ScenarioOutcome>[];
  /** The reporters of one experiment step's run (its own report files, live progress), given where it runs. */
  stepReporters?: (step: {
    step: number;
    total: number;
    name: string;
    runDir: string;
    experiment: Experiment;
  }) => Reporter[];
  /** How checkpoints may be answered besides `gameday approve` (always open): --yes, the terminal. */
  answerers?: CheckpointAnswerers;
  /** A manual failover runbook's go-ahead, as for `gameday run` of an experiment. */
  approve?: RunOptions['approve'];
  /** For an aws target: --yes, or CI=true with target.allowCI; refused before anything starts without it. */
  consent?: Consent;
}

export interface ScenarioResult {
  status: RunStatus;
  summary: ScenarioSummary;
  runDir: string;
  reports: ReportOutcome;
}

/** Why the day stopped before its last step. */
interface DayEnd {
  status: RunStatus;
  reason: string;
  /** The step it ended at (0: before the first). */
  step: number;
}

/**
 * Runs a GameDay: opens the day's one target (an ephemeral lab lives for the whole day),
 * runs the steps in order — each experiment through the engine on that session, into its
 * own run directory inside the day's — and asks at each checkpoint. A step experiment that
 * does not pass (unless it may continue), a "no", or an interrupt ends the day: the
 * experiment running rolls its faults back as any run does, the steps left are journaled
 * as skipped. A day that runs to its end is judged on its objectives. Never throws for
 * what the target or a step does (only for missing consent, before anything starts).
 */
export async function runScenario(scenario: Scenario, options: ScenarioRunOptions): Promise<ScenarioResult> {
  for (const step of scenario.steps)
    if (step.kind === 'experiment') assertConsent(step.experiment, options.consent ?? { yes: false }, 'run');
  const journal = Journal.create(options.runDir);
  const summarizer = new ScenarioSummarizer();
  const reporters = new Reporters<ScenarioOutcome>(options.reporters ?? []);
  journal.onEvent((event) => summarizer.add(event));
  journal.onEvent((event) => reporters.onEvent(event));

  const by = ranBy();
  journal.append({
    type: 'scenario.started',
    runId: options.runId,
    runDir: options.runDir,
    scenario: scenario.name,
    file: scenario.file,
    description: scenario.description,
    target: { ...scenario.target },
    gamedayVersion,
    pid: process.pid,
    host: by.host,
    user: by.user,
    ci: by.ci,
    fileSha256: sha256OfFile(scenario.file),
    spec: {
      recordVersion: scenarioRecordVersion,
      name: scenario.name,
      participants: scenario.participants,
      objectives: scenario.objectives,
      tags: scenario.tags,
      agenda: agendaRecord(planScenario(scenario)),
    },
  });

  let end: DayEnd | null = null;
  try {
    end = await day(scenario, journal, options);
  } catch (error) {
    // Reaching here means a bug in gameday; every experiment has rolled back its own faults already.
    journal.append({ type: 'error', message: errorMessage(error), where: 'scenario' });
    end = { status: 'error', reason: `internal error: ${errorMessage(error)}`, step: 0 };
  }
  const verdict = end ?? judgeDay(summarizer.result());
  journal.append({ type: 'scenario.finished', status: verdict.status, reason: verdict.reason });
  journal.close();
  const summary = summarizer.result();
  const reports = await reporters.onEnd({
    status: verdict.status,
    reason: verdict.reason,
    summary,
    runDir: options.runDir,
  });
  return { status: verdict.status, summary, runDir: options.runDir, reports };
}

/** The day from opening the target to closing it; the reason it ended early, or null when every step ran. */
async function day(scenario: Scenario, journal: Journal, options: ScenarioRunOptions): Promise<DayEnd | null> {
  const session = await openDayTarget(scenario, journal, options);
  if (typeof session === 'string') {
    skipFrom(scenario, 0, journal, session);
    return { status: 'error', reason: session, step: 0 };
  }
  journal.append({ type: 'target.opened', target: session.describe() });
  let end: DayEnd | null = null;
  try {
    for (const [index, step] of scenario.steps.entries()) {
      if (!end && options.signal?.aborted) end = { ...interruptStop(options.signal.reason), step: index };
      if (end) {
        journal.append({
          type: 'step.skipped',
          step: index + 1,
          kind: step.kind,
          name: step.name,
          reason: `the day ended at step ${end.step}: ${end.reason}`,
        });
        continue;
      }
      end = await runStep(step, index + 1, { scenario, journal, session, options });
    }
  } finally {
    try {
      await session.close();
      journal.append({ type: 'target.closed' });
    } catch (error) {
      journal.append({ type: 'error', message: errorMessage(error), where: 'closing the target' });
    }
  }
  return end;
}

/** The day's one target, opened (and locked) once; a reason when it cannot be. */
async function openDayTarget(
  scenario: Scenario,
  journal: Journal,
  options: ScenarioRunOptions,
): Promise<TargetSession | string> {
  try {
    return await openTarget(
      scenario.target,
      { runId: options.runId, runDir: options.runDir, experiment: `GameDay ${scenario.name}` },
      (message) => journal.append({ type: 'preflight.check', check: 'target', ok: true, detail: message }),
    );
  } catch (error) {
    const busy = error instanceof LockHeldError || error instanceof AwsTargetBusyError;
    journal.append({
      type: 'preflight.check',
      check: busy ? 'lock' : 'target',
      ok: false,
      detail: errorMessage(error),
    });
    return busy
      ? `target busy: ${errorMessage(error)}`
      : `target ${scenario.target.kind} could not be opened: ${errorMessage(error)}; nothing was run`;
  }
}

function skipFrom(scenario: Scenario, from: number, journal: Journal, reason: string): void {
  scenario.steps
    .slice(from)
    .forEach((step, offset) =>
      journal.append({ type: 'step.skipped', step: from + offset + 1, kind: step.kind, name: step.name, reason }),
    );
}

interface StepContext {
  scenario: Scenario;
  journal: Journal;
  session: TargetSession;
  options: ScenarioRunOptions;
}

/** One step; the end of the day when it ends it. */
async function runStep(step: ScenarioStep, number: number, context: StepContext): Promise<DayEnd | null> {
  switch (step.kind) {
    case 'experiment':
      return experimentStep(step, number, context);
    case 'checkpoint':
      return checkpointStep(step, number, context);
    case 'wait': {
      const { journal, options } = context;
      const detail = step.reason || `a pause of ${formatDuration(step.duration)}`;
      journal.append({ type: 'step.started', step: number, kind: 'wait', name: step.name, detail });
      await sleep(step.duration, options.signal);
      return finishSimpleStep(step, number, context, `waited ${formatDuration(step.duration)}`);
    }
    case 'note': {
      context.journal.append({
        type: 'step.started',
        step: number,
        kind: 'note',
        name: step.name,
        detail: step.message,
      });
      return finishSimpleStep(step, number, context, 'said to the team');
    }
    case 'check':
      return checkStep(step, number, context);
  }
}

/**
 * The target's readiness for the drills after this step (`gameday check`'s checks, on the
 * day's session), each check journaled; one that fails ends the day before any of those
 * drills starts, unless the step may continue.
 */
async function checkStep(
  step: Extract<ScenarioStep, { kind: 'check' }>,
  number: number,
  context: StepContext,
): Promise<DayEnd | null> {
  const { journal, session, options } = context;
  journal.append({ type: 'step.started', step: number, kind: 'check', name: step.name, detail: checkDetail(step) });
  let checks: ReadinessCheck[];
  try {
    checks = (
      await checkReadiness(
        session,
        step.experiments.map((entry) => entry.experiment),
      )
    ).checks;
  } catch (error) {
    checks = [{ check: 'readiness', status: 'failed', detail: errorMessage(error) }];
  }
  if (options.signal?.aborted) return finishSimpleStep(step, number, context, 'interrupted');
  for (const check of checks) journal.append({ type: 'readiness.check', step: number, ...check });
  const reason = readinessVerdict(checks);
  const status = checks.every((check) => check.status !== 'failed') ? 'passed' : 'failed';
  journal.append({ type: 'step.finished', step: number, kind: 'check', name: step.name, status, reason });
  if (status === 'passed' || step.continueOnFailure) return null;
  return { status: 'failed', reason: `step ${number} (${step.name}) failed: ${reason}`, step: number };
}

function finishSimpleStep(step: ScenarioStep, number: number, context: StepContext, done: string): DayEnd | null {
  const { journal, options } = context;
  if (options.signal?.aborted) {
    const stop = interruptStop(options.signal.reason);
    journal.append({
      type: 'step.finished',
      step: number,
      kind: step.kind,
      name: step.name,
      status: 'aborted',
      reason: stop.reason,
    });
    return { ...stop, step: number };
  }
  journal.append({
    type: 'step.finished',
    step: number,
    kind: step.kind,
    name: step.name,
    status: 'done',
    reason: done,
  });
  return null;
}

async function experimentStep(
  step: Extract<ScenarioStep, { kind: 'experiment' }>,
  number: number,
  { scenario, journal, session, options }: StepContext,
): Promise<DayEnd | null> {
  const runId = newRunId(step.experiment.name);
  // Numbered, so the day's run directory lists its experiments in order.
  const runDir = `${String(number).padStart(2, '0')}-${runId}`;
  const absoluteRunDir = path.join(options.runDir, runDir);
  journal.append({
    type: 'step.started',
    step: number,
    kind: 'experiment',
    name: step.name,
    detail: step.source,
    runId,
    runDir,
  });
  const reporters =
    options.stepReporters?.({
      step: number,
      total: scenario.steps.length,
      name: step.name,
      runDir: absoluteRunDir,
      experiment: step.experiment,
    }) ?? [];
  const result = await runExperiment(step.experiment, {
    runId,
    runDir: absoluteRunDir,
    session,
    signal: options.signal,
    reporters,
    approve: options.approve,
    consent: options.consent,
  });
  journal.append({
    type: 'step.finished',
    step: number,
    kind: 'experiment',
    name: step.name,
    status: result.status,
    reason: result.summary.reason,
    run: stepRunRecord(result.summary, runDir),
  });
  if (options.signal?.aborted) {
    const stop = interruptStop(options.signal.reason);
    return {
      status: stop.status,
      reason: `${stop.reason} during step ${number} (${step.name}), whose faults were rolled back`,
      step: number,
    };
  }
  if (result.status === 'passed') return null;
  // Only a verdict on the target's behaviour lets the day go on: after an error (a rollback that failed, a target
  // gone) the target may be left broken, and any other way of stopping was someone's decision to stop.
  if (step.continueOnFailure && (result.status === 'failed' || result.status === 'aborted')) return null;
  return {
    status: result.status,
    reason: `step ${number} (${step.name}) ${result.status}: ${result.summary.reason}`,
    step: number,
  };
}

async function checkpointStep(
  step: Extract<ScenarioStep, { kind: 'checkpoint' }>,
  number: number,
  context: StepContext,
): Promise<DayEnd | null> {
  const { scenario, journal, options } = context;
  journal.append({ type: 'step.started', step: number, kind: 'checkpoint', name: step.name, detail: step.question });
  const asked = journal.append({
    type: 'checkpoint.asked',
    step: number,
    question: step.question,
    timeoutMs: step.timeout,
    default: step.default,
  });
  const decision = await awaitDecision(
    {
      step: number,
      total: scenario.steps.length,
      question: step.question,
      timeoutMs: step.timeout,
      default: step.default,
      runDir: options.runDir,
    },
    options.answerers ?? {},
    options.signal,
  );
  // Interrupted while waiting: finished as aborted.
  if (!decision) return finishSimpleStep(step, number, context, 'not answered');
  const decisionMs = Math.max(0, Math.round(decision.at - asked.t));
  journal.append(
    {
      type: 'checkpoint.answered',
      step: number,
      answer: decision.answer,
      by: decision.by,
      via: decision.via,
      decisionMs,
    },
    decision.at,
  );
  const reason = `answered ${decision.answer} by ${decision.by} after ${formatDuration(decisionMs)}`;
  journal.append({ type: 'step.finished', step: number, kind: 'checkpoint', name: step.name, status: 'done', reason });
  if (decision.answer === 'yes') return null;
  return {
    status: 'aborted',
    reason: `no-go at step ${number} (${JSON.stringify(step.question)}): ${reason}`,
    step: number,
  };
}

/** The agenda as the day's journal records it (timelines left out: each run's journal has its own). */
function agendaRecord(plan: ScenarioPlan): AgendaRecord {
  return {
    expectedMs: plan.expectedMs,
    steps: plan.steps.map(({ timeline: _timeline, timeout: _timeout, ...step }) => step),
  };
}
