import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { findChromium } from '../core/chromium';
import type { DohFront } from './doh';

export const browserProbePurpose = 'the browser probe';

/** A Chromium for one browser probe, and how to close it and remove its profile. */
export interface LaunchedChromium {
  browser: Browser;
  executablePath: string;
  close(): Promise<void>;
}

/**
 * The machine's Chromium (findChromium: GAMEDAY_CHROMIUM or Debian's; never a download),
 * headless, in a fresh profile removed on close. With a DoH front, the profile's Local
 * State sets Chromium's own secure-DNS settings — mode "secure" (DoH only, no fallback to
 * the system resolver) with the front's template — exactly what a user sets under
 * Settings › Privacy › Use secure DNS › custom provider; and the front's certificate is
 * trusted by its key alone (--ignore-certificate-errors-spki-list), nothing else with it.
 * Playwright runs it with --no-sandbox (chromiumSandbox false), which running as root needs.
 */
export async function launchChromium(doh: DohFront | null): Promise<LaunchedChromium> {
  const executablePath = findChromium(browserProbePurpose);
  const { chromium } = await import('playwright-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-browser-probe-'));
  const args = ['--disable-gpu', '--no-first-run', '--disable-sync', '--disable-background-networking'];
  if (doh) {
    fs.writeFileSync(
      path.join(profile, 'Local State'),
      JSON.stringify({ dns_over_https: { mode: 'secure', templates: doh.template } }),
    );
    args.push(`--ignore-certificate-errors-spki-list=${doh.spkiSha256}`);
  }
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      chromiumSandbox: false,
      args,
    });
  } catch (error) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  // The persistent context only carries the profile; journeys get contexts of their own from its browser.
  const browser = context.browser();
  if (!browser) {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
    throw new Error(`${executablePath} gave no browser to open contexts in`);
  }
  return {
    browser,
    executablePath,
    async close() {
      try {
        await context.close();
      } finally {
        fs.rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}
