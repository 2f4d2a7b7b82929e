import type { K6ThresholdRecord } from '../core/events';

/** What a k6 probe adds to its line in summary.probes (its journeys and their RTOs are in summary.journeys). */
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
  /** Request names and checks beyond the most frequent ones reported as journeys. */
  journeysOmitted: number;
  note: string | null;
}
