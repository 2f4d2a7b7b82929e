import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Lab } from '../lab';

/** The signing scope of a request: which service and region AWS would route it to. */
export interface AwsScope {
  service: string;
  region: string;
}

/**
 * One AWS service's wire protocol served by the lab: answers the request completely
 * (status, headers, body), including the service's own error shapes.
 */
export type AwsServiceHandler = (request: IncomingMessage, response: ServerResponse, scope: AwsScope) => Promise<void>;

/** `onChange` tells the owner (the daemon) that lab state changed in the background, e.g. a failover finished. */
export type AwsServiceFactory = (lab: Lab, options?: { onChange?: () => void }) => AwsServiceHandler;

export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
