import type { ExperimentRecord } from '../core/events';

/**
 * The experiment record of a `run.started` event, as the summary reads it. Records from
 * before `recordVersion` was written have the same shape, except that the earliest lack
 * `slos` (no SLOs then) and `burnWindow` (always one minute then); those are read as such,
 * so `gameday report` renders older runs too.
 */
export function readExperimentRecord(spec: ExperimentRecord): ExperimentRecord {
  if (spec.recordVersion !== undefined) return spec;
  const slos = (spec.slos ?? []).map((slo) => ({ ...slo, burnWindow: slo.burnWindow ?? 60_000 }));
  return { ...spec, slos };
}
