import { execFile } from 'node:child_process';
import path from 'node:path';
import { GamedayError } from '../core/errors';
import { isExecutableFile } from '../core/executable';

export interface K6Binary {
  path: string;
  /** The first line of `k6 version`. */
  version: string;
}

export class K6NotFoundError extends GamedayError {}

const installHint =
  'install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/) or set K6_BIN to the k6 executable';
const versionTimeoutMs = 10_000;

/**
 * The k6 to run: `K6_BIN` (a path, or a name looked up on PATH) or `k6` on PATH, and what
 * `k6 version` says of itself — asked, so a binary that is there but cannot run is found
 * before anything is injected rather than when the load should start.
 */
export async function locateK6(env: NodeJS.ProcessEnv = process.env): Promise<K6Binary> {
  const wanted = env.K6_BIN?.trim() || 'k6';
  const file = wanted.includes('/') ? path.resolve(wanted) : onPath(wanted, env.PATH ?? '');
  if (!file)
    throw new K6NotFoundError(
      env.K6_BIN
        ? `K6_BIN=${wanted}: no executable of that name on PATH; ${installHint}`
        : `k6 is not on PATH; ${installHint}`,
    );
  if (!isExecutableFile(file))
    throw new K6NotFoundError(`${env.K6_BIN ? 'K6_BIN=' : ''}${file} is not an executable file; ${installHint}`);
  const version = await new Promise<string>((resolve, reject) =>
    execFile(file, ['version'], { timeout: versionTimeoutMs, env }, (error, stdout, stderr) => {
      if (error) reject(new K6NotFoundError(`${file} version failed: ${(stderr || error.message).trim()}`));
      else resolve(stdout.split('\n')[0].trim());
    }),
  );
  return { path: file, version };
}

function onPath(name: string, searchPath: string): string | null {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}
