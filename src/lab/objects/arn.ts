/** S3 bucket ARNs: a bucket's name is global, so its ARN has no region or account. */
export const bucketArn = (name: string): string => `arn:aws:s3:::${name}`;

export function bucketNameOfArn(arn: string): string | undefined {
  return arn.match(/^arn:aws:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$/)?.[1];
}
