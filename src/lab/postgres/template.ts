import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PgBinaries } from './binaries';
import { copyDataDir } from './copy';

/**
 * A cache of freshly initdb'd, configured, never-started data directories, so later labs
 * skip initdb (about a second) and start from a copy. Keyed by the binaries and by every
 * input that shapes the directory, so a changed setting or PostgreSQL upgrade never reuses
 * a stale template.
 *
 * `GAMEDAY_PG_TEMPLATE_CACHE`: `off` disables; a path overrides the location. Default:
 * `$XDG_CACHE_HOME/gameday` or `~/.cache/gameday`. Only our own process reads and writes the
 * cache (as root we copy for `nobody`), so it can live in a private home directory.
 */
export function defaultTemplateCacheDir(env: NodeJS.ProcessEnv = process.env): string | false {
  const configured = env.GAMEDAY_PG_TEMPLATE_CACHE;
  if (configured === 'off' || configured === '0' || configured === 'false') return false;
  if (configured) return configured;
  const cacheHome = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'gameday', 'pg-templates');
}

export function templateKey(binaries: PgBinaries, inputs: readonly string[]): string {
  const hash = crypto.createHash('sha256');
  hash.update(binaries.postgres);
  for (const input of inputs) hash.update('\0').update(input);
  return `pg${binaries.version}-${hash.digest('hex').slice(0, 16)}`;
}

/** Copy the template into a not-yet-existing data directory. False when there is no template. */
export async function restoreTemplate(
  cacheDir: string,
  key: string,
  dataDir: string,
  owner: { uid: number; gid: number } | undefined,
): Promise<boolean> {
  const template = path.join(cacheDir, key);
  if (!fs.existsSync(path.join(template, 'PG_VERSION'))) return false;
  await copyDataDir(template, dataDir, { mode: 'cold', owner });
  return true;
}

/**
 * Save a data directory as the template. Copy to a private name, then rename: concurrent
 * labs may race to save the same key, and the rename makes exactly one complete copy win.
 * Failing to save only costs the next start its shortcut, so errors are swallowed.
 */
export async function saveTemplate(cacheDir: string, key: string, dataDir: string): Promise<void> {
  const final = path.join(cacheDir, key);
  const staging = `${final}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    await fs.promises.mkdir(cacheDir, { recursive: true, mode: 0o700 });
    await copyDataDir(dataDir, staging, { mode: 'cold' });
    await fs.promises.rename(staging, final);
  } catch {
    // Another process won the race (ENOTEMPTY/EEXIST) or the cache is not writable.
  } finally {
    await fs.promises.rm(staging, { recursive: true, force: true });
  }
}
