import type { BaselineMetric, RunStatus, TargetDescription, Tolerance } from '../core/events';
import type { LatencySummary } from '../measure/percentiles';
import type { PhaseName } from '../measure/phases';
import type {
  ConsistencySummary,
  ObjectRpoSummary,
  ProbeSummary,
  ResourceSummary,
  RpoSummary,
  StaleReadSummary,
} from '../probes';
import type { FailoverSummary } from './failover';
import type { NoteSummary } from './notes';
import type { FailbackCost, ImpactCause, ImpactEpisode } from './impact';
import type { RtoBounds } from './bounds';
import type { ProbeSeries } from './series';
import type { SloSummary } from './slos';
import type { AlertsSummary } from './alerts-summary';

/**
 * summary.json: everything a run measured, derived from its journal alone. Reports,
 * the verdict, the gate and the history page read this and nothing else. Its shape is
 * versioned by `schema`; a change that removes or renames a field needs a new version
 * and a reader for the old one.
 */
export const summarySchemaId = 'gameday/run/v2';

export interface FaultSummary {
  name: string;
  kind: string;
  injectedAt: string | null;
  revertedAt: string | null;
  /** Offsets from the start of observation, ms. */
  injectedAtMs: number | null;
  revertedAtMs: number | null;
  activeMs: number | null;
  rollback: string;
  error: string | null;
}

export interface RtoSummary {
  ms: number | null;
  objectiveMs: number | null;
  met: boolean | null;
  recovered: boolean | null;
  /** When RTO is not reached by the end of the run, it is at least this. */
  atLeastMs: number | null;
  /** When the clock started: the fault that caused the longest outage became active (its `cause`). */
  tFault: string | null;
  /** The fault whose outage the RTO measures: the last one active at or before that outage's first failed request. */
  cause: ImpactCause | null;
  /** That first failed request (impact onset), and its offset from the start of observation. */
  tOnset: string | null;
  onsetMs: number | null;
  tRecovered: string | null;
  failedRequests: number;
  criteria: { successRatio: number; windowMs: number };
  note: string | null;
  /**
   * With a failover runbook: detection, decision, fencing, promotion, traffic shift, stabilisation; they add up to ms.
   */
  phases: Array<{ name: PhaseName; ms: number }> | null;
  /** What the configuration and the measured runbook allow, and where the RTO falls (analysis/bounds.ts). */
  bounds: RtoBounds | null;
}

/**
 * One journey's outcome and RTO: every http probe (the traffic included) and every browser
 * journey is one; a probe kind may report several (ProbeResult.journeys).
 */
export interface JourneySummary {
  name: string;
  probe: string;
  kind: string;
  /** Whether the run's headline RTO (summary.rto) is this journey's. */
  headline: boolean;
  samples: number;
  failed: number;
  successRatio: number | null;
  /** How long each attempt took (a request; a whole browser journey), from when it was due. */
  latencyMs: LatencySummary;
  /** Attempts per region that served them, when the service says. */
  regions: Record<string, number>;
  /** Its RTO, with its recovery criterion and objective (phases and bounds on the headline only). */
  rto: RtoSummary;
  /** Its outcome over time: runs of attempts with the same outcome, offsets from the observation's start. */
  outcomes: Array<{ fromMs: number | null; toMs: number | null; ok: boolean; samples: number }>;
  /** Runs left out between the first and last kept ones. */
  outcomesOmitted?: number;
}

export interface RunSummary {
  schema: typeof summarySchemaId;
  runId: string;
  experiment: string;
  description: string;
  file: string;
  /** The service the run is evidence for (the experiment's `service`, or its GameDay's); null when untagged. */
  service: string | null;
  /** How long the run stays current evidence for the service's score (`staleAfter`); null: the default. */
  staleAfterMs: number | null;
  target: TargetDescription;
  status: RunStatus | 'running';
  reason: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  runDir: string;
  faults: FaultSummary[];
  traffic: {
    probe: string;
    url: string;
    rate: number;
    requests: number;
    errors: number;
    successRatio: number | null;
    /** From each request's scheduled time, so queueing behind a slow server counts. Over the whole run. */
    latencyMs: LatencySummary;
    /** The same before the first fault, from its injection until the last was reverted, and after. */
    latencyByPeriod: Record<'beforeFaults' | 'duringFaults' | 'afterFaults', LatencySummary & { requests: number }>;
    /** Requests served per region (x-gameday-region), successes only, when the service says. */
    regions: Record<string, number>;
  };
  rto: RtoSummary;
  /** Every journey's RTO with its criterion, in the order the probes were declared (the traffic first). */
  journeys: JourneySummary[];
  /** Every time clients were hurt, in order: its cause, onset, recovery, failed requests, latency and budget. */
  impact: ImpactEpisode[];
  /** What failing back cost clients, when the run failed back. */
  failback: FailbackCost | null;
  /** The failover runbook, step by step, when the experiment has one. */
  failover: FailoverSummary | null;
  /**
   * Further probes, measured alongside the traffic: http, and the dns, sql and function checks with their outcome
   * changes.
   */
  probes: ProbeSummary[];
  /** From the write ledger, when the experiment has one (see measure/rpo.ts). */
  rpo: RpoSummary | null;
  /** From the object ledger, when the experiment has one: object RPO, lag, dangling references (older: absent). */
  objects?: ObjectRpoSummary | null;
  /** From the read-your-writes probe, when the experiment has one: how often a client's own write was not there yet. */
  staleReads: StaleReadSummary | null;
  /** From the resources probe, when the experiment has one: what each side's processes consumed over the drill. */
  resources: ResourceSummary | null;
  /**
   * From the consistency probe, when the experiment has one: what every region's database held once replication caught
   * up (data-active-active: conflicting writes, lost updates, divergent rows). Absent in summaries written before it.
   */
  consistency?: ConsistencySummary | null;
  /** Error-budget burn per SLO in the experiment (see measure/slo.ts). */
  slos: SloSummary[];
  /**
   * The team's alert rules (experiment `alerts`): every alert Prometheus raised, and each rule beside gameday's own
   * evaluation of its windows (analysis/alerts.ts); null when the experiment names no rules.
   */
  alerts: AlertsSummary | null;
  /** Set against the baseline run `gameday gate --baseline` named (analysis/baseline.ts); null otherwise. */
  baseline: BaselineComparison | null;
  /** Per-second timelines of the traffic and every http probe, for charts. */
  series: ProbeSeries[];
  steadyState: {
    before: { ok: boolean; successRatio: number | null; required: number } | null;
    after: { ok: boolean; successRatio: number | null; required: number } | null;
  };
  stopConditions: { condition: string; detail: string; at: string }[];
  errors: string[];
  /** Notes, findings and action items written during the run (`gameday note`), in the order the run took them. */
  notes: NoteSummary[];
  timeline: { t: number; offsetMs: number | null; event: string }[];
}

/** One metric of a run set against the baseline's: within its tolerance, or a regression. */
export interface BaselineMetricComparison {
  metric: BaselineMetric;
  /** 'RTO', 'RPO', 'p99 latency', 'budget <slo>'. */
  name: string;
  /** ms, or % of the error budget for budget. */
  baseline: number;
  /** null: this run did not measure it (clients never recovered, the ledger could not read back). */
  measured: number | null;
  /** The most it may be: the baseline, its tolerance, the measurement's resolution. */
  allowed: number;
  /** + or − percent of the baseline; null from a baseline of 0, or when not measured. */
  changePct: number | null;
  tolerance: Tolerance;
  /** What two runs of one configuration can differ by with nothing changed (one request interval, …). */
  resolution: number;
  met: boolean;
}

export interface BaselineComparison {
  runId: string;
  dir: string;
  startedAt: string;
  status: string;
  metrics: BaselineMetricComparison[];
}
