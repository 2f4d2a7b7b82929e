import type { EventOf, JournalEvent, ScenarioRecord, TargetDescription } from '../core/events';
import { iso } from './faults';
import { judgeObjectives, worstOf } from './judge-scenario';
import {
  scenarioSummarySchemaId,
  type BudgetTotal,
  type CheckpointSummary,
  type RunNotes,
  type ScenarioExperimentSummary,
  type ScenarioStepSummary,
  type ScenarioSummary,
} from './scenario-summary';
import { scenarioTimelineText } from './scenario-timeline';

/**
 * A GameDay's summary from its own journal, one event at a time, as RunSummarizer does for
 * a run: the runner feeds it as the day goes (and judges the day on it), `gameday report`
 * as it reads the journal back, so the two cannot disagree. `result()` may be asked at any
 * point; steps not yet reached are `pending`.
 */
export class ScenarioSummarizer {
  private started: EventOf<'scenario.started'> | undefined;
  private spec: ScenarioRecord | undefined;
  private opened: TargetDescription | undefined;
  private finished: EventOf<'scenario.finished'> | undefined;
  private readonly begun = new Map<number, EventOf<'step.started'>>();
  private readonly ended = new Map<number, EventOf<'step.finished'>>();
  private readonly skipped = new Map<number, EventOf<'step.skipped'>>();
  private readonly asked = new Map<number, EventOf<'checkpoint.asked'>>();
  private readonly answered = new Map<number, EventOf<'checkpoint.answered'>>();
  private readonly errors: string[] = [];
  private readonly timeline: Array<{ t: number; event: string }> = [];

  add(event: JournalEvent): void {
    switch (event.type) {
      case 'scenario.started':
        this.started ??= event;
        this.spec ??= event.spec;
        break;
      case 'target.opened':
        this.opened ??= event.target;
        break;
      case 'scenario.finished':
        this.finished ??= event;
        break;
      case 'step.started':
        this.begun.set(event.step, event);
        break;
      case 'step.finished':
        this.ended.set(event.step, event);
        break;
      case 'step.skipped':
        this.skipped.set(event.step, event);
        break;
      case 'checkpoint.asked':
        this.asked.set(event.step, event);
        break;
      case 'checkpoint.answered':
        this.answered.set(event.step, event);
        break;
      case 'preflight.check':
        if (!event.ok) this.errors.push(`${event.check}: ${event.detail}`);
        break;
      case 'error':
        this.errors.push(`${event.where}: ${event.message}`);
        break;
    }
    const text = scenarioTimelineText(event);
    if (text !== null) this.timeline.push({ t: event.t, event: text });
  }

  result(): ScenarioSummary {
    const started = this.started;
    const spec = this.spec;
    if (!started || !spec) throw new Error('journal has no scenario.started event');
    const finished = this.finished;
    const steps = spec.agenda.steps.map((planned) => this.step(planned, started.t));
    const experiments = spec.agenda.steps
      .filter((planned) => planned.kind === 'experiment')
      .map((planned) => this.experiment(planned));
    const budget = budgetTotals(experiments);
    const worstRto = worstOf(experiments, (experiment) => experiment.rto?.ms ?? null);
    const worstRpo = worstOf(experiments, (experiment) => experiment.rpo?.ms ?? null);
    return {
      schema: scenarioSummarySchemaId,
      runId: started.runId,
      scenario: started.scenario,
      description: started.description,
      file: started.file,
      target: this.opened ?? started.target,
      tags: spec.tags,
      status: finished?.status ?? 'running',
      reason: finished?.reason ?? 'the day did not finish (interrupted, killed, or still going)',
      startedAt: new Date(started.t).toISOString(),
      endedAt: iso(finished?.t),
      durationMs: finished ? Math.round(finished.t - started.t) : null,
      runDir: started.runDir,
      participants: spec.participants,
      expectedMs: spec.agenda.expectedMs,
      steps,
      experiments,
      checkpoints: spec.agenda.steps
        .filter((planned) => planned.kind === 'checkpoint')
        .map((planned) => this.checkpoint(planned.step, planned.detail)),
      budget,
      worst: {
        rtoMs: worstRto?.ms ?? null,
        rtoStep: worstRto?.experiment.step ?? null,
        rpoMs: worstRpo?.ms ?? null,
        rpoStep: worstRpo?.experiment.step ?? null,
      },
      objectives: judgeObjectives(spec.objectives, experiments, budget),
      errors: [...this.errors],
      timeline: this.timeline.map(({ t, event }) => ({ t, offsetMs: Math.round(t - started.t), event })),
    };
  }

  private step(planned: ScenarioRecord['agenda']['steps'][number], dayStart: number): ScenarioStepSummary {
    const begun = this.begun.get(planned.step);
    const ended = this.ended.get(planned.step);
    const skipped = this.skipped.get(planned.step);
    return {
      step: planned.step,
      kind: planned.kind,
      name: planned.name,
      detail: planned.detail,
      status: ended?.status ?? (skipped ? 'skipped' : begun ? 'running' : 'pending'),
      reason: ended?.reason ?? skipped?.reason ?? null,
      planned: { atMs: planned.atMs, ms: planned.expectedMs },
      actual: begun
        ? {
            startedAt: new Date(begun.t).toISOString(),
            atMs: Math.round(begun.t - dayStart),
            ms: ended ? Math.round(ended.t - begun.t) : null,
          }
        : null,
    };
  }

  private experiment(planned: ScenarioRecord['agenda']['steps'][number]): ScenarioExperimentSummary {
    const begun = this.begun.get(planned.step);
    const ended = this.ended.get(planned.step);
    const skipped = this.skipped.get(planned.step);
    const run = ended?.run;
    return {
      step: planned.step,
      name: planned.name,
      file: run?.file ?? planned.detail,
      continueOnFailure: planned.continueOnFailure === true,
      // An experiment step always ends with its run's record; without one, it has not ended.
      status: run?.status ?? (skipped ? 'skipped' : begun ? 'running' : 'pending'),
      reason: run?.reason ?? ended?.reason ?? skipped?.reason ?? '',
      runId: run?.runId ?? begun?.runId ?? null,
      runDir: run?.runDir ?? begun?.runDir ?? null,
      durationMs: run?.durationMs ?? null,
      rto: run?.rto ?? null,
      rpo: run?.rpo ?? null,
      slos: run?.slos ?? [],
      ...(run?.notes === undefined ? {} : { notes: run.notes as RunNotes }),
    };
  }

  private checkpoint(step: number, question: string): CheckpointSummary {
    const asked = this.asked.get(step);
    const answered = this.answered.get(step);
    return {
      step,
      question: asked?.question ?? question,
      askedAt: iso(asked?.t),
      answer: answered?.answer ?? null,
      by: answered?.by ?? null,
      via: answered?.via ?? null,
      decisionMs: answered?.decisionMs ?? null,
      timeoutMs: asked?.timeoutMs ?? null,
      default: asked?.default ?? 'no',
    };
  }
}

/** Each SLO's budget burned over the day: every experiment's share of it, added up, by SLO name. */
function budgetTotals(experiments: readonly ScenarioExperimentSummary[]): BudgetTotal[] {
  const totals = new Map<string, BudgetTotal & { windows: Set<number> }>();
  for (const experiment of experiments) {
    for (const slo of experiment.slos) {
      if (slo.budgetConsumedPct === null) continue;
      const total = totals.get(slo.name) ?? {
        slo: slo.name,
        windowMs: slo.windowMs,
        budgetConsumedPct: 0,
        experiments: 0,
        windows: new Set<number>(),
      };
      total.budgetConsumedPct += slo.budgetConsumedPct;
      total.experiments += 1;
      total.windows.add(slo.windowMs);
      totals.set(slo.name, total);
    }
  }
  return [...totals.values()].map(({ windows, ...total }) => ({
    ...total,
    windowMs: windows.size === 1 ? total.windowMs : null,
  }));
}

/** The summary of a whole scenario journal. */
export function summarizeScenario(events: Iterable<JournalEvent>): ScenarioSummary {
  const summarizer = new ScenarioSummarizer();
  for (const event of events) summarizer.add(event);
  return summarizer.result();
}

/** Whether a journal is a GameDay's (its first event starts a scenario) rather than one run's. */
export function isScenarioJournal(events: readonly JournalEvent[]): boolean {
  return events[0]?.type === 'scenario.started';
}
