import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Lab } from '../../lab';
import { readBody, type AwsServiceFactory } from '../handler';

const targetPrefix = 'GraniteServiceVersion20100801.';

interface MetricDataQuery {
  Id?: string;
  MetricStat?: {
    Metric?: { Namespace?: string; MetricName?: string; Dimensions?: { Name?: string; Value?: string }[] };
    Period?: number;
    Stat?: string;
  };
}

class CloudWatchError extends Error {
  constructor(
    readonly code: 'InvalidParameterValue' | 'MissingParameter' | 'UnknownOperation' | 'InternalServiceError',
    message: string,
    readonly status = code === 'InternalServiceError' ? 500 : 400,
  ) {
    super(message);
  }
}

/**
 * CloudWatch GetMetricData (the AWS JSON 1.0 protocol `@aws-sdk/client-cloudwatch` speaks)
 * for the one metric gameday reads: AWS/RDS AuroraGlobalDBReplicationLag per secondary
 * DBClusterIdentifier, in milliseconds. The lab keeps no metric history: it answers with
 * one datapoint, stamped with the start of the current period as CloudWatch stamps its
 * own: the standby's replay lag as its writer reports it at the moment asked
 * (pg_stat_replication). A cluster that is the writer, or whose database is not streaming
 * from it, reports nothing — as Aurora reports lag only for replicating secondaries. Any
 * other metric has no datapoints, as in an account that never published it.
 */
export const createCloudWatchHandler: AwsServiceFactory = (lab) => async (request, response) => {
  const requestId = randomUUID();
  try {
    const operation = String(request.headers['x-amz-target'] ?? '');
    if (operation !== `${targetPrefix}GetMetricData`) {
      const asked = operation.replace(targetPrefix, '') || '(no X-Amz-Target)';
      throw new CloudWatchError('UnknownOperation', `the lab serves CloudWatch GetMetricData only, not ${asked}`);
    }
    const body = JSON.parse((await readBody(request)).toString('utf8') || '{}') as {
      MetricDataQueries?: MetricDataQuery[];
      StartTime?: number;
      EndTime?: number;
    };
    if (!Array.isArray(body.MetricDataQueries) || body.MetricDataQueries.length === 0)
      throw new CloudWatchError('MissingParameter', 'The parameter MetricDataQueries is required.');
    if (typeof body.StartTime !== 'number' || typeof body.EndTime !== 'number')
      throw new CloudWatchError('MissingParameter', 'The parameters StartTime and EndTime are required.');
    const nowS = Date.now() / 1000;
    const results = [];
    for (const query of body.MetricDataQueries) {
      const lag = await replicationLagOf(lab, query);
      // A datapoint is stamped with the start of its period, and returned when that lies in [StartTime, EndTime).
      const period = query.MetricStat?.Period ?? 60;
      const stamp = Math.floor(nowS / period) * period;
      const inWindow = lag !== null && body.StartTime <= stamp && stamp < body.EndTime;
      results.push({
        Id: query.Id,
        Label: query.MetricStat?.Metric?.MetricName ?? query.Id,
        Timestamps: inWindow ? [stamp] : [],
        Values: inWindow ? [lag] : [],
        StatusCode: 'Complete',
      });
    }
    send(response, 200, { MetricDataResults: results, Messages: [] }, requestId);
  } catch (error) {
    const failure =
      error instanceof CloudWatchError
        ? error
        : error instanceof SyntaxError
          ? new CloudWatchError('InvalidParameterValue', `the request body is not JSON: ${error.message}`)
          : new CloudWatchError('InternalServiceError', `the lab failed to serve the request: ${String(error)}`);
    response.setHeader('x-amzn-query-error', `${failure.code};${failure.status >= 500 ? 'Receiver' : 'Sender'}`);
    send(response, failure.status, { __type: failure.code, message: failure.message }, requestId);
  }
};

async function replicationLagOf(lab: Lab, query: MetricDataQuery): Promise<number | null> {
  const metric = query.MetricStat?.Metric;
  if (metric?.Namespace !== 'AWS/RDS' || metric.MetricName !== 'AuroraGlobalDBReplicationLag') return null;
  const cluster = metric.Dimensions?.find((dimension) => dimension.Name === 'DBClusterIdentifier')?.Value;
  const region = lab.awsResources().find((resources) => resources.dbClusterId === cluster)?.region;
  if (!region || region === lab.writerRegion()) return null;
  const writer = lab.region(lab.writerRegion()).pg;
  if (!writer.running) return null;
  const status = await writer.replication();
  if (status.role !== 'primary') return null;
  const standby = status.standbys.find((candidate) => candidate.applicationName === region);
  if (!standby || standby.state !== 'streaming') return null;
  // PostgreSQL clears the lag times once a standby has caught up and the writer is idle.
  return standby.replayLagMs ?? (standby.replayLagBytes === 0 ? 0 : null);
}

function send(response: ServerResponse, status: number, body: unknown, requestId: string): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
  });
  response.end(text);
}
