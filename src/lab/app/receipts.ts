import { randomUUID } from 'node:crypto';
import { HttpError } from './reply';
import type { AppObjectsConfig } from './config';

/**
 * Receipts in the region's bucket: one small JSON object per order, written before the
 * order row that names it (so a row never points at a receipt that was not stored), read
 * back for `GET /orders/:id/receipt`. The region's S3 endpoint is spoken to path-style over
 * plain HTTP; after a region loss, a row replicated ahead of its receipt is a broken download.
 */
export class ReceiptStore {
  constructor(
    private readonly config: AppObjectsConfig,
    private readonly timeoutMs: number,
  ) {}

  newKey(): string {
    return `receipts/${randomUUID()}.json`;
  }

  async put(key: string, receipt: Record<string, unknown>): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.url(key), {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(receipt),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new HttpError(503, 'receipt_store_unavailable', `storing receipt ${key}: ${(error as Error).message}`);
    }
    await response.arrayBuffer();
    if (!response.ok)
      throw new HttpError(503, 'receipt_store_failed', `storing receipt ${key}: S3 answered ${response.status}`);
  }

  /** The receipt's bytes, or null when the bucket has no such object. */
  async get(key: string): Promise<string | null> {
    let response: Response;
    try {
      response = await fetch(this.url(key), { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new HttpError(503, 'receipt_store_unavailable', `reading receipt ${key}: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (response.status === 404) return null;
    if (!response.ok)
      throw new HttpError(503, 'receipt_store_failed', `reading receipt ${key}: S3 answered ${response.status}`);
    return text;
  }

  private url(key: string): string {
    return `http://${this.config.endpoint}/${this.config.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }
}
