import fs from 'node:fs';
import { GamedayError } from './errors';

/** No Chromium to run; the message says what it was for and what to install. Never downloads one. */
export class NoBrowserError extends GamedayError {
  constructor(purpose: string, detail: string) {
    super(
      `no browser for ${purpose} (${detail}): install Chromium (apt-get install chromium) or set ` +
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

/**
 * GAMEDAY_CHROMIUM when set (and it must exist), else Debian's Chromium and its usual
 * relatives: the report's PDF and the browser probe run the machine's own Chromium.
 */
export function findChromium(purpose: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env.GAMEDAY_CHROMIUM;
  if (chosen) {
    if (!fs.existsSync(chosen)) throw new NoBrowserError(purpose, `GAMEDAY_CHROMIUM=${chosen} does not exist`);
    return chosen;
  }
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found) throw new NoBrowserError(purpose, `none of ${candidates.join(', ')} exists`);
  return found;
}
