import fs from 'node:fs';
import path from 'node:path';

/**
 * Copying a data directory, the way PostgreSQL's docs allow:
 *
 * - `cold`: the source server is cleanly shut down, so the files are consistent as they are.
 *   Only per-server state is left out (the pid file, replication slots).
 * - `hot`: the source is running inside pg_backup_start/pg_backup_stop. Files may change or
 *   vanish while we read them; WAL replay from the backup's checkpoint repairs that. We leave
 *   out what "Making a Base Backup Using the Low Level API" says to omit, keeping the
 *   directories themselves because the server expects them to exist.
 */
export type DataDirCopyMode = 'cold' | 'hot';

export interface CopyDataDirOptions {
  mode: DataDirCopyMode;
  /** chown everything copied to this account (we may be root copying for `nobody`). */
  owner?: { uid: number; gid: number };
}

const neverCopiedFiles = new Set(['postmaster.pid', 'postmaster.opts']);
const hotOnlyExcludedFiles = new Set([
  'backup_label',
  'tablespace_map',
  'backup_manifest',
  'standby.signal',
  'recovery.signal',
  'pg_internal.init',
]);
/** Directories whose contents belong to the running server, not to the database. */
const emptiedInHotCopy = new Set([
  'pg_wal',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_stat_tmp',
  'pg_subtrans',
  'pg_replslot',
]);
const emptiedInColdCopy = new Set(['pg_replslot']);

const parallelCopies = 16;

export async function copyDataDir(from: string, to: string, options: CopyDataDirOptions): Promise<void> {
  const files: Array<{ source: string; target: string }> = [];
  const emptied = options.mode === 'hot' ? emptiedInHotCopy : emptiedInColdCopy;

  const owner = options.owner;
  const own = async (target: string): Promise<void> => {
    if (owner) await fs.promises.lchown(target, owner.uid, owner.gid);
  };

  const walk = async (sourceDir: string, targetDir: string, relative: string): Promise<void> => {
    const stat = await statOrNull(sourceDir);
    if (!stat) return;
    await fs.promises.mkdir(targetDir, { mode: stat.mode & 0o777 });
    await fs.promises.chmod(targetDir, stat.mode & 0o777);
    await own(targetDir);

    const entries = await readdirOrEmpty(sourceDir);
    for (const entry of entries) {
      const source = path.join(sourceDir, entry.name);
      const target = path.join(targetDir, entry.name);
      const childRelative = relative ? `${relative}/${entry.name}` : entry.name;
      if (isExcluded(entry.name, relative, options.mode)) continue;

      if (entry.isDirectory()) {
        if (relative === '' && emptied.has(entry.name)) {
          await recreateSkeleton(source, target, entry.name, own);
        } else {
          await walk(source, target, childRelative);
        }
      } else if (entry.isSymbolicLink()) {
        const link = await fs.promises.readlink(source).catch(ignoreVanished);
        if (link === undefined) continue;
        await fs.promises.symlink(link, target);
        await own(target);
      } else if (entry.isFile()) {
        files.push({ source, target });
      }
    }
  };

  await walk(from, to, '');

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const { source, target } = files[next++];
      try {
        await fs.promises.copyFile(source, target);
      } catch (error) {
        ignoreVanished(error);
        continue;
      }
      await own(target);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallelCopies, files.length) }, worker));
}

function isExcluded(name: string, relative: string, mode: DataDirCopyMode): boolean {
  if (relative === '' && neverCopiedFiles.has(name)) return true;
  if (mode === 'cold') return false;
  if (relative === '' && hotOnlyExcludedFiles.has(name)) return true;
  return name.startsWith('pgsql_tmp') || name === 'pg_internal.init';
}

/**
 * An emptied directory is recreated; pg_wal keeps its subdirectories (archive_status,
 * summaries) because the server expects them. Nothing else keeps subdirectories: an empty
 * pg_replslot/<slot> without its state file would stop the server from starting. From pg_wal we do keep timeline
 * history files: tiny, and
 * they spare the standby asking the primary for them after a failover changed timelines.
 */
async function recreateSkeleton(
  source: string,
  target: string,
  name: string,
  own: (target: string) => Promise<void>,
): Promise<void> {
  const stat = await statOrNull(source);
  if (!stat) return;
  await fs.promises.mkdir(target, { mode: stat.mode & 0o777 });
  await own(target);
  for (const entry of await readdirOrEmpty(source)) {
    if (name === 'pg_wal' && entry.isDirectory()) {
      const sub = path.join(target, entry.name);
      await fs.promises.mkdir(sub, { mode: 0o700 });
      await own(sub);
    } else if (name === 'pg_wal' && entry.isFile() && entry.name.endsWith('.history')) {
      const copied = await fs.promises.copyFile(path.join(source, entry.name), path.join(target, entry.name)).then(
        () => true,
        (error: unknown) => ignoreVanished(error) ?? false,
      );
      if (copied) await own(path.join(target, entry.name));
    }
  }
}

async function statOrNull(file: string): Promise<fs.Stats | null> {
  try {
    return await fs.promises.stat(file);
  } catch (error) {
    ignoreVanished(error);
    return null;
  }
}

async function readdirOrEmpty(dir: string): Promise<fs.Dirent[]> {
  try {
    return await fs.promises.readdir(dir, { withFileTypes: true });
  } catch (error) {
    ignoreVanished(error);
    return [];
  }
}

/** A running server deletes files (temp relations, old WAL) while we copy; that is expected. */
function ignoreVanished(error: unknown): undefined {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  throw error;
}
