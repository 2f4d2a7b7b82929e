import fs from 'node:fs';
import path from 'node:path';
import { findPgBinaries, type PgBinaries } from './binaries';
import type { PgSettings, PgUpstream } from './config';
import { removeDataDir } from './data-dir';
import { PgNode } from './node';
import type { PgStopMode } from './stop-mode';
import { makeLabTempDir, pgOsUser, type PgOsUser } from './user';

export interface PgClusterNodeSpec {
  name: string;
  host: string;
  port: number;
}

export interface StartPgClusterOptions {
  primary: PgClusterNodeSpec;
  standbys: PgClusterNodeSpec[];
  /** Where data directories go (`<rootDir>/<name>`); a new temp dir, removed by destroy(), when omitted. */
  rootDir?: string;
  /** Where each standby streams from: the lab's replication proxy. Default: the primary itself. */
  upstreamFor?: (standby: PgClusterNodeSpec) => PgUpstream;
  binaries?: PgBinaries;
  osUser?: PgOsUser;
  settings?: PgSettings;
  templateCache?: string | false;
  detached?: boolean;
  onLog?: (node: string, line: string) => void;
  timeoutMs?: number;
}

export interface PgCluster {
  rootDir: string;
  primary: PgNode;
  standbys: PgNode[];
  nodes: PgNode[];
  /** How the primary's data directory was made and how long until every standby streamed. */
  startup: { fromTemplate: boolean; ms: number };
  stop(mode?: PgStopMode): Promise<void>;
  /** Stop every node and remove the data directories (the root too, if we created it). */
  destroy(): Promise<void>;
}

/**
 * A primary and its streaming standbys, the way the lab starts them: initPrimary, copy the
 * never-started primary directory to each standby, start all at once, wait for streaming.
 */
export async function startPgCluster(options: StartPgClusterOptions): Promise<PgCluster> {
  const started = Date.now();
  const ownRoot = options.rootDir === undefined;
  const rootDir = options.rootDir ?? (await makeLabTempDir());
  const binaries = options.binaries ?? findPgBinaries();
  const osUser = options.osUser ?? pgOsUser();
  const makeNode = (spec: PgClusterNodeSpec) =>
    new PgNode({
      ...spec,
      dataDir: path.join(rootDir, spec.name),
      binaries,
      osUser,
      settings: options.settings,
      templateCache: options.templateCache,
      detached: options.detached,
      onLog: options.onLog && ((line) => options.onLog?.(spec.name, line)),
    });
  const primary = makeNode(options.primary);
  const standbys = options.standbys.map(makeNode);
  const nodes = [primary, ...standbys];

  const stop = async (mode: PgStopMode = 'fast') => {
    await Promise.all(nodes.map((node) => node.stop(mode)));
  };
  const destroy = async () => {
    await stop('immediate');
    if (ownRoot) await fs.promises.rm(rootDir, { recursive: true, force: true });
    else await Promise.all(nodes.map((node) => removeDataDir(node.dataDir)));
  };

  try {
    const { fromTemplate } = await primary.initPrimary();
    await Promise.all(
      standbys.map((standby, i) =>
        standby.cloneStandbyFrom(
          primary,
          options.upstreamFor?.(options.standbys[i]) ?? { host: primary.host, port: primary.port },
        ),
      ),
    );
    await Promise.all(nodes.map((node) => node.start(options.timeoutMs)));
    await Promise.all(standbys.map((standby) => primary.waitStreaming(options.timeoutMs, standby.name)));
    return { rootDir, primary, standbys, nodes, startup: { fromTemplate, ms: Date.now() - started }, stop, destroy };
  } catch (error) {
    await destroy();
    throw error;
  }
}
