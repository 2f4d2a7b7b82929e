import { failbackText, formatOffset, formatPercent, formatRatio, rtoMeasured } from '../analysis/format';
import { noteLabel } from '../analysis/timeline';
import type { RunSummary } from '../analysis/summary';
import { formatDuration } from '../core/duration';
import type { EventOf, JournalEvent, SampleRow, TargetDescription } from '../core/events';
import type { UpdateKind } from '../experiment/notify';
import { reportFiles } from '../report/files';
import { plainWordsSummary } from '../report/plain-words';
import type { RunOutcome } from '../report/reporter';
import { statusText } from '../report/scenario/words';
import { listOf, reportLocation, verdictIcon, type Message } from './message';

/**
 * What a run's thread says, composed from its journal events as they are written and from
 * its summary at the end: the first message (what, who, the expected impact, where the
 * report will be), one line per fault, failover step, abort, halt and note, then the verdict
 * in the report's own words. Pure: no I/O, no clock but the events' own times.
 */

/** What the first message says besides what the journal holds. */
export interface StartContext {
  /** Who started it: the user at the terminal, or the scheduler. */
  by: string;
  /** A drill, or `gameday failover` (a real DR action) and its failback. */
  action: 'run' | 'failover' | 'failback';
  mention: string[];
  /** Where the report will be read, when a URL is configured. */
  reportUrl: string | null;
}

export interface Update {
  kind: UpdateKind;
  message: Message;
}

/** The verdict: the reply at the end of the thread, and the first message as it is edited to show it. */
export interface Ending {
  reply: Message;
  headline: Message;
}

const actionNoun = { run: 'drill', failover: 'FAILOVER (a real DR action)', failback: 'failback' };
const recentWindowMs = 5_000;

export class RunNarrator {
  private started: EventOf<'run.started'> | null = null;
  private first: Message | null = null;
  private action: StartContext['action'] = 'run';
  private t0: number | null = null;
  private readonly stepStartedAt = new Map<string, number>();
  private readonly injectedAt = new Map<string, number>();
  private readonly revertReason = new Map<string, string>();
  /** The traffic's last seconds, [scheduled time, ok], for what clients see when a fault is undone. */
  private recent: Array<[number, boolean]> = [];

  /** `scope` prefixes every line: a GameDay's step, in the day's thread. */
  constructor(
    private readonly mention: string[],
    private readonly scope: string | null = null,
  ) {}

  start(event: EventOf<'run.started'>, context: StartContext): Message {
    this.started = event;
    this.action = context.action;
    const spec = event.spec;
    const faults = spec.faults ?? [];
    const impact = faults.map(
      (fault) =>
        `${fault.name}: ${fault.kind}${fault.region ? ` on ${fault.region}` : ''} ` +
        `from +${formatDuration(fault.after)}` +
        (fault.duration === undefined ? ' (instantaneous)' : ` for ${formatDuration(fault.duration)}`),
    );
    if (spec.failover?.from && spec.failover.to) impact.push(`failover ${spec.failover.from} → ${spec.failover.to}`);
    const objectives = [
      ...(spec.hypothesis.rto === undefined ? [] : [`RTO < ${formatDuration(spec.hypothesis.rto)}`]),
      ...(spec.hypothesis.rpo === undefined ? [] : [`RPO < ${formatDuration(spec.hypothesis.rpo)}`]),
      ...spec.slos.flatMap((slo) => (slo.expect ?? []).map((threshold) => `${slo.name} ${threshold.text}`)),
    ];
    const steady = spec.steadyState?.duration;
    const length =
      context.action === 'run'
        ? `about ${formatDuration((steady ?? 0) + spec.duration)}` +
          (steady === undefined
            ? ''
            : ` (${formatDuration(steady)} of steady state, then ${formatDuration(spec.duration)} observed)`)
        : 'as long as the runbook takes';
    this.first = {
      weight: 'headline',
      icon: context.action === 'run' ? 'test_tube' : 'rotating_light',
      title: `${capitalized(actionNoun[context.action])} starting: ${event.experiment}`,
      body: event.description ? [event.description] : [],
      fields: [
        { label: 'Who', value: `${context.by} on ${event.host}` },
        { label: 'Target', value: targetText(event.target) },
        {
          label: 'Expected impact',
          value: impact.length > 0 ? impact.join('\n') : 'no fault injected: traffic and probes only',
        },
        { label: 'Objectives', value: objectives.length > 0 ? objectives.join(', ') : 'none declared' },
        { label: 'Length', value: length },
        { label: 'Report', value: `${reportFiles.pdf} in this thread when the run ends` },
      ],
      context: [`run ${event.runId}`, event.file, `gameday ${event.gamedayVersion}`],
      links: context.reportUrl ? [{ label: 'the full report (when the run ends)', url: context.reportUrl }] : [],
      mention: context.mention,
    };
    return this.first;
  }

  /** The line this event adds to the thread, or null when it adds none. Every event must pass here, in order. */
  update(event: JournalEvent): Update | null {
    switch (event.type) {
      case 'observe.started':
        this.t0 = event.t0;
        return null;
      case 'traffic.samples':
        if (event.probe === this.started?.spec.traffic.name) this.remember(event.rows);
        return null;
      case 'fault.injected': {
        this.injectedAt.set(event.fault, event.at);
        const fault = this.started?.spec.faults?.find((candidate) => candidate.name === event.fault);
        const where = fault?.region ? ` on ${fault.region}` : '';
        const lasts = fault?.duration === undefined ? '' : ` for ${formatDuration(fault.duration)}`;
        return this.line(
          'fault',
          'boom',
          `fault ${event.fault} injected ${this.at(event.at)}: ${event.kind}${where}${lasts}`,
        );
      }
      case 'fault.inject-failed':
        return this.line('fault', 'x', `fault ${event.fault} could not be injected: ${event.error}`);
      case 'fault.reverting':
        this.revertReason.set(event.fault, event.reason);
        return null;
      case 'fault.reverted': {
        // The failback is undone on the same stack as the faults; its runbook step says it.
        const planned = this.started?.spec.faults;
        if (planned && !planned.some((fault) => fault.name === event.fault)) return null;
        const since = this.injectedAt.get(event.fault);
        const active = since === undefined ? '' : `, after ${formatDuration(event.at - since)} active`;
        const why = this.revertReason.get(event.fault);
        const reason = why === undefined || why === 'scheduled' ? '' : ` (${revertWords[why] ?? why})`;
        return this.line(
          'fault',
          'leftwards_arrow_with_hook',
          `fault ${event.fault} reverted ${this.at(event.at)}${active}${reason}`,
          this.clients(event.t),
        );
      }
      case 'fault.revert-failed':
        return this.line(
          'fault',
          'sos',
          `ROLLBACK FAILED for ${event.fault}: ${event.error}`,
          `Undo it from the journal: gameday recover ${this.started?.runDir ?? '<run dir>'}`,
          true,
        );
      case 'failover.step':
        return this.failoverStep(event);
      case 'failover.completed':
        return event.ok
          ? this.line(
              'failover',
              'white_check_mark',
              `failover ${event.from} → ${event.to} completed ${this.at(event.t)}: ${event.reason}`,
              this.clients(event.t),
            )
          : this.line('failover', 'x', `failover ${event.from} → ${event.to} FAILED: ${event.reason}`, null, true);
      case 'stop-condition.breached':
        return this.line(
          'stop',
          'octagonal_sign',
          `stop condition ${event.condition} breached ${this.at(event.t)}: ${event.detail}`,
          'The run aborts and rolls back every fault.',
          true,
        );
      case 'signal':
        return event.count === 1
          ? this.line(
              'stop',
              'octagonal_sign',
              `interrupted by ${event.signal} ${this.at(event.t)}: rolling back every fault`,
            )
          : null;
      case 'halt':
        return event.action === 'halt'
          ? this.line(
              'halt',
              'octagonal_sign',
              `gameday halt pulled by ${event.by}: ${event.reason ?? 'no reason given'}`,
              'The run stops and rolls back every fault.',
              true,
            )
          : this.line('halt', 'arrow_forward', `gameday halt released by ${event.by}`);
      case 'note':
        return this.line(
          'note',
          event.kind === 'note' ? 'memo' : 'pushpin',
          `${noteLabel(event)} from ${event.author}: ${event.text}`,
        );
      default:
        return null;
    }
  }

  /** The verdict from the final summary: the reply closing the thread, and the first message as edited. */
  finish(outcome: RunOutcome, reportUrl: string | null): Ending {
    const { summary } = outcome;
    const good = outcome.status === 'passed';
    const icon = verdictIcon(outcome.status);
    const report = reportLocation(outcome.runDir, reportFiles.html, this.started?.host);
    const links = reportUrl ? [{ label: 'the full report', url: reportUrl }] : [];
    const reply: Message = {
      weight: 'headline',
      icon,
      title: `${statusText(outcome.status)} ${summary.experiment}`,
      body: [plainWordsSummary({ ...summary, status: outcome.status, reason: outcome.reason })],
      fields: verdictFields(summary),
      context: [`report ${report}`],
      links,
      mention: good ? [] : this.mention,
    };
    const first = this.first ?? this.fallbackFirst(summary);
    const headline: Message = {
      ...first,
      icon,
      title: `${statusText(outcome.status)} ${actionNoun[this.action]}: ${summary.experiment}`,
      body: [`Verdict: ${good ? '' : `${outcome.reason}. `}${figuresLine(summary)}.`, ...(first.body ?? [])],
      fields: (first.fields ?? []).map((field) =>
        field.label === 'Report' ? { label: 'Report', value: `${reportFiles.pdf} in the thread; ${report}` } : field,
      ),
      links,
      mention: [],
    };
    return { reply, headline };
  }

  private failoverStep(event: EventOf<'failover.step'>): Update | null {
    if (event.status === 'started') {
      this.stepStartedAt.set(event.step, event.at);
      return null;
    }
    const since = this.stepStartedAt.get(event.step);
    const took = since === undefined ? '' : ` in ${formatDuration(Math.max(0, event.at - since))}`;
    if (event.status === 'failed')
      return this.line(
        'failover',
        'x',
        `failover step ${event.step} FAILED${took}: ${event.error ?? 'no reason given'}`,
        null,
        true,
      );
    if (event.status === 'skipped')
      return this.line('failover', 'fast_forward', `failover step ${event.step} skipped${detailText(event.detail)}`);
    return this.line(
      'failover',
      'arrow_right',
      `failover step ${event.step} succeeded${took} ${this.at(event.at)}${detailText(event.detail)}`,
    );
  }

  private line(kind: UpdateKind, icon: string, title: string, body: string | null = null, call = false): Update {
    return {
      kind,
      message: {
        weight: 'update',
        icon,
        title: this.scope ? `${this.scope}: ${title}` : title,
        body: body ? [body] : [],
        mention: call ? this.mention : [],
      },
    };
  }

  /** '(+5.20s)' from the start of observation; nothing before it. */
  private at(t: number): string {
    return this.t0 === null ? '' : `at ${formatOffset(Math.max(0, t - this.t0))}`;
  }

  /** Keeps the traffic's last rows: enough for `clients`, pruned once they span twice its window. */
  private remember(rows: readonly SampleRow[]): void {
    for (const row of rows) this.recent.push([row[0], row[3] === 1]);
    if (this.recent.length === 0) return;
    const newest = this.recent[this.recent.length - 1][0];
    if (this.recent[0][0] < newest - 2 * recentWindowMs)
      this.recent = this.recent.filter(([t]) => t >= newest - recentWindowMs);
  }

  /** What clients saw over the last seconds of traffic written before `t`. */
  private clients(t: number): string | null {
    const window = this.recent.filter(([at]) => at >= t - recentWindowMs && at <= t);
    if (window.length === 0) return null;
    const ok = window.filter(([, good]) => good).length;
    return (
      `Clients over the last ${formatDuration(recentWindowMs)}: ${formatRatio(ok / window.length)} of ` +
      `${window.length} requests succeeded.`
    );
  }

  private fallbackFirst(summary: RunSummary): Message {
    return { weight: 'headline', icon: 'test_tube', title: `Drill starting: ${summary.experiment}`, fields: [] };
  }
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const revertWords: Record<string, string> = {
  end: 'at the end of the observation',
  abort: 'the run aborted',
  error: 'after an error',
};

/** The parts of a failover step's detail people read: what was verified, where traffic and the writer went. */
function detailText(detail: Record<string, unknown> | undefined): string {
  if (!detail) return '';
  for (const key of ['verified', 'dns', 'servedBy', 'reason']) {
    const value = detail[key];
    if (typeof value === 'string' && value !== '') return `: ${key === 'servedBy' ? `served by ${value}` : value}`;
  }
  const writer = detail.writer;
  return typeof writer === 'string' ? `: writer ${writer.replace(/^arn:aws:rds:[^:]+:\d+:cluster:/, '')}` : '';
}

/** The target in a few words: its kind and its regions or endpoints. */
export function targetText(target: TargetDescription): string {
  const regions = Array.isArray(target.regions)
    ? (target.regions as unknown[]).map((region) =>
        typeof region === 'string' ? region : String((region as { name?: unknown }).name),
      )
    : [];
  const endpoints =
    target.endpoints && typeof target.endpoints === 'object' ? Object.keys(target.endpoints as object) : [];
  const account = Array.isArray(target.accountIds) ? ` account ${(target.accountIds as string[]).join(', ')}` : '';
  const what = regions.length > 0 ? listOf(regions) : endpoints.length > 0 ? `endpoints ${endpoints.join(', ')}` : '';
  return `${target.kind}${account}${what ? ` (${what})` : ''}`;
}

/** The figures the report leads with, in one line: RTO, RPO, each SLO's budget burned, the failback's cost. */
export function figuresLine(summary: RunSummary): string {
  const parts = [`RTO ${rtoMeasured(summary.rto)}`];
  if (summary.rpo)
    parts.push(
      summary.rpo.ms === null
        ? 'RPO not measured'
        : `RPO ${formatDuration(summary.rpo.ms)} (${summary.rpo.lostWrites} of ${summary.rpo.ackedWrites} writes lost)`,
    );
  for (const slo of summary.slos)
    parts.push(
      slo.budgetConsumedPct === null
        ? `${slo.name} budget not measured`
        : `${formatPercent(slo.budgetConsumedPct)} of ${slo.name}'s ${formatDuration(slo.windowMs)} budget burned`,
    );
  if (summary.failback) parts.push(failbackText(summary.failback));
  return parts.join(' · ');
}

function verdictFields(summary: RunSummary): Array<{ label: string; value: string }> {
  const against = (objectiveMs: number | null, met: boolean | null) =>
    objectiveMs === null
      ? ''
      : ` (objective ${formatDuration(objectiveMs)}${met === null ? '' : met ? ', met' : ', MISSED'})`;
  const fields = [
    { label: 'RTO', value: `${rtoMeasured(summary.rto)}${against(summary.rto.objectiveMs, summary.rto.met)}` },
  ];
  const rpo = summary.rpo;
  fields.push({
    label: 'RPO',
    value: !rpo
      ? 'not measured (no write ledger)'
      : rpo.ms === null
        ? `not measured${rpo.note ? ` (${rpo.note})` : ''}`
        : `${formatDuration(rpo.ms)}: ${rpo.lostWrites} of ${rpo.ackedWrites} acknowledged writes lost` +
          `${rpo.splitBrain ? ', SPLIT BRAIN' : ''}${against(rpo.objectiveMs, rpo.met)}`,
  });
  for (const slo of summary.slos) {
    const judged = slo.thresholds.map((threshold) => `${threshold.text} ${threshold.met ? 'met' : 'MISSED'}`);
    fields.push({
      label: `Budget burned: ${slo.name}`,
      value:
        slo.budgetConsumedPct === null
          ? 'not measured'
          : `${formatPercent(slo.budgetConsumedPct)} of the ${formatDuration(slo.windowMs)} budget` +
            (judged.length > 0 ? ` (${judged.join(', ')})` : ''),
    });
  }
  if (summary.failover)
    fields.push({
      label: 'Failover',
      value:
        `${summary.failover.from} → ${summary.failover.to} ` +
        (summary.failover.ok ? 'completed' : `FAILED: ${summary.failover.reason}`),
    });
  if (summary.failback) fields.push({ label: 'Failback', value: failbackText(summary.failback) });
  if (summary.durationMs !== null) fields.push({ label: 'Took', value: formatDuration(summary.durationMs) });
  return fields;
}
