import fs from 'node:fs';

/** A regular file this process may execute: how the machine's programs (Prometheus, k6, PostgreSQL) are found. */
export function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
