/**
 * The AWS SDK's client packages, each required on the first use of one of its exports. Loading
 * the six at start took about 0.4 s of CPU on every `gameday validate`, `plan`, `report` and lab
 * drill, a third of `validate`'s start, though none of them calls AWS. Types come from
 * `import type`, which compiles to nothing, so only these requires load the SDK. After the
 * first, a require is a lookup in Node's module cache (0.4 µs).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
export const sdk = {
  get cloudwatch(): typeof import('@aws-sdk/client-cloudwatch') {
    return require('@aws-sdk/client-cloudwatch');
  },
  get fis(): typeof import('@aws-sdk/client-fis') {
    return require('@aws-sdk/client-fis');
  },
  get iam(): typeof import('@aws-sdk/client-iam') {
    return require('@aws-sdk/client-iam');
  },
  get rds(): typeof import('@aws-sdk/client-rds') {
    return require('@aws-sdk/client-rds');
  },
  get route53(): typeof import('@aws-sdk/client-route-53') {
    return require('@aws-sdk/client-route-53');
  },
  get s3(): typeof import('@aws-sdk/client-s3') {
    return require('@aws-sdk/client-s3');
  },
  get sts(): typeof import('@aws-sdk/client-sts') {
    return require('@aws-sdk/client-sts');
  },
};
