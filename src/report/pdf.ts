import fs from 'node:fs';
import { withBrowser } from './browser';

/** A4 at 96 dpi with 10 mm margins, in CSS pixels: what one printed page holds. */
const printable = { width: 794 - 2 * 38, height: 1123 - 2 * 38 };

/**
 * Prints a self-contained HTML page to a one-page PDF. The page is laid out at the
 * printable width and scaled down until its full height fits one page: leadership gets
 * one page whatever the run had to say, and nothing is cut off. Print layout differs from
 * screen layout, so the first estimate (from the screen height) is checked against the
 * printed page count and shrunk until it holds. Every request the page makes is refused.
 */
export async function renderPdf(html: string, file: string): Promise<void> {
  const pdf = await withBrowser(async (context) => {
    const page = await context.newPage();
    await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    await page.setViewportSize(printable);
    await page.emulateMedia({ media: 'print' });
    await page.setContent(html, { waitUntil: 'load' });
    const size = (await page.evaluate(
      '({ width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight })',
    )) as { width: number; height: number };
    let scale = Math.max(minScale, Math.min(1, printable.height / size.height, printable.width / size.width));
    for (;;) {
      const printed = await page.pdf({
        format: 'A4',
        printBackground: true,
        scale,
        margin: { top: '10mm', bottom: '10mm', left: '10mm', right: '10mm' },
      });
      if (pageCount(printed) <= 1 || scale <= minScale) return printed;
      scale = Math.max(minScale, scale * 0.92);
    }
  });
  fs.writeFileSync(file, pdf);
}

/** Chromium's smallest print scale. */
const minScale = 0.1;

function pageCount(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page\b/g) ?? []).length;
}
