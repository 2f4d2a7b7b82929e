import { createHash } from 'node:crypto';
import fs from 'node:fs';

/** SHA-256 in lowercase hex, as `sha256sum` prints it, so anyone can redo it by hand. */
export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The SHA-256 and length of a file's bytes, read a megabyte at a time: a long drill's journal is hundreds of MB, and
 * holding it whole to hash it would cost that much memory.
 */
export function digestOfFile(file: string): { sha256: string; bytes: number } {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.alloc(1 << 20);
  let bytes = 0;
  try {
    for (;;) {
      const read = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      hash.update(buffer.subarray(0, read));
      bytes += read;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** The SHA-256 of a file's bytes; null when there is no such file (an inline definition has none). */
export function sha256OfFile(file: string): string | null {
  try {
    return sha256(fs.readFileSync(file));
  } catch {
    return null;
  }
}

/**
 * JSON with every object's keys in code-point order and no whitespace: one text for one
 * value, whatever order its fields were built in, so its hash can be recomputed from a
 * parsed copy.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
