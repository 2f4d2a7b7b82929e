import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { findChromium } from '../core/chromium';

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
  const executablePath = findChromium('the PDF');
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
