import type { AwsServiceFactory } from './handler';
import { createFisHandler } from './fis';
import { createRdsHandler } from './rds';
import { createRoute53Handler } from './route53';
import { createS3Handler } from './s3';
import { createStsHandler } from './sts';

/** The AWS APIs the lab serves, keyed by SigV4 signing name. */
export const labAwsServices: Record<string, AwsServiceFactory> = {
  fis: createFisHandler,
  route53: createRoute53Handler,
  rds: createRdsHandler,
  s3: createS3Handler,
  sts: createStsHandler,
};
