import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

export interface ExchangeOptions {
  method: string;
  headers?: Record<string, string>;
  body?: string;
  /** A keep-alive agent, or false for a connection of its own. */
  agent: http.Agent | false;
  /** Covers the whole exchange, not just socket idleness. */
  timeoutMs: number;
  lookup?: LookupFunction;
  /** Collect the body (read backs); traffic only drains it. */
  readBody?: boolean;
}

export interface Answer {
  status: number;
  body: string;
  /** x-gameday-region / x-gameday-writer, when the service says. */
  region: string;
  writer: string;
}

/**
 * The agent a probe's requests share: with 'keep-alive', one that keeps every free socket
 * however many a burst opened (Node keeps 256 and closes the rest, so at a high rate every
 * burst would pay for new connections again); with 'new', none (a connection per request).
 */
export function probeAgent(url: string, connection: 'keep-alive' | 'new'): http.Agent | false {
  if (connection !== 'keep-alive') return false;
  const AgentClass = url.startsWith('https:') ? https.Agent : http.Agent;
  return new AgentClass({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: Infinity });
}

/**
 * One HTTP request, as every gameday client makes it: the probes' traffic and ledger,
 * the preflight reach check and the runbook's verify. Transport failures reject with an
 * errno-style `code` (`ECONNREFUSED`, `TIMEOUT`, …).
 */
export function exchange(url: string, options: ExchangeOptions): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const transport = url.startsWith('https:') ? https : http;
    const request = transport.request(
      url,
      { method: options.method, headers: options.headers, agent: options.agent, lookup: options.lookup },
      (response) => {
        const chunks: Buffer[] = [];
        if (options.readBody) response.on('data', (chunk: Buffer) => chunks.push(chunk));
        else response.resume();
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: options.readBody ? Buffer.concat(chunks).toString('utf8') : '',
            region: String(response.headers['x-gameday-region'] ?? ''),
            writer: String(response.headers['x-gameday-writer'] ?? ''),
          }),
        );
        response.on('error', reject);
      },
    );
    const timer = setTimeout(() => {
      const error: NodeJS.ErrnoException = new Error('request timed out');
      error.code = 'TIMEOUT';
      request.destroy(error);
    }, options.timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('error', reject);
    request.end(options.body);
  });
}

/** The errno-style code of a failed exchange, for journals and messages. */
export function failureCode(error: NodeJS.ErrnoException): string {
  return error.code ?? error.name ?? 'ERROR';
}
