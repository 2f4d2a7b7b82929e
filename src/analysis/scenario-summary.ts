import type {
  CheckpointChannel,
  RunStatus,
  ScenarioRecord,
  ScenarioStepKind,
  StepRunRecord,
  StepStatus,
  TargetDescription,
} from '../core/events';
import type { RunSummary } from './summary';

/**
 * A GameDay's summary.json: the day as its own journal tells it — the agenda against what
 * happened, each experiment's verdict and figures, the checkpoints' decisions, the budget
 * the whole day burned, the day's objectives. Each experiment's full summary stays in its
 * own run directory. Versioned like the run summary: a field removed or renamed needs a
 * new version.
 */
export const scenarioSummarySchemaId = 'gameday/gameday/v1';

/**
 * The notes, findings and action items `gameday note` puts in a run's summary
 * (`summary.notes`), copied from each experiment's run. The type follows RunSummary's own
 * field, so it is `never` — nothing to copy — until runs have one.
 */
export type RunNotes = Required<RunSummary> extends { notes: infer N } ? N : never;

export type ScenarioStepState = StepStatus | 'skipped' | 'running' | 'pending';

/** One step: where the agenda put it and what happened. */
export interface ScenarioStepSummary {
  step: number;
  kind: ScenarioStepKind;
  name: string;
  detail: string;
  status: ScenarioStepState;
  /** Why it ended as it did (an experiment's verdict, the answer, why it was skipped); null before it ended. */
  reason: string | null;
  /** From the agenda: offset from the start of the day and expected length, ms. */
  planned: { atMs: number; ms: number };
  /** What happened: when it started (offset from the start of the day) and how long it took; null if it never ran. */
  actual: { startedAt: string; atMs: number; ms: number | null } | null;
}

/** One experiment of the day, as its run concluded. */
export interface ScenarioExperimentSummary {
  step: number;
  name: string;
  file: string;
  continueOnFailure: boolean;
  status: RunStatus | 'running' | 'skipped' | 'pending';
  reason: string;
  runId: string | null;
  /** Its own run directory (journal and full report), relative to the day's. */
  runDir: string | null;
  durationMs: number | null;
  rto: StepRunRecord['rto'] | null;
  rpo: StepRunRecord['rpo'];
  slos: StepRunRecord['slos'];
  notes?: RunNotes;
}

/** A go/no-go decision: who made it, how, and how long it took. */
export interface CheckpointSummary {
  step: number;
  question: string;
  askedAt: string | null;
  answer: 'yes' | 'no' | null;
  by: string | null;
  via: CheckpointChannel | null;
  decisionMs: number | null;
  timeoutMs: number | null;
  default: 'yes' | 'no';
}

/** An SLO's error budget burned by the whole day: the experiments' shares, added up. */
export interface BudgetTotal {
  slo: string;
  /** The window every experiment measured it over; null when they disagree (the sum then mixes windows). */
  windowMs: number | null;
  budgetConsumedPct: number;
  /** How many experiments measured it. */
  experiments: number;
}

export interface ScenarioObjectiveResult {
  text: string;
  metric: 'passed' | 'budget' | 'rto' | 'rpo';
  measured: string;
  /** null: nothing of the day measured it (the day ended before). */
  met: boolean | null;
}

export interface ScenarioSummary {
  schema: typeof scenarioSummarySchemaId;
  runId: string;
  scenario: string;
  description: string;
  file: string;
  target: TargetDescription;
  tags: string[];
  status: RunStatus | 'running';
  reason: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  runDir: string;
  participants: ScenarioRecord['participants'];
  /** The agenda's length of the day (checkpoints as instant). */
  expectedMs: number;
  steps: ScenarioStepSummary[];
  experiments: ScenarioExperimentSummary[];
  checkpoints: CheckpointSummary[];
  budget: BudgetTotal[];
  worst: { rtoMs: number | null; rtoStep: number | null; rpoMs: number | null; rpoStep: number | null };
  objectives: ScenarioObjectiveResult[];
  errors: string[];
  timeline: Array<{ t: number; offsetMs: number; event: string }>;
}
