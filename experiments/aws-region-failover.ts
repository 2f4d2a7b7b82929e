import { defineExperiment, faults, probes } from 'gameday';

/**
 * The region-failover drill against a real AWS account: the same faults as the lab
 * drill, carried out by AWS Fault Injection Service and Route 53. Fill in your account,
 * role, hosted zone, health checks and resource tags; read `gameday plan` first:
 *
 *   npx gameday plan experiments/aws-region-failover.ts
 *   npx gameday run experiments/aws-region-failover.ts
 */
export default defineExperiment({
  name: 'aws: lose us-east-1',
  description:
    'us-east-1 subnets lose connectivity for 5 minutes; clients must be served from us-west-2 within 2 minutes.',
  target: {
    kind: 'aws',
    accountIds: ['123456789012'],
    regions: ['us-east-1', 'us-west-2'],
    fis: {
      roleArn: 'arn:aws:iam::123456789012:role/gameday-fis',
      stopConditionAlarms: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:gameday-abort'],
    },
    route53: {
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      recordName: 'app.example.com.',
      healthChecks: {
        'us-east-1': '11111111-2222-3333-4444-555555555555',
        'us-west-2': '66666666-7777-8888-9999-000000000000',
      },
    },
    rds: { globalClusterId: 'app-global' },
    compute: 'ecs',
    resources: {
      'us-east-1': {
        subnets: { tags: { 'gameday:tier': 'app' } },
        compute: { tags: { 'gameday:service': 'api' } },
        dbInstances: { tags: { 'gameday:db': 'app' } },
      },
      'us-west-2': {
        subnets: { tags: { 'gameday:tier': 'app' } },
        compute: { tags: { 'gameday:service': 'api' } },
      },
    },
    endpoints: { app: 'https://app.example.com' },
  },
  hypothesis: { rto: '2m', recovery: { successRatio: 0.99, window: '30s' } },
  traffic: probes.http({ endpoint: 'app', path: '/health', rate: 10, timeout: '5s' }),
  faults: [
    faults.regionOutage({ name: 'us-east-1-subnets-offline', region: 'us-east-1', after: '1m', duration: '5m' }),
  ],
  stopConditions: [{ kind: 'errorRatio', above: 0.5, window: '3m' }],
  duration: '10m',
  tags: ['aws', 'region-failover'],
  service: 'orders',
});
