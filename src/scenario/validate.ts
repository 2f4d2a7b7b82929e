import path from 'node:path';
import { formatDuration } from '../core/duration';
import { errorMessage } from '../core/errors';
import { ExperimentValidationError, type ExperimentIssue } from '../experiment/errors';
import type { ParsedSchedule } from '../experiment/schedule';
import { describeValue, formatPath, isThenable, issuesOf, notAnObjectHint } from '../experiment/issues';
import { displayPath, loadDefaultExport } from '../experiment/loader';
import { validateExperiment, type Experiment } from '../experiment/validate';
import type { Notifier } from '../experiment/notify';
import { targetKindOf, type Target } from '../targets';
import { isScenarioDefinition } from '../experiment/detect';
import {
  scenarioSchema,
  type ParsedScenario,
  type ParsedStep,
  type Participant,
  type ScenarioObjective,
} from './schema';
import { targetDisagreement, withDayTarget } from './target';

/** A step ready to run: names given, durations in ms, each experiment validated against the day's target. */
export type ScenarioStep =
  | {
      kind: 'experiment';
      name: string;
      experiment: Experiment;
      /** Where it came from: the file as the user reads it, or the scenario's own step for an inline one. */
      source: string;
      continueOnFailure: boolean;
    }
  | { kind: 'checkpoint'; name: string; question: string; timeout: number | null; default: 'yes' | 'no' }
  | { kind: 'wait'; name: string; duration: number; reason: string }
  | { kind: 'note'; name: string; message: string }
  | {
      kind: 'check';
      name: string;
      continueOnFailure: boolean;
      /** The experiments it checks the target for: every experiment step after it, by step number. */
      experiments: Array<{ step: number; experiment: Experiment }>;
    };

/** A GameDay ready to run: validated whole, defaults applied, every duration in ms. */
export interface Scenario {
  name: string;
  description: string;
  /** The file it came from, for messages and reports. */
  file: string;
  target: Target;
  participants: Participant[];
  objectives: ScenarioObjective[];
  tags: string[];
  service?: string;
  staleAfter?: number;
  steps: ScenarioStep[];
  /** As written; absent means the environment's default (notify/defaults.ts). */
  notify?: Notifier[];
  /** When `gameday schedule run` starts the day on its own. */
  schedule?: ParsedSchedule;
}

/**
 * Validates a scenario definition: its own fields, then every experiment step — a file,
 * loaded relative to the scenario, or an inline definition — against the day's target.
 * Every problem of the scenario and of the experiments it names is reported at once, each
 * with its file and field path; nothing may run unless all of it is valid.
 */
export function validateScenario(input: unknown, file: string): Scenario {
  const fail = (message: string): never => {
    throw new ExperimentValidationError([{ file, path: '', message }], 'scenario');
  };
  if (input === null || typeof input !== 'object' || Array.isArray(input) || isThenable(input))
    fail(
      `expected a scenario object (export default defineScenario({...})), got ${describeValue(input)}` +
        notAnObjectHint(input, 'scenarios'),
    );
  let parsed: ReturnType<typeof scenarioSchema.safeParse>;
  try {
    parsed = scenarioSchema.safeParse(input);
  } catch (error) {
    return fail(`reading the exported scenario threw: ${errorMessage(error)}`);
  }
  const issues: ExperimentIssue[] = parsed.success ? [] : issuesOf(parsed.error.issues, input, file, scenarioSchema);
  const rawTarget = (input as { target?: unknown }).target;
  const targetValid = !issues.some((issue) => issue.path === 'target' || issue.path.startsWith('target.'));
  const rawSteps = (input as { steps?: unknown }).steps;
  const experiments = new Map<number, Experiment>();
  if (targetValid && Array.isArray(rawSteps)) {
    rawSteps.forEach((step, index) => {
      const source = (step as { kind?: unknown; experiment?: unknown } | null)?.experiment;
      if ((step as { kind?: unknown } | null)?.kind !== 'experiment') return;
      if (typeof source !== 'string' && (source === null || typeof source !== 'object')) return;
      const checked = checkExperimentStep(source as string | object, index, { file, rawTarget });
      if (Array.isArray(checked)) issues.push(...checked);
      else experiments.set(index, checked);
    });
  }
  if (issues.length > 0 || !parsed.success) throw new ExperimentValidationError(issues, 'scenario');
  const scenario = resolve(parsed.data, file, experiments);
  const problems = [...objectivesWithoutMeasure(scenario), ...checksWithoutDrills(scenario)];
  if (problems.length > 0) throw new ExperimentValidationError(problems, 'scenario');
  return scenario;
}

/** One experiment step: its experiment, or the problems with it (paths inside the scenario for an inline one). */
function checkExperimentStep(
  source: string | object,
  index: number,
  scenario: { file: string; rawTarget: unknown },
): Experiment | ExperimentIssue[] {
  const stepPath = `steps[${index}].experiment`;
  const here = (message: string): ExperimentIssue[] => [{ file: scenario.file, path: stepPath, message }];
  let raw: unknown = source;
  let file = `${scenario.file} (${stepPath})`;
  /** Problems inside an experiment file keep its own file and path; the step they belong to is said. */
  let locate = (issue: ExperimentIssue): ExperimentIssue => ({
    file: scenario.file,
    path: issue.path ? `${stepPath}.${issue.path}` : stepPath,
    message: issue.message,
  });
  if (typeof source === 'string') {
    const absolute = path.resolve(path.dirname(path.resolve(scenario.file)), source);
    file = displayPath(absolute);
    const inStep = ` (in steps[${index}] of ${scenario.file})`;
    locate = (issue) => ({ ...issue, message: issue.message + inStep });
    try {
      raw = loadDefaultExport(absolute);
    } catch (error) {
      if (error instanceof ExperimentValidationError) return error.issues.map(locate);
      throw error;
    }
    if (isScenarioDefinition(raw))
      return here(`${source} is a scenario; a step runs an experiment (a scenario cannot be a step of another)`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || isThenable(raw))
    return here(`expected an experiment, got ${describeValue(raw)}${notAnObjectHint(raw, 'experiments')}`);
  let prepared: { input: object; ownTarget: boolean };
  try {
    prepared = withDayTarget(raw, scenario.rawTarget);
  } catch (error) {
    return [locate({ file, path: '', message: `reading the exported experiment threw: ${errorMessage(error)}` })];
  }
  let experiment: Experiment;
  try {
    experiment = validateExperiment(prepared.input, file);
  } catch (error) {
    if (error instanceof ExperimentValidationError) return error.issues.map(locate);
    throw error;
  }
  if (prepared.ownTarget) {
    const day = scenarioTarget(scenario.rawTarget);
    const disagreement = day && targetDisagreement(experiment.target, day);
    if (disagreement) {
      const whose = typeof source === 'string' ? `the target of ${file}` : "the experiment's own target";
      return here(`${whose} ${disagreement}`);
    }
  }
  return experiment;
}

/** The day's target as validation resolves it (defaults applied); null when it is itself invalid. */
function scenarioTarget(rawTarget: unknown): Target | null {
  const parsed = scenarioSchema.shape.target.safeParse(rawTarget);
  return parsed.success ? parsed.data : null;
}

function resolve(spec: ParsedScenario, file: string, experiments: Map<number, Experiment>): Scenario {
  // The day's service and freshness are its experiments' unless they say otherwise: their runs are the evidence.
  const ofTheDay = (experiment: Experiment | undefined): Experiment | undefined =>
    experiment && {
      ...experiment,
      service: experiment.service ?? spec.service,
      staleAfter: experiment.staleAfter ?? spec.staleAfter,
    };
  const steps = spec.steps.map((step, index) => resolveStep(step, ofTheDay(experiments.get(index))));
  // A check holds the target to what the drills after it expect.
  steps.forEach((step, index) => {
    if (step.kind !== 'check') return;
    step.experiments = steps.flatMap((later, laterIndex) =>
      later.kind === 'experiment' && laterIndex > index ? [{ step: laterIndex + 1, experiment: later.experiment }] : [],
    );
  });
  return { ...spec, file, steps };
}

function resolveStep(step: ParsedStep, experiment: Experiment | undefined): ScenarioStep {
  switch (step.kind) {
    case 'experiment':
      return {
        kind: 'experiment',
        name: step.name ?? experiment!.name,
        experiment: experiment!,
        source: experiment!.file,
        continueOnFailure: step.continueOnFailure,
      };
    case 'checkpoint':
      return {
        kind: 'checkpoint',
        name: step.name ?? step.question.slice(0, 120),
        question: step.question,
        timeout: step.timeout ?? null,
        default: step.default ?? 'no',
      };
    case 'wait':
      return {
        kind: 'wait',
        name: step.name ?? `wait ${formatDuration(step.duration)}`,
        duration: step.duration,
        reason: step.reason,
      };
    case 'note':
      return { kind: 'note', name: step.name ?? step.message.split('\n')[0].slice(0, 120), message: step.message };
    case 'check':
      return {
        kind: 'check',
        name: step.name ?? 'readiness check',
        continueOnFailure: step.continueOnFailure,
        experiments: [],
      };
  }
}

/** A check holds the target to the experiments after it: one with none after it has nothing to check for. */
function checksWithoutDrills(scenario: Scenario): ExperimentIssue[] {
  const regions = targetKindOf(scenario.target).regions(scenario.target);
  return scenario.steps.flatMap((step, index): ExperimentIssue[] => {
    if (step.kind !== 'check') return [];
    const path = formatPath(['steps', index]);
    if (regions.length < 2)
      return [
        {
          file: scenario.file,
          path,
          message:
            `a check reads how the target would fail over; target ${scenario.target.kind} has no regions to ` +
            'fail over between',
        },
      ];
    if (step.experiments.length > 0) return [];
    return [
      {
        file: scenario.file,
        path,
        message: 'a check holds the target to the experiments after it; no experiment step follows this one',
      },
    ];
  });
}

/**
 * An objective nothing in the day can measure would be judged "not measured" at the end of
 * a whole day; said now instead: a budget needs an SLO, an RPO a write ledger, an RTO a fault.
 */
function objectivesWithoutMeasure(scenario: Scenario): ExperimentIssue[] {
  const experiments = scenario.steps.flatMap((step) => (step.kind === 'experiment' ? [step.experiment] : []));
  const needs: Record<'budget' | 'rto' | 'rpo', { has: (e: Experiment) => boolean; what: string }> = {
    budget: { has: (e) => e.slos.length > 0, what: 'declares an SLO (slos: [...])' },
    rpo: { has: (e) => e.probes.some((probe) => probe.kind === 'ledger'), what: 'has a write ledger (probes.ledger)' },
    rto: { has: (e) => e.faults.length > 0, what: 'injects a fault' },
  };
  const issues: ExperimentIssue[] = [];
  scenario.objectives.forEach((objective, index) => {
    if (objective.metric === 'passed') return;
    const need = needs[objective.metric];
    if (!experiments.some(need.has))
      issues.push({
        file: scenario.file,
        path: formatPath(['objectives', index]),
        message: `${objective.text} cannot be measured: no experiment of the day ${need.what}`,
      });
  });
  return issues;
}
