import type { RunSummary } from '../../analysis/summary';
import { runCharts } from './charts';
import type { RenderedCharts } from './page';
import { renderSvg } from './vega';

/** Every chart of the run report as inline SVG; rendered once, shared by report.html and the PDF page. */
export async function renderCharts(summary: RunSummary): Promise<RenderedCharts> {
  const entries = await Promise.all(
    Object.entries(runCharts(summary)).map(
      async ([name, spec]) => [name, spec === null ? null : await renderSvg(spec)] as const,
    ),
  );
  return Object.fromEntries(entries) as RenderedCharts;
}
