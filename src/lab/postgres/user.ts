import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PgUserError } from './errors';

/** The account initdb and postgres run as. */
export interface PgOsUser {
  name: string;
  uid: number;
  gid: number;
  /** True when we are root and drop to this account for PostgreSQL's processes. */
  switched: boolean;
}

/**
 * PostgreSQL refuses to run as root, so as root we run it as `GAMEDAY_PG_USER` (default
 * `nobody`); as anyone else we run it as ourselves and need no privileges at all.
 */
export function pgOsUser(env: NodeJS.ProcessEnv = process.env): PgOsUser {
  const self = os.userInfo();
  if (self.uid !== 0) return { name: self.username, uid: self.uid, gid: self.gid, switched: false };

  const name = env.GAMEDAY_PG_USER || 'nobody';
  const uid = idNumber(name, '-u');
  const gid = idNumber(name, '-g');
  if (uid === 0) throw new PgUserError(name, 'it is root (uid 0)');
  return { name, uid, gid, switched: true };
}

/** The uid/gid options for child_process.spawn: only when we switch user. */
export function spawnIdentity(user: PgOsUser): { uid?: number; gid?: number } {
  return user.switched ? { uid: user.uid, gid: user.gid } : {};
}

/**
 * Hand a directory tree to the PostgreSQL account. Only root can (and needs to) chown;
 * as a normal user everything we create is already ours.
 */
export async function chownTree(dir: string, user: PgOsUser): Promise<void> {
  if (!user.switched) return;
  const walk = async (entry: string): Promise<void> => {
    await fs.promises.lchown(entry, user.uid, user.gid);
    const stat = await fs.promises.lstat(entry);
    if (!stat.isDirectory()) return;
    for (const child of await fs.promises.readdir(entry)) await walk(path.join(entry, child));
  };
  await walk(dir);
}

/**
 * A new temp directory the PostgreSQL account can traverse. mkdtemp creates 0700, which
 * would lock `nobody` out of the data directories we put inside when running as root.
 * `base` defaults to os.tmpdir() (so TMPDIR applies); a tmpfs such as /dev/shm makes lab
 * startup several times faster on disks where creating files is slow.
 */
export async function makeLabTempDir(prefix = 'gameday-pg-', base = os.tmpdir()): Promise<string> {
  const dir = await fs.promises.mkdtemp(path.join(base, prefix));
  await fs.promises.chmod(dir, 0o755);
  return dir;
}

/**
 * An empty data directory owned by the PostgreSQL account with the 0700 mode the server
 * insists on. Every ancestor must already be traversable (see makeLabTempDir).
 */
export async function makeDataDir(dataDir: string, user: PgOsUser): Promise<void> {
  await fs.promises.mkdir(dataDir, { recursive: true, mode: 0o700 });
  await fs.promises.chmod(dataDir, 0o700);
  if (user.switched) await fs.promises.chown(dataDir, user.uid, user.gid);
}

function idNumber(name: string, flag: '-u' | '-g'): number {
  let out: string;
  try {
    out = execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5_000 });
  } catch (error) {
    throw new PgUserError(name, `no such user (${(error as Error).message.split('\n')[0]})`);
  }
  const value = Number(out.trim());
  if (!Number.isInteger(value)) throw new PgUserError(name, `unexpected output of id ${flag}: ${out.trim()}`);
  return value;
}

/**
 * The first ancestor of `dir` the PostgreSQL account cannot enter, if any. As root we can
 * create data directories anywhere, but `nobody` then fails with an opaque "could not
 * change directory"; checking up front turns that into a clear error.
 */
export function untraversableAncestor(dir: string, user: PgOsUser): string | undefined {
  if (!user.switched) return undefined;
  let current = path.dirname(path.resolve(dir));
  for (;;) {
    const stat = fs.statSync(current);
    const canEnter =
      stat.uid === user.uid
        ? (stat.mode & 0o100) !== 0
        : stat.gid === user.gid
          ? (stat.mode & 0o010) !== 0
          : (stat.mode & 0o001) !== 0;
    if (!canEnter) return current;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}
