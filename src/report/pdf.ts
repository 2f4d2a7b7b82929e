import fs from 'node:fs';
import { withBrowser } from './browser';

/** A4 at 96 dpi with 10 mm margins, in CSS pixels: what one printed page holds. */
const printable = { width: 794 - 2 * 38, height: 1123 - 2 * 38 };

/**
 * Prints a self-contained HTML page to a one-page PDF. The page is laid out at the
 * printable width, then scaled down until its full height fits one page: leadership gets
 * one page whatever the run had to say. Every request the page makes is refused.
 */
export async function renderPdf(html: string, file: string): Promise<void> {
  const pdf = await withBrowser(async (context) => {
    const page = await context.newPage();
    await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    await page.setViewportSize(printable);
    await page.emulateMedia({ media: 'print' });
    await page.setContent(html, { waitUntil: 'load' });
    const size = (await page.evaluate('({ width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight })')) as { width: number; height: number };
    // Chromium rounds the scaled height up; the margin keeps a page break from appearing.
    const scale = Math.max(0.1, Math.min(1, (printable.height - 4) / size.height, printable.width / size.width));
    return page.pdf({ format: 'A4', printBackground: true, scale, margin: { top: '10mm', bottom: '10mm', left: '10mm', right: '10mm' }, pageRanges: '1' });
  });
  fs.writeFileSync(file, pdf);
}
