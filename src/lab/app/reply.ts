import type http from 'node:http';

/** A response decided by a handler. Errors are thrown as HttpError and rendered the same way. */
export interface Reply {
  status: number;
  body: unknown;
  html?: boolean;
  headers?: Record<string, string | string[]>;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const maxBodyBytes = 64 * 1024;

/** A request's body as text, refused past 64 KiB. */
export async function readText(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBodyBytes) throw new HttpError(413, 'body_too_large', `request body over ${maxBodyBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
