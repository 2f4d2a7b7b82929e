import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];

/**
 * A directory under the temp dir, removed when the test process exits cleanly, so a passing suite leaves nothing
 * behind (over a day of suites, 1,200 run directories had piled up in /tmp). A file that failed keeps them and says
 * where: a flake's journal is the evidence. GAMEDAY_KEEP_TEMP=1 keeps them always.
 */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (made.length === 0 && !process.env.GAMEDAY_KEEP_TEMP)
    process.once('exit', (code) => {
      if (code === 0) for (const each of made) fs.rmSync(each, { recursive: true, force: true });
      else process.stderr.write(`kept for a look, as this file failed: ${made.join(', ')}\n`);
    });
  made.push(dir);
  return dir;
}
