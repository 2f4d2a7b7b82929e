import { rtoFigure, type CompareSummary } from '../../analysis/compare';
import { chartWidth, type ChartSpec } from '../html/charts';

/**
 * The comparison in one chart: each strategy a point, RTO across, RPO up (both in
 * seconds, lower-left is better), sized by its idle cost — the standby side's mean memory
 * as a share of the active side's — and named. A strategy whose clients never recovered
 * is drawn at the least its RTO can be, as a hollow point. Null when no strategy has an
 * RTO to draw.
 */
export function compareChart(summary: CompareSummary): ChartSpec | null {
  const points = summary.strategies
    .filter((row) => rtoFigure(row) !== null)
    .map((row) => ({
      strategy: row.strategy,
      label: row.rpo?.ms == null ? `${row.strategy} (RPO not measured)` : row.strategy,
      rto: rtoFigure(row)! / 1000,
      rpo: (row.rpo?.ms ?? 0) / 1000,
      recovered: row.rto.ms !== null ? 'recovered' : 'not recovered (at least)',
      idle: Math.round((row.idleCost?.memoryRatio ?? 0) * 100),
    }));
  if (points.length === 0) return null;
  const x = { field: 'rto', type: 'quantitative', title: 'RTO (s): until clients were served again' };
  const y = { field: 'rpo', type: 'quantitative', title: 'RPO (s): acknowledged writes lost' };
  return {
    width: chartWidth - 120,
    height: 320,
    data: { values: points },
    layer: [
      {
        mark: { type: 'point', filled: true, opacity: 0.75 },
        encoding: {
          x,
          y,
          size: {
            field: 'idle',
            type: 'quantitative',
            scale: { domain: [0, 100], range: [60, 1400], clamp: true },
            title: 'idle cost: standby memory, % of active',
          },
          color: { field: 'strategy', type: 'nominal', legend: null },
          shape: {
            field: 'recovered',
            type: 'nominal',
            scale: { domain: ['recovered', 'not recovered (at least)'], range: ['circle', 'triangle-right'] },
            title: null,
          },
          tooltip: [{ field: 'strategy' }, { field: 'rto' }, { field: 'rpo' }, { field: 'idle' }],
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 12, dy: -8, fontSize: 11 },
        encoding: { x, y, text: { field: 'label' }, color: { field: 'strategy', type: 'nominal', legend: null } },
      },
    ],
  };
}
