import { randomBytes } from 'node:crypto';
import { slugOf } from '../core/slug';

/** Sortable and readable: 20261122-041502-region-failover-3fa9. */
export function newRunId(experimentName: string, at: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`;
  const stamp = `${date}-${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
  return `${stamp}-${slugOf(experimentName, 'run')}-${randomBytes(2).toString('hex')}`;
}
