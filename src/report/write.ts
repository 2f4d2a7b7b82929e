import { errorMessage } from '../core/errors';
import fs from 'node:fs';
import path from 'node:path';
import { renderCharts } from './html/render';
import { renderRunPage, type RenderedCharts } from './html/page';
import { renderJunit } from './junit';
import { renderMarkdown } from './markdown';
import { renderPdf } from './pdf';
import type { RunSummary } from './summary';

export interface ReportOptions {
  /** Print report.pdf with Chromium (default true). */
  pdf?: boolean;
  /** Where GitHub Actions collects the job summary ($GITHUB_STEP_SUMMARY); report.md is appended. */
  stepSummary?: string;
}

export interface ReportOutcome {
  /** Files written, absolute paths. */
  written: string[];
  /** One line per report that could not be written; the run's verdict does not depend on them. */
  problems: string[];
}

export const reportFiles = { summary: 'summary.json', markdown: 'report.md', html: 'report.html', junit: 'junit.xml', pdf: 'report.pdf' } as const;

/**
 * Every report of a run, from its summary: the end of `run`, `gate` and `failover`, and
 * `gameday report`, all come through here. Each reporter is on its own: one that throws
 * (a chart that does not compile, no browser for the PDF) is noted in `problems` and the
 * others are still written. Never throws.
 */
export async function writeReports(runDir: string, summary: RunSummary, options: ReportOptions = {}): Promise<ReportOutcome> {
  const outcome: ReportOutcome = { written: [], problems: [] };
  const attempt = async (name: string, work: () => void | Promise<void>) => {
    try {
      await work();
    } catch (error) {
      outcome.problems.push(`${name} not written: ${errorMessage(error)}`);
    }
  };
  const write = (name: string, content: string | Buffer) => {
    const file = path.join(runDir, name);
    fs.writeFileSync(file, content);
    outcome.written.push(file);
  };

  await attempt(reportFiles.summary, () => write(reportFiles.summary, JSON.stringify(summary, null, 2) + '\n'));
  let markdown: string | null = null;
  await attempt(reportFiles.markdown, () => write(reportFiles.markdown, (markdown = renderMarkdown(summary))));
  await attempt(reportFiles.junit, () => write(reportFiles.junit, renderJunit(summary)));
  let charts: RenderedCharts | null = null;
  await attempt(reportFiles.html, async () => {
    charts = await renderCharts(summary);
    write(reportFiles.html, renderRunPage(summary, charts));
  });
  if (options.pdf !== false && charts !== null) {
    const rendered: RenderedCharts = charts;
    await attempt(reportFiles.pdf, async () => {
      const file = path.join(runDir, reportFiles.pdf);
      await renderPdf(renderRunPage(summary, rendered, 'leadership'), file);
      outcome.written.push(file);
    });
  } else if (options.pdf !== false) {
    outcome.problems.push(`${reportFiles.pdf} not written: its charts could not be rendered (see ${reportFiles.html})`);
  }
  if (options.stepSummary && markdown !== null) {
    const text: string = markdown;
    await attempt(`job summary ${options.stepSummary}`, () => fs.appendFileSync(options.stepSummary!, `${text}\n`));
  }
  return outcome;
}
