import type { RunStatus, TargetDescription } from '../core/events';
import type { LatencySummary } from '../measure/percentiles';
import type { PhaseName } from '../measure/phases';
import type { ProbeSummary, ResourceSummary, RpoSummary, StaleReadSummary } from '../probes';
import type { FailoverSummary } from './failover';
import type { NoteSummary } from './notes';
import type { FailbackCost, ImpactCause, ImpactEpisode } from './impact';
import type { RtoBounds } from './bounds';
import type { ProbeSeries } from './series';
import type { SloSummary } from './slos';

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

export interface RunSummary {
  schema: typeof summarySchemaId;
  runId: string;
  experiment: string;
  description: string;
  file: string;
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
    /** Requests per region that served them (x-gameday-region), when the service says. */
    regions: Record<string, number>;
  };
  rto: RtoSummary;
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
  /** From the read-your-writes probe, when the experiment has one: how often a client's own write was not there yet. */
  staleReads: StaleReadSummary | null;
  /** From the resources probe, when the experiment has one: what each side's processes consumed over the drill. */
  resources: ResourceSummary | null;
  /** Error-budget burn per SLO in the experiment (see measure/slo.ts). */
  slos: SloSummary[];
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
