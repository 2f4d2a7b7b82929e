/**
 * The lab daemon: one process that owns a running lab (PostgreSQL servers, apps, fault
 * proxies, DNS, health checks) and serves its control endpoint. `gameday lab up` starts
 * it detached; `gameday run` starts an ephemeral one tied to its own life through a
 * stdin pipe, so even a kill -9 of gameday takes the ephemeral lab down with it.
 *
 * Protocol with the starter: argv[2] is a JSON DaemonConfig; when the lab is up the
 * daemon writes state.json and one line `{"ready": LabState}` to stdout, or
 * `{"failed": "message"}` and exits 1.
 */
import fs from 'node:fs';
import path from 'node:path';
import { labAwsServices } from './aws/services';
import { startControlServer, type ControlServer } from './control/server';
import { Lab } from './lab';
import { removeLabState, writeLabState, type LabState } from './state';
import type { LabOptions } from './topology';

export interface DaemonConfig extends LabOptions {
  labDir: string;
  ephemeral: boolean;
  preferredPort?: number;
  /** Start the lab's Prometheus with the lab (`gameday lab up --prometheus`); otherwise it starts when asked. */
  prometheus?: boolean;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as DaemonConfig;
  // Our stdout goes to whoever started us; once they stop reading, writes must not kill us.
  process.stdout.on('error', () => undefined);

  let lab: Lab | null = null;
  let control: ControlServer | null = null;
  let shuttingDown: Promise<void> | null = null;
  const shutdown = (exitCode = 0) => {
    shuttingDown ??= (async () => {
      try {
        await control?.close();
        await lab?.close();
      } finally {
        removeLabState(config.labDir);
        if (config.ephemeral) fs.rmSync(config.labDir, { recursive: true, force: true });
        process.exit(exitCode);
      }
    })();
    return shuttingDown;
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  process.on('SIGHUP', () => void shutdown());
  process.on('uncaughtException', (error) => {
    process.stderr.write(`lab daemon: uncaught: ${error.stack ?? error}\n`);
    void shutdown(1);
  });
  process.on('unhandledRejection', (error) => {
    process.stderr.write(`lab daemon: unhandled rejection: ${(error as Error)?.stack ?? error}\n`);
  });
  if (config.ephemeral) {
    // The run that owns us is gone (exit, crash or kill -9): so is its lab.
    process.stdin.on('end', () => void shutdown());
    process.stdin.on('error', () => void shutdown());
    process.stdin.resume();
  }

  try {
    fs.mkdirSync(config.labDir, { recursive: true });
    lab = await Lab.start({ ...config, logDir: path.join(config.labDir, 'logs') });
    const started = lab;
    // Any request that may have changed the lab calls this (RDS polls arrive as POSTs);
    // the file is rewritten only when what it says changed.
    let published = '';
    const publish = () => {
      const state = stateOf(started, config, control!.url);
      const text = JSON.stringify(state);
      if (text !== published) {
        writeLabState(state);
        published = text;
      }
      return state;
    };
    control = await startControlServer(started, {
      host: '127.0.0.1',
      port: 0,
      onChange: () => publish(),
      onShutdown: () => void shutdown(),
      awsServices: labAwsServices,
    });
    if (config.prometheus) await started.prometheus.start({ labMetrics: new URL(control.url).host });
    const state = publish();
    process.stdout.write(JSON.stringify({ ready: state }) + '\n');
  } catch (error) {
    process.stdout.write(JSON.stringify({ failed: (error as Error).message }) + '\n');
    process.stderr.write(`lab daemon: start failed: ${(error as Error).stack ?? error}\n`);
    await shutdown(1);
  }
}

const startedAt = new Date().toISOString();

function stateOf(lab: Lab, config: DaemonConfig, controlUrl: string): LabState {
  const processes = new Map(lab.processes().map((entry) => [entry.region, entry]));
  return {
    schema: 'gameday/lab/v1',
    labDir: config.labDir,
    ephemeral: config.ephemeral,
    daemonPid: process.pid,
    startedAt,
    startupMs: lab.startupMs,
    controlUrl,
    dns: lab.dnsAddress(),
    dataRoot: lab.dataRoot,
    logDir: path.join(config.labDir, 'logs'),
    layout: lab.layout,
    prometheus: prometheusOf(lab),
    entry: (({ kind, url }) => ({ kind, url }))(lab.entry()),
    regions: lab.layout.regions.map((region) => {
      const entry = processes.get(region.name);
      return {
        name: region.name,
        address: region.address,
        role: entry?.role ?? 'standby',
        appUrl: `http://${region.address}:${lab.layout.ports.app}`,
        pgPid: entry?.pgPid ?? null,
        pgDataDir: entry?.pgDataDir ?? '',
        appPid: entry?.appPid ?? null,
      };
    }),
  };
}

function prometheusOf(lab: Lab): LabState['prometheus'] {
  const status = lab.prometheus.status();
  return status && { url: status.url, pid: status.pid, dataDir: status.dataDir, startedAt: status.startedAt };
}

void main();
