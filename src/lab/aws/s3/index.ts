import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { ServerResponse } from 'node:http';
import type { Lab } from '../../lab';
import { readBody, type AwsServiceFactory } from '../handler';

/**
 * Amazon S3 on the lab's control endpoint, as the official `@aws-sdk/client-s3` speaks it
 * with `endpoint` set to the control URL and `forcePathStyle`: the request's signing region
 * picks the region, and the request goes on, as it came, through that region's S3 ingress
 * proxy (`s3-<region>`) to its S3 endpoint (lab/objects/s3-api.ts). So a region that is
 * blackholed does not answer S3 either, as a lost region would not.
 */
export const createS3Handler: AwsServiceFactory = (lab: Lab) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const handler = async (request: http.IncomingMessage, response: ServerResponse, scope: { region: string }) => {
    const body = await readBody(request);
    if (!lab.objects.region(scope.region)) return invalidRegion(lab, response, scope.region);
    const ingress = lab.objectsIngressAddress(scope.region);
    await new Promise<void>((resolve) => {
      const forwarded = http.request(
        { ...ingress, method: request.method, path: request.url, headers: request.headers, agent },
        (upstream) => {
          response.writeHead(upstream.statusCode ?? 502, upstream.headers);
          upstream.pipe(response);
          upstream.on('end', resolve);
          upstream.on('error', () => {
            response.destroy();
            resolve();
          });
        },
      );
      // A client that gives up (its timeout) ends the attempt here too, as a dropped connection would.
      response.on('close', () => {
        forwarded.destroy();
        resolve();
      });
      forwarded.on('error', (error) => {
        if (!response.headersSent) sendError(response, 503, 'ServiceUnavailable', `${scope.region}: ${error.message}`);
        resolve();
      });
      forwarded.end(body);
    });
  };
  return Object.assign(handler, { close: async () => agent.destroy() });
};

function invalidRegion(lab: Lab, response: ServerResponse, region: string): void {
  sendError(
    response,
    400,
    'InvalidRegion',
    `the lab has no region ${region}; its regions are ${lab.objects.regionNames().join(', ')}`,
  );
}

function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  const requestId = randomUUID();
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message.replace(/[&<>]/g, ' ')}` +
    `</Message><RequestId>${requestId}</RequestId></Error>`;
  response.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId });
  response.end(xml);
}
