import type { PgUpstream } from './config';
import { queryPg, type PgConnectionConfig } from './connection';
import type { PgDataDir } from './data-dir';
import { PgStateError, PgTimeoutError } from './errors';
import { readPostmasterPid } from './postmaster';
import type { PgServerProcess } from './server-process';

/** A node as replication works on it: the parts PgNode composes. */
export interface PgReplicationMember {
  name: string;
  connection: PgConnectionConfig;
  server: PgServerProcess;
  data: PgDataDir;
}

/**
 * Make `standby` a standby by copying a cleanly shut-down primary's data directory (for
 * example one just created by initPrimary and not yet started).
 */
export async function cloneStandby(
  standby: PgReplicationMember,
  stoppedPrimary: PgReplicationMember,
  upstream: PgUpstream,
): Promise<void> {
  if (stoppedPrimary.server.running || readPostmasterPid(stoppedPrimary.data.path) !== undefined) {
    throw new PgStateError(
      stoppedPrimary.name,
      'is running; a cold copy needs it cleanly shut down (or use rebuildStandbyFrom)',
    );
  }
  standby.server.assertStopped('cloneStandbyFrom');
  await standby.data.copyFromStopped(stoppedPrimary.data.path);
  await becomeStandby(standby, upstream);
}

/**
 * Replace a stopped node's data with a hot base backup of a running primary, and make it
 * that primary's standby: how an old primary rejoins after a failover.
 */
export async function rebuildStandby(
  standby: PgReplicationMember,
  runningPrimary: PgReplicationMember,
  upstream: PgUpstream,
): Promise<void> {
  standby.server.assertStopped('rebuildStandbyFrom');
  if (!runningPrimary.server.running)
    throw new PgStateError(runningPrimary.name, 'is not running; rebuildStandbyFrom needs a running primary');
  await standby.data.replaceWithBackupOf(
    { dataDir: runningPrimary.data.path, connection: runningPrimary.connection },
    `gameday rebuild of ${standby.name}`,
  );
  await becomeStandby(standby, upstream);
}

/**
 * Point a standby at another upstream (a new primary, or a fault proxy in front of one).
 * primary_conninfo is reloadable, so a running standby only needs a reload, which restarts
 * its WAL receiver; `restart: true` restarts the whole server instead.
 */
export async function repointStandby(
  standby: PgReplicationMember,
  upstream: PgUpstream,
  options: { restart?: boolean } = {},
): Promise<void> {
  await standby.data.writeNodeConf(upstream);
  if (!standby.server.running) return;
  if (options.restart) {
    await standby.server.stop('fast');
    await standby.server.start();
  } else {
    await queryPg(standby.connection, 'SELECT pg_reload_conf()');
  }
}

/** Promote a standby and wait until it accepts writes. */
export async function promoteStandby(
  standby: { name: string; connection: PgConnectionConfig },
  timeoutSeconds = 60,
): Promise<void> {
  const rows = await queryPg<{ promoted: boolean }>(
    standby.connection,
    'SELECT pg_promote(true, $1) AS promoted',
    [timeoutSeconds],
    (timeoutSeconds + 5) * 1000,
  );
  if (!rows[0]?.promoted) throw new PgTimeoutError(standby.name, 'promotion', timeoutSeconds * 1000);
}

/** A physical slot on a primary, so it keeps WAL for a standby however long it is away. */
export async function createReplicationSlot(primary: PgConnectionConfig, slotName: string): Promise<void> {
  await queryPg(
    primary,
    'SELECT pg_create_physical_replication_slot($1, true) WHERE NOT EXISTS (SELECT 1 FROM ' +
      'pg_replication_slots WHERE slot_name = $1)',
    [slotName],
  );
}

async function becomeStandby(standby: PgReplicationMember, upstream: PgUpstream): Promise<void> {
  await standby.data.writeOwnedFile('standby.signal', '');
  await standby.data.writeNodeConf(upstream);
}
