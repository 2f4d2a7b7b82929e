/**
 * Entry of one region's app process. Configuration: a JSON AppConfig as the first
 * argument, or in GAMEDAY_APP_CONFIG. Prints lifecycle events as JSON lines on stdout
 * (startApp waits for `listening`) and stops gracefully on SIGTERM/SIGINT.
 *
 * With GAMEDAY_APP_EXIT_WITH_PARENT=1 the app also stops when its stdin closes: startApp
 * keeps a pipe open to it, so if the process that started the lab dies, the app follows
 * instead of lingering as an orphan holding the region's port.
 */
import cluster from 'node:cluster';
import { emitToFleet, runFleet } from './cluster';
import { AppConfigError, parseAppConfig, type AppCapacity, type AppConfig } from './config';
import { startAppServer, type AppEvent } from './server';

function emit(event: AppEvent): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
}

function readConfigText(): { text: string; source: string } {
  if (process.argv[2]) return { text: process.argv[2], source: 'argv[2]' };
  if (process.env.GAMEDAY_APP_CONFIG) return { text: process.env.GAMEDAY_APP_CONFIG, source: 'GAMEDAY_APP_CONFIG' };
  throw new AppConfigError(
    'app',
    'config',
    'missing: pass a JSON config as the first argument or in GAMEDAY_APP_CONFIG',
  );
}

async function main(): Promise<void> {
  const { text, source } = readConfigText();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new AppConfigError(source, 'config', `is not JSON: ${(error as Error).message}`);
  }
  const config = parseAppConfig(raw, source);
  // With a capacity the app is a fleet: this process keeps the workers, each worker serves (cluster.ts).
  const fleet = config.capacity !== undefined && cluster.isPrimary;
  if (cluster.isWorker) {
    // The fleet's primary is gone (killed with its region): so is its worker.
    process.on('disconnect', () => process.exit(0));
  }
  const app = fleet
    ? runFleet(config as AppConfig & { capacity: AppCapacity }, emit)
    : await startAppServer(config, cluster.isWorker ? emitToFleet : emit);
  if (cluster.isWorker) {
    process.once('SIGTERM', () => void app.close().finally(() => process.exit(0)));
    return;
  }

  const stop = (reason: string) => {
    emit({ event: 'stopping', reason });
    app.close().then(
      () => {
        if (fleet) emit({ event: 'stopped' });
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  if (process.env.GAMEDAY_APP_EXIT_WITH_PARENT === '1') {
    process.stdin.on('data', () => undefined);
    process.stdin.once('end', () => stop('parent gone (stdin closed)'));
    process.stdin.once('error', () => stop('parent gone (stdin error)'));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`gameday app: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
