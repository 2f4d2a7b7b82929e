import type { K6ThresholdRecord } from '../core/events';
import type { LatencySummary } from '../measure/percentiles';

/**
 * A journey's recovery, measured as the traffic's RTO is (measure/rto.ts): from the first
 * fault to the first success after which its success ratio holds for the recovery window.
 */
export interface JourneyRto {
  /** null when it did not recover, or could not be measured (see note). */
  ms: number | null;
  recovered: boolean | null;
  /** Not recovered when its samples ended: its RTO is at least this. */
  atLeastMs: number | null;
  /** Offset from the start of observation of the success it recovered at. */
  recoveredAtMs: number | null;
  /** Failed samples at or after the fault. */
  failedAfterFault: number;
  criteria: { successRatio: number; windowMs: number };
  note: string | null;
}

/** One scenario, request name or check of a k6 script: what it saw, and when it recovered. */
export interface K6Journey {
  /** The scenario's, request's or check's name; the probe's own name for all its requests. */
  journey: string;
  by: 'probe' | 'scenario' | 'name' | 'check';
  /** Requests (checks, for a check). */
  samples: number;
  failed: number;
  successRatio: number | null;
  /** http_req_duration; null for a check. */
  latencyMs: LatencySummary | null;
  rto: JourneyRto;
}

/** What a k6 probe adds to its line in summary.probes. */
export interface K6Details {
  script: string;
  version: string | null;
  /** `k6` and its arguments as gameday ran them. */
  command: string[];
  /** Relative to the run directory: the JSON output, the summary export, k6's own output (its end-of-test summary). */
  files: { points: string; summaryExport: string; log: string } | null;
  /** null while k6 runs (or when the run ended before it did). */
  exitCode: number | null;
  signal: string | null;
  stoppedBy: 'gameday' | 'k6' | null;
  /** Offset from the start of observation when k6 ended. */
  endedAtMs: number | null;
  /** As k6's summary export judged them; null without one. */
  thresholds: K6ThresholdRecord[] | null;
  /** The objective: thresholds held and k6 ended as it should; null when there is nothing to judge by. */
  met: boolean | null;
  measured: string;
  journeys: K6Journey[];
  /** Request names beyond the most frequent ones kept as journeys. */
  journeysOmitted: number;
  note: string | null;
}
