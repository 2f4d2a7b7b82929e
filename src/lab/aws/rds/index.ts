import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Lab } from '../../lab';
import { readBody, type AwsServiceHandler } from '../handler';
import { RdsError } from './errors';
import { LabGlobalCluster } from './model';
import { operations } from './operations';
import { QueryParams, rdsApiVersion } from './query';
import { errorXml, responseXml } from './xml';

export {
  LabGlobalCluster,
  labEngine,
  type GlobalOperation,
  type GlobalOperationKind,
  type GlobalOperationResult,
} from './model';
export { RdsError, type RdsErrorCode } from './errors';

export interface RdsHandlerOptions {
  /**
   * Called when a background operation (failover, switchover, reboot) has ended and changed
   * the lab's processes, so whoever persists the lab's state (the daemon) can do it again.
   */
  onChange?: () => void;
}

/**
 * The RDS Query API subset gameday uses, served from the lab (an AwsServiceFactory): the
 * Aurora global database calls (DescribeGlobalClusters, FailoverGlobalCluster,
 * SwitchoverGlobalCluster), DescribeDBClusters, DescribeDBInstances and RebootDBInstance.
 * The official `@aws-sdk/client-rds` pointed at the lab's control endpoint drives it as it
 * drives a real account.
 */
export function createRdsHandler(lab: Lab, options: RdsHandlerOptions = {}): AwsServiceHandler {
  const model = new LabGlobalCluster(lab, options.onChange);
  return async (request, response, scope) => {
    const requestId = randomUUID();
    try {
      const params = QueryParams.parse(request.url, (await readBody(request)).toString('utf8'));
      const action = params.action;
      if (!action)
        throw new RdsError(
          'MissingAction',
          `The request must contain the parameter Action (one of: ${Object.keys(operations).join(', ')})`,
        );
      const operation = Object.hasOwn(operations, action) ? operations[action] : undefined;
      if (!operation || (params.version !== undefined && params.version !== rdsApiVersion)) {
        throw new RdsError(
          'InvalidAction',
          `Could not find operation ${action} for version ${params.version ?? '(none)'}. The lab ` +
            `serves RDS version ${rdsApiVersion}: ${Object.keys(operations).join(', ')}`,
        );
      }
      const result = await operation({ model, params, region: scope.region });
      send(response, 200, responseXml(action, result, requestId), requestId);
    } catch (error) {
      const rdsError =
        error instanceof RdsError
          ? error
          : new RdsError('InternalFailure', `the lab failed to serve the request: ${(error as Error).message}`);
      send(response, rdsError.status, errorXml(rdsError, requestId), requestId);
    }
  };
}

function send(response: ServerResponse, status: number, xml: string, requestId: string): void {
  response.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(xml),
    'x-amzn-requestid': requestId,
  });
  response.end(xml);
}
