import type { AwsServiceFactory } from './handler';
import { createCloudWatchHandler } from './cloudwatch';
import { createFisHandler } from './fis';
import { createIamHandler } from './iam';
import { createRdsHandler } from './rds';
import { createRoute53Handler } from './route53';
import { createS3Handler } from './s3';
import { createStsHandler } from './sts';

/** The AWS APIs the lab serves, keyed by SigV4 signing name. */
export const labAwsServices: Record<string, AwsServiceFactory> = {
  fis: createFisHandler,
  iam: createIamHandler,
  monitoring: createCloudWatchHandler,
  route53: createRoute53Handler,
  rds: createRdsHandler,
  s3: createS3Handler,
  sts: createStsHandler,
};
