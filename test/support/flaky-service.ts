import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Test } from 'uvu';

/** The outage as the service served it: its first 503 and the first 200 after it (performance.now() ms). */
export interface ServedOutage {
  downFrom: number;
  upFrom: number | null;
}

/**
 * The example's flaky service, in-process: 503 while `downFile` exists, 300 ms slow while `slowFile` does. It keeps
 * the outages it served, the ground truth a measured RTO is held against: when a fault's command finished is only
 * what the engine saw of it, late by however long the machine took to tell it the command exited.
 */
export async function startFlakyService(): Promise<{
  url: string;
  downFile: string;
  slowFile: string;
  dir: string;
  served: ServedOutage[];
  close: () => Promise<void>;
}> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-test-'));
  const downFile = path.join(dir, 'down');
  const slowFile = path.join(dir, 'slow');
  const served: ServedOutage[] = [];
  const server = http.createServer((request, response) => {
    const down = fs.existsSync(downFile);
    const current = served.at(-1);
    if (down && (!current || current.upFrom !== null)) served.push({ downFrom: performance.now(), upFrom: null });
    if (!down && current && current.upFrom === null) current.upFrom = performance.now();
    const answer = () => {
      response.writeHead(down ? 503 : 200, { 'x-gameday-region': 'test' });
      response.end(down ? 'down' : 'ok');
    };
    if (fs.existsSync(slowFile)) setTimeout(answer, 300);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    downFile,
    slowFile,
    dir,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        fs.rmSync(dir, { recursive: true, force: true });
      }),
  };
}

export type FlakyService = Awaited<ReturnType<typeof startFlakyService>>;

/** A fresh flaky service for each test of `suite`, closed after it; read it through the getter. */
export function flakyServicePerTest(suite: Test): () => FlakyService {
  let service: FlakyService | undefined;
  suite.before.each(async () => {
    service = await startFlakyService();
  });
  suite.after.each(async () => {
    await service?.close();
    service = undefined;
  });
  return () => {
    if (!service) throw new Error('the flaky service exists only while a test runs');
    return service;
  };
}
