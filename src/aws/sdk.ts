/**
 * The AWS SDK's client packages, each required on the first use of one of its exports. Loading
 * the six at start took about 0.4 s of CPU on every `gameday validate`, `plan`, `report` and lab
 * drill, a third of `validate`'s start, though none of them calls AWS. Types come from
 * `import type`, which compiles to nothing, so only these requires load the SDK.
 */
type Sdk = {
  cloudwatch: typeof import('@aws-sdk/client-cloudwatch');
  fis: typeof import('@aws-sdk/client-fis');
  iam: typeof import('@aws-sdk/client-iam');
  rds: typeof import('@aws-sdk/client-rds');
  route53: typeof import('@aws-sdk/client-route-53');
  s3: typeof import('@aws-sdk/client-s3');
  sts: typeof import('@aws-sdk/client-sts');
};

/* eslint-disable @typescript-eslint/no-require-imports */
const packages: { [Name in keyof Sdk]: () => Sdk[Name] } = {
  cloudwatch: () => require('@aws-sdk/client-cloudwatch'),
  fis: () => require('@aws-sdk/client-fis'),
  iam: () => require('@aws-sdk/client-iam'),
  rds: () => require('@aws-sdk/client-rds'),
  route53: () => require('@aws-sdk/client-route-53'),
  s3: () => require('@aws-sdk/client-s3'),
  sts: () => require('@aws-sdk/client-sts'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

function onFirstUse<Module extends object>(load: () => Module): Module {
  let loaded: Module | undefined;
  return new Proxy({} as Module, {
    get: (_target, name) => (loaded ??= load())[name as keyof Module],
  });
}

/** `new sdk.route53.GetHealthCheckCommand(…)`: the package loads here, the first time. */
export const sdk = Object.fromEntries(
  Object.entries(packages).map(([name, load]) => [name, onFirstUse(load as () => object)]),
) as Sdk;
