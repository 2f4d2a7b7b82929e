import { randomBytes } from 'node:crypto';

/** Sortable and readable: 20261122-041502-region-failover-3fa9. */
export function newRunId(experimentName: string, at: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`;
  const stamp = `${date}-${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
  const slug =
    experimentName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'run';
  return `${stamp}-${slug}-${randomBytes(2).toString('hex')}`;
}
