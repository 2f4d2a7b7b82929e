import type { ConsistencyReport } from './data-snapshot';
import type { RollbackRecord } from './rollback-record';

export type { AwsConnectionRecord, LabRequest, RollbackRecord } from './rollback-record';

/**
 * Journal events: the only record of a run. Reports and `gameday recover` read nothing
 * else, so every fact a report shows must arrive here as an event.
 */

/** `halted`: stopped by the safety lever (`gameday halt`), or refused while it was pulled. */
export type RunStatus = 'passed' | 'failed' | 'aborted' | 'error' | 'halted';
export type Phase = 'preflight' | 'steady-state' | 'observe' | 'rollback' | 'post-check' | 'done';

/** A target as a run's journal describes it: its kind, and whatever its adapter needs to find it again. */
export type TargetDescription = { kind: string; [key: string]: unknown };

/** The CI job a run ran in, as its provider's environment names it. */
export interface CiJob {
  /** 'github-actions', 'gitlab', 'jenkins', 'buildkite', or 'ci' (CI=true, provider unknown). */
  provider: string;
  job: string | null;
  url: string | null;
}

/** A threshold as written and parsed: 'budget<5%' is { metric: 'budget', op: '<', value: 5 }. */
export interface ThresholdRecord<M extends string = string> {
  metric: M;
  op: '<' | '<=';
  value: number;
  text: string;
}

/** An SLO as the journal carries it (durations in ms). */
export interface SloRecord {
  name: string;
  sli: 'availability' | 'latency' | 'promql';
  /** Percent: 99.9. */
  objective: number;
  window: number;
  threshold?: number;
  probe?: string;
  /** sli 'promql': the counters of good events and of all events. */
  good?: string;
  total?: string;
  expect?: ThresholdRecord<'budget' | 'burn' | 'alerts'>[];
  alerts?: Array<{ long: number; short: number; factor: number }>;
  burnWindow: number;
}

/**
 * The version of the experiment record `run.started` carries; journals from before it was written have the same shape.
 */
export const experimentRecordVersion = 1;

/**
 * The resolved experiment as `run.started` records it, durations in ms: what a summary is
 * rebuilt from, long after the run. The engine writes the whole resolved experiment (this
 * is the part reports read back); its type is checked against this one where it is written.
 */
export interface ExperimentRecord {
  recordVersion?: typeof experimentRecordVersion;
  name: string;
  hypothesis: {
    /** The headline journey's RTO objective. */
    rto?: number;
    /** Objectives of other journeys by name (per-journey RTO arrived later: older journals lack it). */
    rtoByJourney?: Record<string, number>;
    /** The journey whose RTO is the headline, when not the traffic's. */
    headline?: string;
    rpo?: number;
    /** The object ledger's RPO objective (arrived with it: older journals lack it). */
    objectRpo?: number;
    slo?: ThresholdRecord<'budget' | 'burn' | 'alerts'>[];
    recovery: { successRatio: number; window: number };
  };
  /** Timeout and DNS caching arrived with the RTO bounds: older journals lack them. */
  traffic: { name: string; rate: number; timeout?: number; dns?: { cache: 'ttl' | 'sticky'; stickyFor?: number } };
  slos: SloRecord[];
  failover?: { from?: string; to?: string } | null;
  /** The team's alert rules: their files, and the SLO gameday evaluates their windows on. */
  alerts?: { rules: string[]; evaluationInterval?: number; slo?: string };
  /** Observation length, ms. */
  duration: number;
  /**
   * What the run will do, as resolved (ms): the faults (kind-specific fields besides these) and the steady state
   * measured first. What a run's notifications announce before anything happens.
   */
  faults?: Array<{ name: string; kind: string; after: number; duration?: number; region?: string }>;
  steadyState?: { duration: number };
  /** The service its runs are evidence for, and how long they stay current (ms); absent before scores were kept. */
  service?: string;
  staleAfter?: number;
  /** What `gameday gate --baseline` compares this run with: set by the gate, never written in a file. */
  baseline?: BaselineRecord;
}

export type BaselineMetric = 'rto' | 'rpo' | 'budget' | 'p99';

/** How much worse than the baseline a metric may get: a share of the baseline (%), an amount, or the larger of both. */
export interface Tolerance {
  pct: number | null;
  /** ms for rto, rpo and p99; percentage points of the error budget for budget. */
  amount: number | null;
}

/** The run a gate compares against, as measured, and the tolerances it was given. */
export interface BaselineRecord {
  runId: string;
  /** The baseline's run directory, as given (or found in the history directory given). */
  dir: string;
  startedAt: string;
  status: string;
  rto: { ms: number | null; recovered: boolean | null };
  rpoMs: number | null;
  p99Ms: number | null;
  budgets: Array<{ slo: string; pct: number | null }>;
  tolerance: Record<BaselineMetric, Tolerance>;
}

/**
 * A traffic outcome, compact: [t (ms, scheduled time), latencyMs, status or 0, ok 1/0, error code or '', region or ''].
 */
export type SampleRow = [number, number, number, 0 | 1, string, string];

/**
 * A ledger write, compact: [seq, t (ms, scheduled time), latencyMs (ack or failure time − t),
 * status or 0, acknowledged 1/0, error code or '', writer (x-gameday-writer) or '', region or ''].
 */
export type LedgerRow = [number, number, number, number, 0 | 1, string, string, string];

/**
 * A periodic check (dns, sql and function probes), compact: [t (ms, scheduled time),
 * latencyMs, ok 1/0, error text or '', value or null]. The value is small and kind-specific:
 * dns {rcode, ttl, answers}, sql the first column of the first row, function what it returned.
 */
export type CheckRow = [number, number, 0 | 1, string, unknown];

/** A rule as the Prometheus that evaluated it reports it (/api/v1/rules), durations in ms. */
export interface PrometheusRuleRecord {
  group: string;
  file: string;
  /** Its group's evaluation interval. */
  intervalMs: number;
  type: 'alerting' | 'recording';
  name: string;
  /** Its expression as the server prints it. */
  query: string;
  /** `for:` and `keep_firing_for:` (0 when absent). */
  forMs: number;
  keepFiringForMs: number;
  labels: Record<string, string>;
}

/** One alert (an alerting rule's instance, by its labels) as ALERTS and ALERTS_FOR_STATE recorded it. */
export interface AlertInstanceRecord {
  alertname: string;
  /** Its labels but __name__, alertname and alertstate. */
  labels: Record<string, string>;
  /** [first, last] evaluation (epoch ms) of each run of evaluations in that state. */
  pending: Array<[number, number]>;
  firing: Array<[number, number]>;
  /** The evaluation each activation began at (ALERTS_FOR_STATE's first sample of it), epoch ms. */
  activeSince: number[];
}

/** A burn condition's left side (an error ratio) as Prometheus computed it over the drill: [epoch ms, value]. */
export interface AlertConditionSeries {
  rule: string;
  lhs: string;
  points: Array<[number, number]>;
}

/**
 * A read-your-writes pair, compact: [seq, t (ms, scheduled time), write latencyMs, write status or 0, acknowledged
 * 1/0, region that acknowledged it or '', the region's first answer: 1 had the write, 0 did not yet (behind), -1 no
 * answer at all (unreachable, an error), ms from the acknowledgement to the first read that found it or -1 when none
 * did (gave up, or the observation ended first), gave up 1/0].
 */
export type ReadRow = [number, number, number, number, 0 | 1, string, 1 | 0 | -1, number, 0 | 1];

/**
 * What the target's processes consumed at one moment (resources probe), compact: [t, per region [region, side,
 * per process [pid, cpuMs (since it started), private bytes, shared bytes]]].
 */
export type UsageRow = [number, Array<[string, 'active' | 'standby', Array<[number, number, number, number]>]>];

/**
 * What a k6 request or check was tagged with, written once per probe and referred to by
 * `id` from then on: a k6 script's names repeat on every request, and a journal written
 * at k6's rates would be mostly those names. `name` is the request's name tag (its URL
 * unless the script names it) or the check's name.
 */
export interface K6TagSet {
  id: number;
  kind: 'request' | 'check';
  scenario: string;
  name: string;
  group: string;
}

/**
 * A k6 request, compact: [t (ms, when it started, on gameday's clock), latencyMs (http_req_duration),
 * status or 0, ok 1/0, k6 error code or '', region tag or '', tag set id].
 */
export type K6RequestRow = [number, number, number, 0 | 1, string, string, number];

/** A k6 check, compact: [t (ms, on gameday's clock), ok 1/0, tag set id]. */
export type K6CheckRow = [number, 0 | 1, number];

/** One of k6's thresholds as its end-of-test summary judged it. */
export interface K6ThresholdRecord {
  metric: string;
  threshold: string;
  ok: boolean;
}

/**
 * A browser journey, compact: [t (ms, when it was due), durationMs, ok 1/0, error or '', region that served its
 * last page or '', steps [name, ms, ok 1/0] in order, what a failure left ({ screenshot, trace }: paths relative to
 * the run directory) or null, how many times Chromium asked the target's DNS for the site's address during it (null
 * when it resolved through the system's resolver, which gameday does not see)].
 */
export type JourneyRow = [
  number,
  number,
  0 | 1,
  string,
  string,
  Array<[string, number, 0 | 1]>,
  { screenshot: string | null; trace: string | null } | null,
  number | null,
];

export type JournalEventInput =
  | {
      type: 'run.started';
      runId: string;
      runDir: string;
      experiment: string;
      file: string;
      description: string;
      target: TargetDescription;
      gamedayVersion: string;
      pid: number;
      host: string;
      /** Who started it, and the CI job it ran in; absent from journals written before evidence was kept. */
      user?: string;
      ci?: CiJob | null;
      /** SHA-256 of the experiment file when the run started; null for an inline experiment (no file of its own). */
      fileSha256?: string | null;
      /** The resolved experiment, durations in ms: enough to re-render any report. */
      spec: ExperimentRecord;
    }
  | { type: 'phase'; phase: Phase }
  /** The target as opened for this run (for the lab: where it is, so recover can reach it). */
  | { type: 'target.opened'; target: TargetDescription }
  | { type: 'target.closed' }
  | { type: 'preflight.check'; check: string; ok: boolean; detail: string }
  | {
      type: 'steady-state';
      when: 'before' | 'after';
      ok: boolean;
      successRatio: number | null;
      required: number;
      samples: number;
      /** The window's failed requests by failure ('TIMEOUT', 'HTTP 503', …); absent in journals before it was kept. */
      failures?: Record<string, number>;
    }
  | { type: 'observe.started'; t0: number; durationMs: number }
  | {
      type: 'probe.started';
      probe: string;
      kind: string;
      url: string;
      rate: number;
      client?: string;
      /** How it runs, in words, when the kind has more to say (a browser probe: its Chromium and name resolution). */
      detail?: string;
    }
  | { type: 'probe.stopped'; probe: string; requests: number; errors: number }
  | { type: 'traffic.samples'; probe: string; rows: SampleRow[] }
  | { type: 'ledger.samples'; probe: string; rows: LedgerRow[] }
  | { type: 'check.samples'; probe: string; rows: CheckRow[] }
  | { type: 'read.samples'; probe: string; rows: ReadRow[] }
  | { type: 'usage.samples'; probe: string; rows: UsageRow[] }
  /**
   * The consistency probe's check once the observation ended: its verdict on what every region's database held
   * (data-active-active), or why there was none to give (null: the target has one writer, or could not be read).
   */
  | { type: 'consistency.checked'; probe: string; report: ConsistencyReport | null; note: string | null }
  | { type: 'journey.samples'; probe: string; rows: JourneyRow[] }
  /** Object ledger PUTs: [seq, t (scheduled), latencyMs, ok]. */
  | { type: 'objects.samples'; probe: string; rows: Array<[number, number, number, boolean]> }
  /** Object ledger replicas first seen in the destination bucket: [seq, seenAt]. */
  | { type: 'objects.replicas'; probe: string; rows: Array<[number, number]> }
  /** What the destination bucket held after the observation, and the order rows whose objects it lacks. */
  | {
      type: 'objects.readback';
      probe: string;
      region: string;
      bucket: string;
      ok: boolean;
      seqs: number[];
      attempts: number;
      error?: string;
      /** The dangling-reference check: keys the database names, and those missing from the bucket. */
      references: { checked: number; missing: string[]; error?: string } | null;
    }
  /** What the writer held after the observation: every seq of this run's client, duplicates kept. */
  | ({ type: 'ledger.readback'; probe: string; client: string; url: string } & ReadBack)
  | {
      type: 'fault.injecting';
      fault: string;
      kind: string;
      /** What undoes it, as data `gameday recover` can act on. */
      rollback: RollbackRecord;
      detail: Record<string, unknown>;
    }
  | { type: 'fault.injected'; fault: string; kind: string; at: number; detail?: Record<string, unknown> }
  | { type: 'fault.inject-failed'; fault: string; kind: string; error: string }
  | { type: 'fault.reverting'; fault: string; reason: 'scheduled' | 'end' | 'abort' | 'error' }
  | { type: 'fault.reverted'; fault: string; at: number; detail?: Record<string, unknown> }
  | { type: 'fault.revert-failed'; fault: string; error: string }
  | { type: 'stop-condition.breached'; condition: string; detail: string }
  /** The Prometheus the run asks, made ready before anything is injected (the lab's started and given the rules). */
  | {
      type: 'prometheus.opened';
      source: 'lab' | 'target';
      url: string;
      /** Its start, when this run started it. */
      startupMs: number | null;
      /** Epoch ms its data begins (a lab Prometheus started for the run); null for a server with its own history. */
      dataSince: number | null;
      scrapeIntervalMs: number | null;
      evaluationIntervalMs: number | null;
      ruleFiles: Array<{ name: string; path: string }>;
    }
  /**
   * What Prometheus recorded over the drill, asked once the run is over (read only): every alert that went pending or
   * fired, the rules behind them, and each burn condition's ratio as it computed it.
   */
  | {
      type: 'alerts.observed';
      source: 'lab' | 'target';
      url: string;
      /** The window asked, epoch ms; the rules' evaluation interval, which the conditions' ratios were queried at. */
      from: number;
      to: number;
      stepMs: number;
      rules: PrometheusRuleRecord[];
      alerts: AlertInstanceRecord[];
      conditions: AlertConditionSeries[];
      error?: string;
    }
  /** A PromQL SLI's events per step over the drill, asked once the run is over: [epoch ms, good, total]. */
  | {
      type: 'slo.promql-samples';
      slo: string;
      stepMs: number;
      points: Array<[number, number, number]>;
      error?: string;
    }
  /** One step of the failover runbook; `at` is when the step's effect happened, when the API says. */
  | {
      type: 'failover.step';
      step: string;
      status: 'started' | 'succeeded' | 'failed' | 'skipped';
      at: number;
      detail?: Record<string, unknown>;
      error?: string;
    }
  | { type: 'failover.completed'; from: string; to: string; ok: boolean; reason: string }
  | { type: 'signal'; signal: string; count: number }
  | { type: 'error'; message: string; where: string }
  | { type: 'run.finished'; status: RunStatus; reason: string }
  /**
   * The safety lever as this run saw it in the halt file: pulled (the run rolls back and ends `halted`) or
   * released. `since` is when it was pulled or released, `by` the OS user who did it.
   */
  | { type: 'halt'; action: 'halt' | 'release'; since: string; by: string; host: string; reason: string | null }
  /** Written from another terminal while the run went on (`gameday note`); `author` is that terminal's OS user. */
  | { type: 'note'; id: string; kind: NoteKind; text: string; owner: string | null; author: string; host: string }
  /* A GameDay's own journal (the scenario's run directory), beside each experiment's in its own. */
  | {
      type: 'scenario.started';
      runId: string;
      runDir: string;
      scenario: string;
      file: string;
      description: string;
      /** The day's one target, as declared; `target.opened` says where it really was. */
      target: TargetDescription;
      gamedayVersion: string;
      pid: number;
      host: string;
      user?: string;
      ci?: CiJob | null;
      fileSha256?: string | null;
      spec: ScenarioRecord;
    }
  | {
      type: 'step.started';
      step: number;
      kind: ScenarioStepKind;
      name: string;
      /** The step in a line: the experiment's file, the question, the pause's reason, the note's text. */
      detail: string;
      /** An experiment step's run, relative to the scenario's run directory. */
      runId?: string;
      runDir?: string;
    }
  | {
      type: 'step.finished';
      step: number;
      kind: ScenarioStepKind;
      name: string;
      status: StepStatus;
      reason: string;
      /** What an experiment step's run concluded. */
      run?: StepRunRecord;
    }
  | { type: 'step.skipped'; step: number; kind: ScenarioStepKind; name: string; reason: string }
  | { type: 'checkpoint.asked'; step: number; question: string; timeoutMs: number | null; default: 'yes' | 'no' }
  | {
      type: 'checkpoint.answered';
      step: number;
      answer: 'yes' | 'no';
      /** Who answered: a name (`gameday approve --as`), the user at the terminal, or nobody when the timeout did. */
      by: string;
      via: CheckpointChannel;
      /** From the question to the answer: the human part of the day's timing. */
      decisionMs: number;
    }
  | { type: 'scenario.finished'; status: RunStatus; reason: string }
  /** A k6 probe's k6 process, as started; files are relative to the run directory. */
  | {
      type: 'k6.started';
      probe: string;
      pid: number;
      /** `k6` and its arguments as run. */
      command: string[];
      version: string;
      files: { points: string; summaryExport: string; log: string };
    }
  /** Its requests and checks read from k6's JSON output, with the tag sets first seen in this batch. */
  | { type: 'k6.samples'; probe: string; tagSets: K6TagSet[]; requests: K6RequestRow[]; checks: K6CheckRow[] }
  /**
   * Its k6 process ended: by itself, or stopped by gameday at the end of the observation. `thresholds` is what k6's
   * summary export said, null without one; `declared` what the JSON output declared.
   */
  | {
      type: 'k6.finished';
      probe: string;
      exitCode: number | null;
      signal: string | null;
      stoppedBy: 'gameday' | 'k6';
      thresholds: K6ThresholdRecord[] | null;
      declared: Array<{ metric: string; thresholds: string[] }>;
      malformedLines: number;
      note: string | null;
    }
  /** One readiness check of a GameDay's check step (`gameday check`'s lines), as it found the target. */
  | {
      type: 'readiness.check';
      step: number;
      check: string;
      status: 'ok' | 'failed' | 'skipped';
      detail: string;
      fix?: string;
    };

/** A plain note, a finding (something learnt), or an action item (something to do, with its owner). */
export type NoteKind = 'note' | 'finding' | 'action';

export type JournalEvent = JournalEventInput & { seq: number; t: number };

/** A GameDay's step kinds, as its journal names them. */
export type ScenarioStepKind = 'experiment' | 'checkpoint' | 'wait' | 'note' | 'check';

/** How a step ended: an experiment's verdict; `done` for a checkpoint answered, a wait over, a note said. */
export type StepStatus = RunStatus | 'done';

/** How a checkpoint was answered: at the terminal, by --yes, by `gameday approve`, or by its timeout's default. */
export type CheckpointChannel = 'terminal' | 'yes-flag' | 'approve' | 'timeout';

export const scenarioRecordVersion = 1;

/**
 * The scenario as `scenario.started` records it: what the day's summary and reports are
 * rebuilt from. Its experiments are recorded by their own runs' journals.
 */
export interface ScenarioRecord {
  recordVersion: typeof scenarioRecordVersion;
  name: string;
  participants: Array<{ name: string; role: string; slack?: string }>;
  /** As written ('passed', 'budget<5%', 'rto<60s'), with the bound parsed (ms for rto and rpo, percent for budget). */
  objectives: Array<{ metric: 'passed' | 'budget' | 'rto' | 'rpo'; text: string; op?: '<' | '<='; value?: number }>;
  tags: string[];
  agenda: AgendaRecord;
}

/** The plan of the day: each step at the offset it is expected to start at, to set against what happened. */
export interface AgendaRecord {
  /** The whole day, checkpoints counted as instant (people take what they take). */
  expectedMs: number;
  steps: Array<{
    step: number;
    kind: ScenarioStepKind;
    name: string;
    detail: string;
    /** Expected start, from the start of the day. */
    atMs: number;
    expectedMs: number;
    continueOnFailure?: boolean;
  }>;
}

/** What an experiment step's run concluded, from its summary when it ended: what the day's verdict is judged on. */
export interface StepRunRecord {
  runId: string;
  /** Its run directory, relative to the scenario's: each experiment keeps its own journal and full report there. */
  runDir: string;
  file: string;
  status: RunStatus | 'running';
  reason: string;
  durationMs: number | null;
  rto: {
    ms: number | null;
    objectiveMs: number | null;
    met: boolean | null;
    recovered: boolean | null;
    atLeastMs: number | null;
  };
  rpo: {
    ms: number | null;
    objectiveMs: number | null;
    met: boolean | null;
    lostWrites: number;
    ackedWrites: number;
  } | null;
  slos: Array<{ name: string; windowMs: number; budgetConsumedPct: number | null; met: boolean | null }>;
  /** The run summary's notes, findings and action items (`gameday note`), as they were; absent when it has none. */
  notes?: unknown;
}

export type EventOf<T extends JournalEvent['type']> = Extract<JournalEvent, { type: T }>;

/** What the write ledger read back from the writer after the run. */
export interface ReadBack {
  ok: boolean;
  /** Every seq the writer holds for this client, as answered (duplicates kept). */
  seqs: number[];
  /** x-gameday-writer and x-gameday-region of the answer. */
  writer: string;
  region: string;
  attempts: number;
  error?: string;
}
