import path from 'node:path';

/** Relative when inside the working directory, absolute otherwise (no ../../tmp/...). */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}
