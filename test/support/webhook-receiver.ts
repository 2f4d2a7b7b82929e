import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  headers: http.IncomingHttpHeaders;
  /** The raw body, as a receiver verifies its signature over it. */
  body: string;
  at: number;
}

/**
 * An incident bot's end of a webhook, for tests: records every POST with its headers and
 * raw body; answers 204, or a failure queued with `fail` (a 503, a 429 with Retry-After).
 */
export class WebhookReceiver {
  readonly posts: ReceivedPost[] = [];
  private readonly failures: Array<{ status: number; retryAfter?: number }> = [];
  private server: http.Server | null = null;

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/hooks/gameday`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const failure = this.failures.shift();
        this.posts.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        if (failure) {
          const headers = failure.retryAfter === undefined ? {} : { 'retry-after': String(failure.retryAfter) };
          response.writeHead(failure.status, headers).end();
        } else response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  fail(status: number, retryAfter?: number): void {
    this.failures.push({ status, retryAfter });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
