import fs from 'node:fs';
import path from 'node:path';
import type { CompareSummary } from '../../analysis/compare';
import { renderSvg } from '../html/vega';
import { compareChart } from './chart';
import { renderCompareMarkdown } from './markdown';
import { renderComparePage } from './page';

export const compareFiles = { json: 'compare.json', markdown: 'compare.md', html: 'compare.html' } as const;

/**
 * Writes the comparison's files into its directory: compare.json and compare.md always, compare.html (its chart
 * rendered) when `withPage`. Returns the files written.
 */
export async function writeComparison(
  dir: string,
  summary: CompareSummary,
  options: { withPage: boolean },
): Promise<string[]> {
  const write = (name: string, content: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };
  const written = [
    write(compareFiles.json, JSON.stringify(summary, null, 2) + '\n'),
    write(compareFiles.markdown, renderCompareMarkdown(summary)),
  ];
  if (options.withPage) {
    const spec = compareChart(summary);
    written.push(write(compareFiles.html, renderComparePage(summary, spec === null ? null : await renderSvg(spec))));
  }
  return written;
}
