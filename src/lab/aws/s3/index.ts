import { randomUUID } from 'node:crypto';
import type { Lab } from '../../lab';
import { readBody, type AwsServiceFactory } from '../handler';

/**
 * Amazon S3 on the lab's control endpoint, as the official `@aws-sdk/client-s3` speaks it
 * with `endpoint` set to the control URL and `forcePathStyle`: the request's signing region
 * picks the region's store (as the regional endpoint s3.<region>.amazonaws.com would), which
 * serves it (lab/objects/s3-api.ts).
 */
export const createS3Handler: AwsServiceFactory = (lab: Lab) => async (request, response, scope) => {
  const body = await readBody(request);
  const region = lab.objects.region(scope.region);
  if (region) return region.handle(request, response, body);
  const requestId = randomUUID();
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidRegion</Code><Message>the lab has no region ` +
    `${scope.region}; its regions are ${lab.objects.regionNames().join(', ')}</Message>` +
    `<RequestId>${requestId}</RequestId></Error>`;
  response.writeHead(400, { 'content-type': 'application/xml', 'x-amz-request-id': requestId });
  response.end(xml);
};
