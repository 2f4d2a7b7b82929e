import { formatPercent } from '../analysis/format';
import type { ScenarioSummary } from '../analysis/scenario-summary';
import { channelText } from '../analysis/scenario-timeline';
import { formatDuration } from '../core/duration';
import type { EventOf, JournalEvent, RunStatus } from '../core/events';
import { reportFiles } from '../report/files';
import { budgetText, dayInWords, rpoText, rtoText, statusText } from '../report/scenario/words';
import { listOf, reportLocation, verdictIcon, type Message } from './message';
import { RunNarrator, targetText, type Ending, type StartContext, type Update } from './run-messages';

/** How a GameDay ended, as its notifiers are told (the scenario runner's outcome has this shape). */
export interface DayOutcome {
  status: RunStatus | 'running';
  reason: string;
  summary: ScenarioSummary;
  runDir: string;
}

/**
 * What a GameDay's thread says: who takes part and the agenda, each step as it starts and
 * ends, the go/no-go questions while they wait (calling the people who may answer), the
 * faults and failovers inside each experiment (told by a RunNarrator per step), and the
 * day's verdict in the day's report's words.
 */
export class DayNarrator {
  private started: EventOf<'scenario.started'> | null = null;
  private first: Message | null = null;

  constructor(private readonly mention: string[]) {}

  start(event: EventOf<'scenario.started'>, context: Omit<StartContext, 'action'>): Message {
    this.started = event;
    const { spec } = event;
    const people = spec.participants.map((person) => `${person.name} (${person.role})`);
    const checkpoints = spec.agenda.steps.filter((step) => step.kind === 'checkpoint').length;
    const experiments = spec.agenda.steps
      .filter((step) => step.kind === 'experiment')
      .map((step) => `${step.step}. ${step.name} at +${formatDuration(step.atMs)}`);
    this.first = {
      weight: 'headline',
      icon: 'calendar',
      title: `GameDay starting: ${event.scenario}`,
      body: event.description ? [event.description] : [],
      fields: [
        {
          label: 'Who',
          value: `${people.length > 0 ? `${people.join(', ')}; ` : ''}started by ${context.by} on ${event.host}`,
        },
        { label: 'Target', value: targetText(event.target) },
        {
          label: 'Agenda',
          value:
            `${spec.agenda.steps.length} steps, about ${formatDuration(spec.agenda.expectedMs)}` +
            (checkpoints > 0 ? ` plus ${checkpoints} go/no-go decision${checkpoints === 1 ? '' : 's'}` : ''),
        },
        { label: 'Expected impact', value: experiments.length > 0 ? experiments.join('\n') : 'no experiment' },
        { label: 'Objectives', value: spec.objectives.map((objective) => objective.text).join(', ') },
        { label: 'Report', value: `${reportFiles.pdf} in this thread when the day ends` },
      ],
      context: [`GameDay ${event.runId}`, event.file, `gameday ${event.gamedayVersion}`],
      links: context.reportUrl ? [{ label: "the day's report (when it ends)", url: context.reportUrl }] : [],
      mention: [...context.mention, ...slackIds(spec.participants)],
    };
    return this.first;
  }

  /** The narrator of one experiment step's run: its lines go into the day's thread, prefixed with the step. */
  forStep(step: { step: number; name: string }): RunNarrator {
    return new RunNarrator(this.mention, `step ${step.step} · ${step.name}`);
  }

  update(event: JournalEvent): Update | null {
    const total = this.started?.spec.agenda.steps.length ?? 0;
    switch (event.type) {
      case 'step.started':
        // A checkpoint says itself when asked; a step that ends the day, in the verdict.
        if (event.kind === 'checkpoint') return null;
        if (event.kind === 'note')
          return this.line('loudspeaker', `step ${event.step}/${total} · note: ${event.detail}`);
        if (event.kind === 'wait')
          return this.line('hourglass_flowing_sand', `step ${event.step}/${total} · ${event.name}: ${event.detail}`);
        return this.line(
          'arrow_forward',
          `step ${event.step}/${total} · experiment ${event.name} starts`,
          event.detail,
        );
      case 'step.finished': {
        if (event.kind !== 'experiment') return null;
        const run = event.run;
        const took = run?.durationMs == null ? '' : ` in ${formatDuration(run.durationMs)}`;
        const figures = run ? `RTO ${rtoText(run)}; RPO ${rpoText(run)}; budget ${budgetText(run)}` : event.reason;
        const good = event.status === 'passed';
        return this.line(
          good ? 'white_check_mark' : 'x',
          `step ${event.step}/${total} · ${event.name} ${statusText(event.status)}${took}`,
          good ? figures : `${event.reason}\n${figures}`,
          !good,
        );
      }
      case 'checkpoint.asked': {
        const wait =
          event.timeoutMs === null
            ? 'It waits as long as it takes.'
            : `Without an answer within ${formatDuration(event.timeoutMs)}, the answer is ${event.default}.`;
        const deciders = this.deciders();
        const who = deciders.length > 0 ? ` as ${listOf(deciders.map((person) => person.name))}` : '';
        return {
          kind: 'checkpoint',
          message: {
            weight: 'update',
            icon: 'raising_hand',
            title: `step ${event.step}/${total} waits for a go/no-go: ${event.question}`,
            body: [
              `${wait} Answer from a terminal on ${this.started?.host ?? 'the machine running it'}${who}: ` +
                `gameday approve ${this.started?.runDir ?? '<run dir>'} --as NAME (add --no to end the day).`,
            ],
            mention: [...this.mention, ...slackIds(deciders)],
          },
        };
      }
      case 'checkpoint.answered': {
        const by = event.via === 'timeout' ? 'by its timeout' : `by ${event.by} (${channelText[event.via]})`;
        const next = event.answer === 'yes' ? 'the day goes on' : 'the day ends here';
        return {
          kind: 'checkpoint',
          message: {
            weight: 'update',
            icon: event.answer === 'yes' ? '+1' : '-1',
            title:
              `step ${event.step}/${total} answered ${event.answer} ${by} after ` +
              `${formatDuration(event.decisionMs)}: ${next}`,
          },
        };
      }
      default:
        return null;
    }
  }

  finish(outcome: DayOutcome, reportUrl: string | null): Ending {
    const { summary } = outcome;
    const good = outcome.status === 'passed';
    const icon = verdictIcon(outcome.status);
    const report = reportLocation(outcome.runDir, reportFiles.html, this.started?.host);
    const links = reportUrl ? [{ label: "the day's report", url: reportUrl }] : [];
    const skipped = summary.steps.filter((step) => step.status === 'skipped').map((step) => String(step.step));
    const fields = [
      ...summary.experiments.map((experiment) => ({
        label: `${experiment.step}. ${experiment.name}`,
        value:
          experiment.status === 'skipped' || experiment.status === 'pending'
            ? statusText(experiment.status)
            : `${statusText(experiment.status)}: RTO ${rtoText(experiment)}; RPO ${rpoText(experiment)}; ` +
              `budget ${budgetText(experiment)}`,
      })),
      ...summary.budget.map((total) => ({
        label: `Budget burned: ${total.slo}`,
        value: `${formatPercent(total.budgetConsumedPct)} over the day (${total.experiments} experiments)`,
      })),
      ...summary.objectives.map((objective) => ({
        label: `Objective ${objective.text}`,
        value: `${objective.measured} (${objective.met === null ? 'not measured' : objective.met ? 'met' : 'MISSED'})`,
      })),
    ];
    const reply: Message = {
      weight: 'headline',
      icon,
      title: `${statusText(outcome.status)} GameDay ${summary.scenario}`,
      body: [
        dayInWords({ ...summary, status: outcome.status, reason: outcome.reason }),
        ...(skipped.length > 0 ? [`Skipped: step${skipped.length === 1 ? '' : 's'} ${listOf(skipped)}.`] : []),
      ],
      fields,
      context: [`report ${report}; each experiment's in its own run directory inside it`],
      links,
      mention: good ? [] : this.mention,
    };
    const first = this.first ?? { weight: 'headline', icon, title: summary.scenario, fields: [] };
    const worst = [
      summary.worst.rtoMs === null ? null : `worst RTO ${formatDuration(summary.worst.rtoMs)}`,
      summary.worst.rpoMs === null ? null : `worst RPO ${formatDuration(summary.worst.rpoMs)}`,
      ...summary.budget.map((total) => `${formatPercent(total.budgetConsumedPct)} of ${total.slo}'s budget burned`),
    ].filter((part): part is string => part !== null);
    const headline: Message = {
      ...first,
      icon,
      title: `${statusText(outcome.status)} GameDay: ${summary.scenario}`,
      body: [`Verdict: ${outcome.reason}${worst.length > 0 ? ` (${worst.join(' · ')})` : ''}.`, ...(first.body ?? [])],
      fields: (first.fields ?? []).map((field) =>
        field.label === 'Report' ? { label: 'Report', value: `${reportFiles.pdf} in the thread; ${report}` } : field,
      ),
      links,
      mention: [],
    };
    return { reply, headline };
  }

  /** Who may answer a checkpoint: its facilitators and approvers, or anyone when the day names none. */
  private deciders() {
    const participants = this.started?.spec.participants ?? [];
    const deciders = participants.filter((person) => person.role === 'facilitator' || person.role === 'approver');
    return deciders.length > 0 ? deciders : participants;
  }

  private line(icon: string, title: string, body: string | null = null, call = false): Update {
    return {
      kind: 'step',
      message: { weight: 'update', icon, title, body: body ? [body] : [], mention: call ? this.mention : [] },
    };
  }
}

function slackIds(people: ReadonlyArray<{ slack?: string }>): string[] {
  return people.flatMap((person) => (person.slack ? [person.slack] : []));
}
