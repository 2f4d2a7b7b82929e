import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];

/**
 * A directory under the temp dir, removed when the test process exits, so a suite leaves nothing behind (over a
 * day of suites, 1,200 run directories had piled up in /tmp). GAMEDAY_KEEP_TEMP=1 keeps them to look into.
 */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (made.length === 0 && !process.env.GAMEDAY_KEEP_TEMP)
    process.once('exit', () => {
      for (const each of made) fs.rmSync(each, { recursive: true, force: true });
    });
  made.push(dir);
  return dir;
}
