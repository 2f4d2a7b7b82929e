import type { IncomingMessage } from 'node:http';

/**
 * The service and region a request was signed for, from its SigV4 credential scope
 * (`Credential=AKID/20261122/us-east-1/fis/aws4_request`). The lab accepts any
 * credentials; the scope is how one endpoint tells FIS from Route 53 from RDS calls, and
 * which region a regional call is for — as AWS itself routes them.
 */
export function signingScope(request: IncomingMessage): { service: string; region: string } | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization !== 'string') return undefined;
  const match = authorization.match(/Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/);
  return match ? { region: match[1], service: match[2] } : undefined;
}
