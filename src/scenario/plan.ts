import { formatDuration } from '../core/duration';
import { planExperiment, type PlanStep } from '../engine/plan';
import type { Experiment } from '../experiment/validate';
import { targetKindOf } from '../targets';
import type { Scenario, ScenarioStep } from './validate';

/** One step of the day's agenda: when it is expected to start and how long it is expected to take. */
export interface AgendaStep {
  step: number;
  kind: ScenarioStep['kind'];
  name: string;
  detail: string;
  atMs: number;
  expectedMs: number;
  continueOnFailure?: boolean;
  /** A checkpoint's timeout, in words: how long the day waits, and what it does then. */
  timeout?: string;
  /**
   * An experiment step's own timeline, as `gameday plan` shows an experiment's, but for
   * opening the target: the day opens it once.
   */
  timeline?: PlanStep[];
}

export interface ScenarioPlan {
  /** The whole day, checkpoints counted as instant. */
  expectedMs: number;
  checkpoints: number;
  steps: AgendaStep[];
}

/**
 * What an experiment is expected to take: its steady state, its observation, and the least
 * its post-check waits (a recovery window after the last revert, or a steady-state window).
 * Opening the target, the preflight checks and a failback come on top; the day's report
 * sets the actual length beside this.
 */
export function expectedExperimentMs(experiment: Experiment): number {
  const { steadyState, hypothesis } = experiment;
  return steadyState.duration + experiment.duration + Math.max(hypothesis.recovery.window, steadyState.duration);
}

/** The day's agenda, step by step, each experiment with its timeline. Pure: runs nothing. */
export function planScenario(scenario: Scenario): ScenarioPlan {
  const opening = new Set(targetKindOf(scenario.target).planOpen(scenario.target));
  let atMs = 0;
  const steps = scenario.steps.map((step, index): AgendaStep => {
    const entry = agendaStep(step, index + 1, atMs, opening);
    atMs += entry.expectedMs;
    return entry;
  });
  return {
    expectedMs: atMs,
    checkpoints: scenario.steps.filter((step) => step.kind === 'checkpoint').length,
    steps,
  };
}

/** 'readiness of the target for steps 3, 5 (…)': what a check holds the target to. */
export function checkDetail(step: Extract<ScenarioStep, { kind: 'check' }>): string {
  const steps = step.experiments.map((entry) => entry.step);
  return `readiness of the target for step${steps.length === 1 ? '' : 's'} ${steps.join(', ')}`;
}

function agendaStep(step: ScenarioStep, number: number, atMs: number, opening: Set<string>): AgendaStep {
  const base = { step: number, kind: step.kind, name: step.name, atMs };
  switch (step.kind) {
    case 'experiment':
      return {
        ...base,
        detail: step.experiment.file,
        expectedMs: expectedExperimentMs(step.experiment),
        continueOnFailure: step.continueOnFailure,
        timeline: planExperiment(step.experiment).filter((line) => !opening.has(line.action)),
      };
    case 'checkpoint': {
      const timeout =
        step.timeout === null
          ? 'waits for an answer as long as it takes'
          : `after ${formatDuration(step.timeout)} without an answer: ${step.default} ` +
            `(${step.default === 'yes' ? 'go on' : 'the day ends'})`;
      return { ...base, detail: step.question, expectedMs: 0, timeout };
    }
    case 'wait':
      return { ...base, detail: step.reason, expectedMs: step.duration };
    case 'note':
      return { ...base, detail: step.message, expectedMs: 0 };
    case 'check':
      return { ...base, detail: checkDetail(step), expectedMs: 0, continueOnFailure: step.continueOnFailure };
  }
}
