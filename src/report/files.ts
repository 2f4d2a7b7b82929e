import fs from 'node:fs';
import path from 'node:path';
import type { RunSummary } from '../analysis/summary';
import { renderCharts } from './html/render';
import { renderRunPage, type RenderedCharts } from './html/page';
import { renderJunit } from './junit';
import { renderMarkdown } from './markdown';
import { renderPdf } from './pdf';
import type { Reporter } from './reporter';
import { evidenceFileName, reportFiles } from './file-names';
import { EvidenceKeeper } from './evidence';
import { writePrettyJson } from './json-file';

export interface ReportOptions {
  /** Print report.pdf with Chromium (default true). */
  pdf?: boolean;
  /** Where GitHub Actions collects the job summary ($GITHUB_STEP_SUMMARY); report.md is appended. */
  stepSummary?: string;
}

export { reportFiles };

/**
 * The files of a run's reports, each its own reporter writing into the run directory at
 * the end: summary.json, report.md, junit.xml, report.html, report.pdf (printed from the
 * page's one-page variant, with the charts the HTML rendered), the GitHub job summary, and
 * last, once every report is final, evidence.json (the page and the PDF state its hash).
 * The end of `run`, `gate` and `failover`, and `gameday report`, all attach these.
 */
export function fileReporters(runDir: string, options: ReportOptions = {}): Reporter[] {
  const write = (name: string, content: string | Buffer) => {
    const file = path.join(runDir, name);
    fs.writeFileSync(file, content);
    return [file];
  };
  let markdown: string | null = null;
  // Rendered once, for the page and the PDF; a failure is the page's, and the PDF says so.
  let charts: Promise<RenderedCharts> | null = null;
  const chartsOf = (summary: RunSummary) => (charts ??= renderCharts(summary));
  const evidence = new EvidenceKeeper(runDir);
  const reporters: Reporter[] = [
    {
      name: reportFiles.summary,
      onEnd: ({ summary }) => {
        const file = path.join(runDir, reportFiles.summary);
        writePrettyJson(file, summary);
        return [file];
      },
    },
    {
      name: reportFiles.markdown,
      onEnd: ({ summary }) => write(reportFiles.markdown, (markdown = renderMarkdown(summary))),
    },
    { name: reportFiles.junit, onEnd: ({ summary }) => write(reportFiles.junit, renderJunit(summary)) },
    {
      name: reportFiles.html,
      onEnd: async ({ summary }) =>
        write(reportFiles.html, renderRunPage(summary, await chartsOf(summary), 'full', evidence.hash())),
    },
  ];
  if (options.pdf !== false) {
    reporters.push({
      name: reportFiles.pdf,
      onEnd: async ({ summary }) => {
        const rendered = await chartsOf(summary).catch(() => {
          throw new Error(`its charts could not be rendered (see ${reportFiles.html})`);
        });
        const file = path.join(runDir, reportFiles.pdf);
        await renderPdf(renderRunPage(summary, rendered, 'leadership', evidence.hash()), file);
        return [file];
      },
    });
  }
  const stepSummary = options.stepSummary;
  if (stepSummary) {
    reporters.push({
      name: `job summary ${stepSummary}`,
      onEnd: () => {
        // Nothing to append when report.md itself could not be rendered (said above).
        if (markdown !== null) fs.appendFileSync(stepSummary, `${markdown}\n`);
      },
    });
  }
  // Last: it digests every report file as written.
  reporters.push({ name: evidenceFileName, onEnd: () => evidence.write() });
  return reporters;
}
