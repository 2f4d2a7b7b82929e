export { findPgBinaries, pgProcessEnv, compareVersions, type PgBinaries, type PgBinarySource } from './binaries';
export { PgNode, type PgNodeOptions } from './node';
export { startPgCluster, type PgCluster, type PgClusterNodeSpec, type StartPgClusterOptions } from './cluster';
export type { PgConnectionConfig } from './connection';
export type { PgStopMode } from './stop-mode';
export type {
  PgPrimaryReplication,
  PgReplicationStatus,
  PgRole,
  PgStandbyReplication,
  PgStandbyStatus,
} from './replication-status';
export { readPostmasterPid, stopOrphanPostmaster } from './postmaster';
export { labSettings, pgSuperuser, type PgSettings, type PgSettingValue, type PgUpstream } from './config';
export { copyDataDir, type CopyDataDirOptions, type DataDirCopyMode } from './copy';
export { PgNotFoundError, PgProcessError, PgStateError, PgTimeoutError, PgUserError } from './errors';
export { defaultTemplateCacheDir } from './template';
export { makeLabTempDir, pgOsUser, type PgOsUser } from './user';
