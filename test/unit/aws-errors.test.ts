/**
 * What the lab cannot produce — throttling, AccessDenied, another account — against
 * gameday's AWS code, with aws-sdk-client-mock standing in for AWS.
 */
import {
  CreateExperimentTemplateCommand,
  FisClient,
  GetActionCommand,
  GetExperimentCommand,
  StartExperimentCommand,
} from '@aws-sdk/client-fis';
import { FailoverGlobalClusterCommand as FailoverGlobalCluster, RDSClient } from '@aws-sdk/client-rds';
import {
  GetHealthCheckCommand as GetHealthCheck,
  Route53Client,
  UpdateHealthCheckCommand as UpdateHealthCheck,
} from '@aws-sdk/client-route-53';
import { GetCallerIdentityCommand as GetCallerIdentity, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AccountGuardError, assertAllowedAccount } from '../../src/aws/account';
import { AwsClients } from '../../src/aws/clients';
import { checkActionParameters, createTemplate, startExperiment, waitUntilActive } from '../../src/aws/fis/experiment';
import { requestWriterMove } from '../../src/aws/rds';
import { setHealthCheckInverted } from '../../src/aws/route53';
import { currentCommand, mockCurrentClient } from '../support/aws-mock';

const awsError = (name: string, message: string, status = 400) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

// FIS (3.523.0) shares the mock's @smithy/types; STS, Route 53 and RDS are newer (see support/aws-mock).
const fis = mockClient(FisClient);
const sts = mockCurrentClient(STSClient);
const route53 = mockCurrentClient(Route53Client);
const rds = mockCurrentClient(RDSClient);
const GetCallerIdentityCommand = currentCommand(GetCallerIdentity);
const GetHealthCheckCommand = currentCommand(GetHealthCheck);
const UpdateHealthCheckCommand = currentCommand(UpdateHealthCheck);
const FailoverGlobalClusterCommand = currentCommand(FailoverGlobalCluster);
test.after.each(() => {
  fis.reset();
  sts.reset();
  route53.reset();
  rds.reset();
});

test('AccessDenied on CreateExperimentTemplate becomes a clear error naming the code', async () => {
  fis
    .on(CreateExperimentTemplateCommand)
    .rejects(awsError('AccessDeniedException', 'User is not authorized to perform: fis:CreateExperimentTemplate', 403));
  const error = await createTemplate(new FisClient({ region: 'us-east-1' }), {
    roleArn: 'arn:aws:iam::1:role/x',
    actions: {},
    stopConditions: [],
    description: 'd',
  }).catch((e: Error) => e);
  assert.ok(error instanceof Error, String(error));
  assert.is(
    (error as Error).message,
    'FIS rejected the experiment template: AccessDeniedException: User is not authorized to perform: ' +
      'fis:CreateExperimentTemplate',
  );
});

test('the FIS role not being assumable fails StartExperiment clearly', async () => {
  fis
    .on(StartExperimentCommand)
    .rejects(awsError('ValidationException', 'Unable to assume role arn:aws:iam::123456789012:role/fis'));
  const error = (await startExperiment(new FisClient({ region: 'us-east-1' }), 'EXT1', {}).catch(
    (e: Error) => e,
  )) as Error;
  assert.match(error.message, /^FIS could not start the experiment: ValidationException: Unable to assume role/);
});

test('throttling that outlasts the SDK retries surfaces as a clear error', async () => {
  fis.on(GetExperimentCommand).rejects(awsError('ThrottlingException', 'Rate exceeded', 400));
  const error = (await waitUntilActive(new FisClient({ region: 'us-east-1' }), 'EXP1', 1_000).catch(
    (e: Error) => e,
  )) as Error;
  assert.is(error.message, 'FIS GetExperiment EXP1: ThrottlingException: Rate exceeded');
});

test('an experiment that fails before running reports FIS reason', async () => {
  fis.on(GetExperimentCommand).resolves({
    experiment: {
      id: 'EXP1',
      state: { status: 'failed', reason: 'Target resolution returned empty set' },
      actions: {},
    },
  });
  const error = (await waitUntilActive(new FisClient({ region: 'us-east-1' }), 'EXP1', 1_000).catch(
    (e: Error) => e,
  )) as Error;
  assert.is(error.message, 'FIS experiment EXP1 failed: Target resolution returned empty set');
});

test('the action start time is t_fault', async () => {
  const startTime = new Date('2026-11-22T05:00:00.000Z');
  fis
    .on(GetExperimentCommand)
    .resolvesOnce({
      experiment: {
        id: 'EXP1',
        state: { status: 'initiating' },
        actions: { a: { actionId: 'aws:fis:wait', state: { status: 'pending' } } },
      },
    })
    .resolves({
      experiment: {
        id: 'EXP1',
        state: { status: 'running' },
        actions: { a: { actionId: 'aws:fis:wait', state: { status: 'running' }, startTime } },
      },
    });
  const { startedAt } = await waitUntilActive(new FisClient({ region: 'us-east-1' }), 'EXP1', 5_000);
  assert.is(startedAt, startTime.getTime());
});

test('clients retry throttling with adaptive backoff, up to 6 attempts', async () => {
  fis.restore();
  const clients = new AwsClients({ labCredentials: true, endpoint: 'http://127.0.0.1:9' });
  const client = clients.fis('eu-west-1');
  assert.is(await client.config.maxAttempts(), 6);
  const retryMode = client.config.retryMode as unknown;
  assert.is(typeof retryMode === 'function' ? await retryMode() : retryMode, 'adaptive');
  assert.is(await client.config.region(), 'eu-west-1');
  const route53Client = clients.route53();
  assert.is(await route53Client.config.region(), 'us-east-1', 'Route 53 is global, served from us-east-1');
  clients.destroy();
});

test('credentials for another account: nothing runs; the message says which account and what is allowed', async () => {
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: '999999999999', Arn: 'arn:aws:sts::999999999999:assumed-role/prod/me' });
  const error = (await assertAllowedAccount({}, 'us-east-1', ['123456789012']).catch((e: Error) => e)) as Error;
  assert.ok(error instanceof AccountGuardError, String(error));
  assert.is(
    error.message,
    'the credentials act in account 999999999999 (arn:aws:sts::999999999999:assumed-role/prod/me), ' +
      'which is not in target.accountIds (123456789012); nothing was injected',
  );
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: '123456789012', Arn: 'arn:aws:sts::123456789012:assumed-role/staging/me' });
  assert.is(await assertAllowedAccount({}, 'us-east-1', ['123456789012']), '123456789012');
});

test('no usable credentials: the account cannot be confirmed, nothing runs', async () => {
  sts
    .on(GetCallerIdentityCommand)
    .rejects(awsError('ExpiredToken', 'The security token included in the request is expired', 403));
  const error = (await assertAllowedAccount({}, 'us-east-1', ['123456789012']).catch((e: Error) => e)) as Error;
  assert.ok(error instanceof AccountGuardError, String(error));
  assert.match(
    error.message,
    /could not confirm the AWS account \(STS GetCallerIdentity: ExpiredToken: The security token/,
  );
});

test('a concurrent health-check edit is refused by HealthCheckVersion, not overwritten', async () => {
  route53.on(GetHealthCheckCommand).resolves({
    HealthCheck: {
      Id: 'hc1',
      CallerReference: 'x',
      HealthCheckVersion: 4,
      HealthCheckConfig: { Type: 'HTTP', Inverted: false },
    },
  });
  route53
    .on(UpdateHealthCheckCommand)
    .rejects(
      awsError(
        'HealthCheckVersionMismatch',
        'The value of HealthCheckVersion in the request did not match the value of ' +
          'HealthCheckVersion in the health check',
        409,
      ),
    );
  const error = (await setHealthCheckInverted(new Route53Client({ region: 'us-east-1' }), 'hc1', true).catch(
    (e: Error) => e,
  )) as Error;
  assert.match(error.message, /^Route 53 UpdateHealthCheck hc1 Inverted=true: HealthCheckVersionMismatch/);
  const update = route53.commandCalls(UpdateHealthCheckCommand)[0].args[0].input;
  assert.equal(update, { HealthCheckId: 'hc1', HealthCheckVersion: 4, Inverted: true });
});

test('AccessDenied on FailoverGlobalCluster is reported with the operation and target', async () => {
  rds
    .on(FailoverGlobalClusterCommand)
    .rejects(awsError('AccessDenied', 'not authorized to perform: rds:FailoverGlobalCluster', 403));
  const error = (await requestWriterMove(
    new RDSClient({ region: 'us-west-2' }),
    'global-1',
    'arn:aws:rds:us-west-2:123456789012:cluster:db-2',
    false,
  ).catch((e: Error) => e)) as Error;
  assert.is(
    error.message,
    'RDS FailoverGlobalCluster to arn:aws:rds:us-west-2:123456789012:cluster:db-2: AccessDenied: not ' +
      'authorized to perform: rds:FailoverGlobalCluster',
  );
});

test('action parameters are checked against GetAction before anything is created', async () => {
  fis.on(GetActionCommand).resolves({
    action: {
      id: 'aws:ecs:task-network-latency',
      parameters: {
        duration: { required: true },
        delayMilliseconds: { required: false },
        jitterMilliseconds: { required: false },
      },
    },
  });
  const client = new FisClient({ region: 'us-east-1' });
  await checkActionParameters(client, 'aws:ecs:task-network-latency', { duration: 'PT1M', delayMilliseconds: '200' });
  const error = (await checkActionParameters(client, 'aws:ecs:task-network-latency', { delay: '200' }).catch(
    (e: Error) => e,
  )) as Error;
  assert.is(
    error.message,
    'FIS action aws:ecs:task-network-latency: unknown parameter delay; missing required duration ' +
      '(GetAction lists: duration, delayMilliseconds, jitterMilliseconds)',
  );
  fis.on(GetActionCommand).rejects(awsError('ResourceNotFoundException', 'Action not found'));
  const unknown = (await checkActionParameters(client, 'aws:nope', {}).catch((e: Error) => e)) as Error;
  assert.match(unknown.message, /^FIS does not offer action aws:nope here: ResourceNotFoundException/);
  fis.on(GetActionCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform fis:GetAction', 403));
  // Not offered here: CreateExperimentTemplate validates.
  await checkActionParameters(client, 'aws:ecs:task-network-latency', { anything: 'x' });
  assert.is(fis.commandCalls(CreateExperimentTemplateCommand).length, 0);
});

test.run();
