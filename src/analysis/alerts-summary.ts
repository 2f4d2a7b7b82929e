/**
 * summary.json's `alerts`: the team's alert rules against the drill (folded by
 * analysis/alerts.ts). Times are from the first fault becoming active (from the start of
 * observation when there was none); ratios are fractions (0.0144 for 1.44%).
 */

export interface AlertSummary {
  alertname: string;
  labels: Record<string, string>;
  /** From the first fault (from the start of observation without one). */
  pendingAfterMs: number | null;
  firingAfterMs: number | null;
  /** When it stopped being active; null when it still was at the end of the window. */
  resolvedAfterMs: number | null;
  /** Time in each state within the window. */
  pendingMs: number;
  firingMs: number;
  /** Its state when the window ended. */
  activeAtEnd: 'pending' | 'firing' | null;
}

export interface RuleConditionSummary {
  window: string;
  windowMs: number;
  /** The error ratio it must exceed. */
  threshold: number;
  /** The threshold as a burn rate of the compared SLO (threshold ÷ its error budget ratio). */
  factor: number | null;
  /** The highest the ratio reached: as Prometheus computed it, and in gameday's evaluation. */
  prometheusPeak: number | null;
  gamedayPeak: number | null;
}

export interface RuleOutcome {
  /** From the first fault: when it went pending, fired, stopped; how long its condition held. */
  pendingAfterMs: number | null;
  firingAfterMs: number | null;
  resolvedAfterMs: number | null;
  heldMs: number;
}

export interface AlertRuleSummary {
  name: string;
  group: string;
  file: string;
  forMs: number;
  evaluationIntervalMs: number;
  labels: Record<string, string>;
  query: string;
  /** `or` alternatives, each a list of `and`-ed conditions over a window; empty when none reads as a burn rate. */
  conditions: RuleConditionSummary[][];
  /** Parts of its expression gameday does not evaluate (assumed to hold). */
  unevaluated: string[];
  prometheus: RuleOutcome & {
    /** When Prometheus's own ratios first met every condition of an alternative (query-step resolution). */
    conditionMetAfterMs: number | null;
    /** Still pending or firing when the window ended. */
    activeAtEnd: 'pending' | 'firing' | null;
  };
  /** null when gameday has no evaluation of its own (no burn condition, or no SLO to evaluate it on). */
  gameday: (RuleOutcome & { firingAfterDrill: boolean }) | null;
  /** Prometheus minus gameday, when both have the moment. */
  difference: { pendingMs: number | null; firingMs: number | null };
  verdict: 'both fired' | 'neither fired' | 'only Prometheus fired' | 'only gameday fires';
  explanation: string[];
}

export interface AlertsSummary {
  source: 'lab' | 'target';
  url: string;
  window: { from: string; to: string; stepMs: number };
  /** What times are counted from: 'first fault' (its activation) or 'observation' (no fault). */
  reference: 'first fault' | 'observation';
  scrapeIntervalMs: number | null;
  evaluationIntervalMs: number | null;
  /** When the lab's Prometheus began collecting: its windows hold nothing older. */
  dataSince: string | null;
  /** The lab's Prometheus was started by this run. */
  startedForRun: boolean;
  /** The SLO whose requests gameday evaluates the rules' windows on. */
  slo: string | null;
  alerts: AlertSummary[];
  rules: AlertRuleSummary[];
  error: string | null;
}
