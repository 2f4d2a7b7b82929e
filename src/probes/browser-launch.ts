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
  /** Closes it; one that does not close in time is killed, and how many of its processes were is returned. */
  close(): Promise<{ killed: number }>;
}

const closeTimeoutMs = 10_000;

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
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
    throw error;
  }
  // The persistent context only carries the profile; journeys get contexts of their own from its browser.
  const browser = context.browser();
  if (!browser) {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
    throw new Error(`${executablePath} gave no browser to open contexts in`);
  }
  return {
    browser,
    executablePath,
    async close() {
      let timer: NodeJS.Timeout | undefined;
      const closed = await Promise.race([
        context.close().then(
          () => true,
          () => false,
        ),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), closeTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
      const killed = closed ? 0 : killProcessesOf(profile);
      try {
        fs.rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
      } catch {
        // A profile directory left in the temporary directory must not turn the end of a run into an error.
      }
      return { killed };
    },
  };
}

/**
 * Kills the Chromium processes started with this probe's own profile directory (each has it on its command line),
 * and nothing else: a browser that would not close must not outlive the run.
 */
function killProcessesOf(profile: string): number {
  const marker = `--user-data-dir=${profile}`;
  let killed = 0;
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return 0;
  }
  for (const pid of entries) {
    let commandLine: string;
    try {
      commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // gone already
    }
    if (!commandLine.split('\0').includes(marker)) continue;
    try {
      process.kill(Number(pid), 'SIGKILL');
      killed++;
    } catch {
      // exited meanwhile
    }
  }
  return killed;
}
