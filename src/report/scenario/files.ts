import fs from 'node:fs';
import path from 'node:path';
import type { ScenarioSummary } from '../../analysis/scenario-summary';
import { EvidenceKeeper } from '../evidence';
import { evidenceFileName } from '../file-names';
import { reportFiles, type ReportOptions } from '../files';
import { renderSvg } from '../html/vega';
import { renderPdf } from '../pdf';
import type { Reporter } from '../reporter';
import { agendaChart } from './chart';
import { renderScenarioJunit } from './junit';
import { renderScenarioMarkdown } from './markdown';
import { renderScenarioPage } from './page';

/** What the day's reporters are told at its end. */
export interface ScenarioReportOutcome {
  summary: ScenarioSummary;
}

/**
 * The day's report files, written into its run directory at the end, under the same names
 * as a run's (summary.json, report.md, junit.xml, report.html, report.pdf), each its own
 * reporter so one that fails leaves the others written, and last evidence.json, whose seal
 * also holds the evidence of each experiment's run. The experiments' own reports are their
 * runs' business, in their own directories.
 */
export function scenarioFileReporters(runDir: string, options: ReportOptions = {}): Reporter<ScenarioReportOutcome>[] {
  const write = (name: string, content: string | Buffer) => {
    const file = path.join(runDir, name);
    fs.writeFileSync(file, content);
    return [file];
  };
  let markdown: string | null = null;
  // Rendered once, for the page and the PDF.
  let chart: Promise<string | null> | null = null;
  const chartOf = (summary: ScenarioSummary) => {
    const spec = agendaChart(summary);
    return (chart ??= spec === null ? Promise.resolve(null) : renderSvg(spec));
  };
  const evidence = new EvidenceKeeper(runDir);
  const reporters: Reporter<ScenarioReportOutcome>[] = [
    {
      name: reportFiles.summary,
      onEnd: ({ summary }) => write(reportFiles.summary, JSON.stringify(summary, null, 2) + '\n'),
    },
    {
      name: reportFiles.markdown,
      onEnd: ({ summary }) => write(reportFiles.markdown, (markdown = renderScenarioMarkdown(summary))),
    },
    { name: reportFiles.junit, onEnd: ({ summary }) => write(reportFiles.junit, renderScenarioJunit(summary)) },
    {
      name: reportFiles.html,
      onEnd: async ({ summary }) =>
        write(reportFiles.html, renderScenarioPage(summary, await chartOf(summary), 'full', evidence.hash())),
    },
  ];
  if (options.pdf !== false)
    reporters.push({
      name: reportFiles.pdf,
      onEnd: async ({ summary }) => {
        const svg = await chartOf(summary).catch(() => null);
        const file = path.join(runDir, reportFiles.pdf);
        await renderPdf(renderScenarioPage(summary, svg, 'leadership', evidence.hash()), file);
        return [file];
      },
    });
  const stepSummary = options.stepSummary;
  if (stepSummary)
    reporters.push({
      name: `job summary ${stepSummary}`,
      onEnd: () => {
        if (markdown !== null) fs.appendFileSync(stepSummary, `${markdown}\n`);
      },
    });
  reporters.push({ name: evidenceFileName, onEnd: () => evidence.write() });
  return reporters;
}
