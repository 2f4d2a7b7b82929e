import type { SloMetric } from '../experiment/thresholds';
import { formatDuration } from '../core/duration';
import type { RtoSummary } from './summary';

/* How figures are worded wherever a run is described: the verdict's reasons, reports, the CLI. */

export function formatRatio(ratio: number | null): string {
  return ratio === null ? 'n/a' : `${(ratio * 100).toFixed(ratio >= 0.999 && ratio < 1 ? 2 : 1)}%`;
}

export function rtoMeasured(rto: RtoSummary): string {
  if (rto.ms !== null) return formatDuration(rto.ms);
  if (rto.recovered === false) return `not recovered (≥ ${formatDuration(rto.atLeastMs ?? 0)})`;
  return `not measured${rto.note ? ` (${rto.note})` : ''}`;
}

export function describeSloMeasure(metric: SloMetric, measured: number | null): string {
  if (measured === null) return 'no requests to measure';
  switch (metric) {
    case 'budget':
      return `${formatPercent(measured)} of the budget burned`;
    case 'burn':
      return `peak burn rate ${formatBurn(measured)}`;
    case 'alerts':
      return `${measured} alert pair${measured === 1 ? '' : 's'} fired`;
  }
}

export function formatBurn(rate: number): string {
  return `${Number(rate.toPrecision(3))}x`;
}

export function formatPercent(percent: number): string {
  if (percent === 0) return '0%';
  if (percent < 0.01) return '<0.01%';
  if (percent < 1) return `${Number(percent.toPrecision(2))}%`;
  if (percent < 10) return `${Number(percent.toFixed(1))}%`;
  return `${Math.round(percent)}%`;
}
