import { randomUUID } from 'node:crypto';
import type { AwsServiceFactory } from '../handler';
import { readBody } from '../handler';
import { labAccountId } from '../resources';

const namespace = 'https://sts.amazonaws.com/doc/2011-06-15/';

/**
 * STS GetCallerIdentity (Query protocol), so an `aws` target pointed at the lab passes
 * the same account allow-list check a real account does: the lab is account 000000000000.
 */
export const createStsHandler: AwsServiceFactory = () => async (request, response) => {
  const body = new URLSearchParams((await readBody(request)).toString('utf8'));
  const action = body.get('Action') ?? new URL(request.url ?? '/', 'http://lab').searchParams.get('Action');
  const requestId = randomUUID();
  if (action !== 'GetCallerIdentity') {
    const xml =
      `<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>the lab ` +
      `serves only GetCallerIdentity, not ` +
      `${action ?? '(no Action)'}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    response.writeHead(400, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
    response.end(xml);
    return;
  }
  const identity =
    `<Arn>arn:aws:iam::${labAccountId}:user/gameday-lab</Arn>` +
    `<UserId>AIDAGAMEDAYLAB000000</UserId><Account>${labAccountId}</Account>`;
  const metadata = `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`;
  const xml =
    `<GetCallerIdentityResponse xmlns="${namespace}">` +
    `<GetCallerIdentityResult>${identity}</GetCallerIdentityResult>${metadata}</GetCallerIdentityResponse>`;
  response.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  response.end(xml);
};
