import type { ScenarioSummary } from '../../analysis/scenario-summary';
import { chartWidth, palette, type ChartSpec } from '../html/charts';

/** The colour of each way a step can end, shared by the chart's bars and its legend. */
const outcomes: Array<[string, string]> = [
  ['passed', palette.ok],
  ['done', palette.step],
  ['failed', palette.bad],
  ['aborted', palette.warn],
  ['error', '#6a1b9a'],
  ['running', palette.neutral],
];

/** A step that takes no time still gets a sliver, so the chart shows that it happened. */
const sliverSeconds = 0.4;

/**
 * The agenda against what happened: one row per step, the planned slot as a pale bar and
 * the actual one, coloured by how it ended, across it. Skipped steps keep their planned
 * slot alone. Null when the day has no steps to draw.
 */
export function agendaChart(summary: ScenarioSummary): ChartSpec | null {
  if (summary.steps.length === 0) return null;
  const label = (step: ScenarioSummary['steps'][number]) => `${step.step}. ${step.name}`.slice(0, 40);
  const bar = (fromMs: number, ms: number) => {
    const from = fromMs / 1000;
    return { from, to: Math.max(from + ms / 1000, from + sliverSeconds) };
  };
  const planned = summary.steps.map((step) => ({ label: label(step), ...bar(step.planned.atMs, step.planned.ms) }));
  const actual = summary.steps
    .filter((step) => step.actual !== null)
    .map((step) => ({
      label: label(step),
      outcome: step.status === 'pending' || step.status === 'skipped' ? 'running' : step.status,
      ...bar(step.actual!.atMs, step.actual!.ms ?? Math.max(0, (summary.durationMs ?? 0) - step.actual!.atMs)),
    }));
  const y = { field: 'label', type: 'nominal', sort: summary.steps.map(label), title: null, axis: { labelLimit: 240 } };
  const x = { field: 'from', type: 'quantitative', title: 'seconds since the day began', axis: { grid: false } };
  return {
    width: chartWidth - 160,
    height: summary.steps.length * 22,
    layer: [
      {
        data: { values: planned },
        mark: { type: 'bar', color: '#cfd8dc', height: 16 },
        encoding: { y, x, x2: { field: 'to' }, tooltip: [{ field: 'label' }] },
      },
      {
        data: { values: actual },
        mark: { type: 'bar', height: 8 },
        encoding: {
          y,
          x,
          x2: { field: 'to' },
          color: {
            field: 'outcome',
            type: 'nominal',
            scale: { domain: outcomes.map(([name]) => name), range: outcomes.map(([, colour]) => colour) },
            legend: { title: 'pale: the agenda; bar: what happened', titleLimit: 400, orient: 'bottom' },
          },
          tooltip: [{ field: 'label' }, { field: 'outcome' }],
        },
      },
    ],
  };
}
