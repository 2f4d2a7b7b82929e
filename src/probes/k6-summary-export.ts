import type { K6ThresholdRecord } from '../core/events';

/**
 * What gameday reads from k6's `--summary-export` file (k6's end-of-test summary as JSON):
 * each threshold and whether it held. In that format `metrics.<metric>.thresholds` maps a
 * threshold to whether it FAILED (k6 internal/js/summary-wrapper.js writes
 * `thresholds[name] = !threshold.ok`), so `true` is a crossed threshold.
 */
export function thresholdsOfSummaryExport(exported: unknown): K6ThresholdRecord[] {
  const metrics = (exported as { metrics?: unknown } | null)?.metrics;
  if (metrics === null || typeof metrics !== 'object' || Array.isArray(metrics))
    throw new Error('not a k6 summary export: it has no "metrics" object');
  const thresholds: K6ThresholdRecord[] = [];
  for (const [metric, values] of Object.entries(metrics as Record<string, unknown>)) {
    const declared = (values as { thresholds?: unknown } | null)?.thresholds;
    if (declared === null || typeof declared !== 'object') continue;
    for (const [threshold, failed] of Object.entries(declared as Record<string, unknown>)) {
      if (typeof failed !== 'boolean')
        throw new Error(
          `not a k6 summary export: threshold ${JSON.stringify(threshold)} of ${metric} is not a boolean`,
        );
      thresholds.push({ metric, threshold, ok: !failed });
    }
  }
  return thresholds;
}
