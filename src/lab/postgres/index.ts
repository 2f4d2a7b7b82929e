export { findPgBinaries, pgProcessEnv, compareVersions, type PgBinaries, type PgBinarySource } from './binaries';
export {
  PgNode,
  startPgCluster,
  type PgCluster,
  type PgClusterNodeSpec,
  type PgConnectionConfig,
  type PgNodeOptions,
  type PgPrimaryReplication,
  type PgReplicationStatus,
  type PgRole,
  type PgStandbyReplication,
  type PgStandbyStatus,
  type StartPgClusterOptions,
} from './cluster';
export type { PgStopMode } from './stop-mode';
export { readPostmasterPid, stopOrphanPostmaster } from './postmaster';
export { labSettings, pgSuperuser, type PgSettings, type PgSettingValue, type PgUpstream } from './config';
export { copyDataDir, type CopyDataDirOptions, type DataDirCopyMode } from './copy';
export { PgNotFoundError, PgProcessError, PgStateError, PgTimeoutError, PgUserError } from './errors';
export { defaultTemplateCacheDir } from './template';
export { makeLabTempDir, pgOsUser, type PgOsUser } from './user';
