import type { AwsServiceFactory } from '../handler';
import { route53Handler } from './server';

/**
 * The lab's Route 53: serve it on the control endpoint with
 * `awsServices: { route53: createRoute53Handler }` (Route 53's SigV4 signing name is
 * `route53`), then drive it with the official `Route53Client` pointed at that endpoint.
 */
export const createRoute53Handler: AwsServiceFactory = (lab) => route53Handler(lab);

export type { Route53HandlerOptions } from './server';
export { Route53Error, type Route53ErrorCode } from './errors';
export { defaultInsyncAfterMs } from './changes';
export { route53Namespace } from './xml';
export { statusReportText } from './health-checks';
