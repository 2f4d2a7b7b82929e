import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { FisClient } from '@aws-sdk/client-fis';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { S3Client } from '@aws-sdk/client-s3';
import { sdk } from './sdk';

/**
 * How gameday reaches AWS APIs: a real account through the standard credential chain
 * (env, AWS_PROFILE, SSO, instance roles…), or the lab's control endpoint, which serves
 * the same APIs and accepts any credentials. One code path for both; only endpoint and
 * credentials differ. Recorded in rollback records so `gameday recover` can reconnect.
 */
export interface AwsConnection {
  /** Endpoint override (the lab's control URL, or AWS_ENDPOINT_URL); undefined = AWS. */
  endpoint?: string;
  /** A named profile from ~/.aws; undefined = the default chain (AWS_PROFILE honoured by the SDK). */
  profile?: string;
  /** The lab accepts any signature; real accounts never get these. */
  labCredentials?: boolean;
}

/** Retries with backoff on throttling and transient errors; adaptive mode also slows down client-side. */
const retry = { maxAttempts: 6, retryMode: 'adaptive' as const };

/** Region, retries, endpoint override and credentials as every gameday AWS client gets them. */
export function clientConfig(connection: AwsConnection, region: string) {
  const endpoint = connection.endpoint ?? process.env.AWS_ENDPOINT_URL;
  return {
    region,
    ...retry,
    ...(endpoint ? { endpoint } : {}),
    ...(connection.labCredentials
      ? { credentials: { accessKeyId: 'gameday-lab', secretAccessKey: 'gameday-lab' } }
      : {}),
    ...(connection.profile && !connection.labCredentials ? { profile: connection.profile } : {}),
  };
}

/** Clients are cheap but hold sockets; one per (service, region, connection) for a run. */
export class AwsClients {
  private readonly cache = new Map<string, { destroy(): void }>();

  constructor(readonly connection: AwsConnection) {}

  fis(region: string): FisClient {
    return this.get(`fis:${region}`, () => new sdk.fis.FisClient(clientConfig(this.connection, region)));
  }

  /** Route 53 is global; its API lives in us-east-1. */
  route53(): Route53Client {
    return this.get('route53', () => new sdk.route53.Route53Client(clientConfig(this.connection, 'us-east-1')));
  }

  /** IAM is global; its API lives in us-east-1. */
  iam(): IAMClient {
    return this.get('iam', () => new sdk.iam.IAMClient(clientConfig(this.connection, 'us-east-1')));
  }

  cloudwatch(region: string): CloudWatchClient {
    return this.get(
      `cloudwatch:${region}`,
      () => new sdk.cloudwatch.CloudWatchClient(clientConfig(this.connection, region)),
    );
  }

  rds(region: string): RDSClient {
    return this.get(`rds:${region}`, () => new sdk.rds.RDSClient(clientConfig(this.connection, region)));
  }

  /** Path-style when the endpoint is overridden (the lab serves every bucket under its one endpoint). */
  s3(region: string): S3Client {
    const config = clientConfig(this.connection, region);
    return this.get(`s3:${region}`, () => new sdk.s3.S3Client({ ...config, forcePathStyle: 'endpoint' in config }));
  }

  destroy(): void {
    for (const client of this.cache.values()) client.destroy();
    this.cache.clear();
  }

  private get<T extends { destroy(): void }>(key: string, make: () => T): T {
    let client = this.cache.get(key) as T | undefined;
    if (!client) {
      client = make();
      this.cache.set(key, client);
    }
    return client;
  }
}

/** An AWS error as a short sentence: code and message, never a stack. */
export function describeAwsError(error: unknown): string {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const code = e?.name && e.name !== 'Error' ? `${e.name}: ` : '';
  return `${code}${e?.message ?? String(error)}`;
}
