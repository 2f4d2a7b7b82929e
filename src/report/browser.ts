import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { GamedayError } from '../core/errors';

/** No Chromium to print with; the message says what to install. */
export class NoBrowserError extends GamedayError {
  constructor(detail: string) {
    super(
      `no browser for the PDF (${detail}): install Chromium (apt-get install chromium) or set ` +
        `GAMEDAY_CHROMIUM=/path/to/chromium`,
    );
  }
}

const candidates = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/** GAMEDAY_CHROMIUM when set (and it must exist), else Debian's Chromium and its usual relatives. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env.GAMEDAY_CHROMIUM;
  if (chosen) {
    if (!fs.existsSync(chosen)) throw new NoBrowserError(`GAMEDAY_CHROMIUM=${chosen} does not exist`);
    return chosen;
  }
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found) throw new NoBrowserError(`none of ${candidates.join(', ')} exists`);
  return found;
}

/**
 * Flags for a quiet, offline, headless Chromium that runs as root in CI: nothing it does
 * on its own (updates, sync, QUIC probes) may reach the network.
 */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A headless Chromium in a fresh profile directory, removed on close, so nothing of a
 * previous session (cache, cookies, service workers) can change what a report looks like.
 */
export async function withBrowser<T>(work: (context: BrowserContext) => Promise<T>): Promise<T> {
  const executablePath = findChromium();
  const { chromium } = await import('playwright-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-chromium-'));
  let context: BrowserContext | null = null;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: chromiumArgs,
      offline: true,
    });
    return await work(context);
  } finally {
    await context?.close().catch(() => undefined);
    fs.rmSync(profile, { recursive: true, force: true });
  }
}
