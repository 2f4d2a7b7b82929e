// The lab's FIS API through the official @aws-sdk/client-fis, the way gameday drives a real
// account: one lab, a FisClient per region pointed at its control endpoint, every operation
// on its success and error paths, and each action's effect checked where it lands — HTTP
// to the app timing out or slowing, a new postmaster pid, WAL not reaching the standby.
import http from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ConflictException,
  CreateExperimentTemplateCommand,
  DeleteExperimentTemplateCommand,
  FisClient,
  GetActionCommand,
  GetExperimentCommand,
  GetExperimentTemplateCommand,
  ListActionsCommand,
  ListExperimentResolvedTargetsCommand,
  ListExperimentsCommand,
  ListExperimentTemplatesCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  StartExperimentCommand,
  StopExperimentCommand,
  TagResourceCommand,
  UntagResourceCommand,
  ValidationException,
  type CreateExperimentTemplateCommandInput,
  type Experiment,
} from '@aws-sdk/client-fis';
import type { LabRegionResources } from '../../src/lab/aws/resources';
import { createFisHandler, parseIsoDuration, type FisHandler } from '../../src/lab/aws/fis';
import type { Lab } from '../../src/lab/lab';
import { startTestLab } from '../support/lab';

const PRIMARY = 'us-east-1';
const STANDBY = 'eu-west-1';
const ROLE = 'arn:aws:iam::000000000000:role/gameday-fis';
const LATENCY_DOCUMENT = 'arn:aws:ssm:us-east-1::document/AWSFIS-Run-Network-Latency';

let lab: Lab;
let fis: FisHandler;
let closeLab: () => Promise<void>;
const clients: Record<string, FisClient> = {};
let resources: Record<string, LabRegionResources>;

test.before(async () => {
  const started = await startTestLab({
    awsServices: {
      fis: (created) => {
        fis = createFisHandler(created);
        return fis;
      },
    },
  });
  lab = started.lab;
  closeLab = started.close;
  for (const region of [PRIMARY, STANDBY]) {
    clients[region] = new FisClient({
      region,
      endpoint: started.endpoint,
      credentials: { accessKeyId: 'lab', secretAccessKey: 'lab' },
    });
  }
  resources = Object.fromEntries(lab.awsResources().map((r) => [r.region, r]));
  console.log(`    lab up in ${lab.startupMs} ms`);
});

// A test that fails part way must not leave an experiment running into the next one.
test.after.each(async () => {
  const active = [PRIMARY, STANDBY]
    .flatMap((region) => fis.service.experimentsIn(region))
    .filter((experiment) => !experiment.final);
  for (const experiment of active) experiment.stop();
  await Promise.all(active.map((experiment) => experiment.done));
});

test.after(async () => {
  for (const client of Object.values(clients)) client.destroy();
  // The control server does not know about FIS; close it first so no experiment outlives the lab.
  await fis?.close();
  await closeLab?.();
});

// ------------------------------------------------------------------ catalogue

test('ISO-8601 durations: what FIS parameters take, and what they do not', () => {
  const ok: Array<[string, number]> = [
    ['PT1M', 60_000],
    ['PT30S', 30_000],
    ['PT0.5S', 500],
    ['PT1H30M', 5_400_000],
    ['P0DT2S', 2_000],
    ['PT12H', 43_200_000],
  ];
  for (const [text, ms] of ok) assert.equal(parseIsoDuration(text), { ms }, text);
  for (const text of [
    '',
    'P',
    'PT',
    'P1DT',
    '1M',
    'PT1.5M',
    'P1W',
    'P1M',
    'PT-1S',
    'pt1m',
    'PT0S',
    'PT12H0.001S',
    'P1D',
  ]) {
    assert.ok('error' in parseIsoDuration(text), `${JSON.stringify(text)} is refused`);
  }
  assert.match((parseIsoDuration('PT13H') as { error: string }).error, /maximum of 12 hours/);
});

test('ListActions and GetAction serve the catalogue, with parameters and targets', async () => {
  const listed = await clients[PRIMARY].send(new ListActionsCommand({}));
  assert.equal(listed.actions!.map((action) => action.id).sort(), [
    'aws:ecs:task-network-latency',
    'aws:eks:pod-network-latency',
    'aws:fis:wait',
    'aws:network:disrupt-connectivity',
    'aws:network:route-table-disrupt-cross-region-connectivity',
    'aws:rds:failover-db-cluster',
    'aws:rds:reboot-db-instances',
    'aws:s3:bucket-pause-replication',
    'aws:ssm:send-command',
  ]);
  const paged = await clients[PRIMARY].send(new ListActionsCommand({ maxResults: 3 }));
  assert.is(paged.actions!.length, 3);
  const rest = await clients[PRIMARY].send(new ListActionsCommand({ maxResults: 100, nextToken: paged.nextToken }));
  assert.is(rest.actions!.length, listed.actions!.length - 3, 'nextToken continues the list');

  const { action } = await clients[PRIMARY].send(new GetActionCommand({ id: 'aws:network:disrupt-connectivity' }));
  assert.equal(action!.targets, { Subnets: { resourceType: 'aws:ec2:subnet' } });
  assert.equal(Object.keys(action!.parameters!).sort(), ['duration', 'scope']);
  assert.is(action!.parameters!.duration.required, true);
  assert.is(action!.parameters!.scope.required, false);
  assert.match(action!.parameters!.duration.description!, /ISO 8601/);

  const ecs = await clients[PRIMARY].send(new GetActionCommand({ id: 'aws:ecs:task-network-latency' }));
  assert.equal(ecs.action!.targets, { Tasks: { resourceType: 'aws:ecs:task' } });
  assert.is(ecs.action!.parameters!.delayMilliseconds.required, false);
  assert.is(ecs.action!.parameters!.jitterMilliseconds.required, false);

  const missing = await failure(clients[PRIMARY].send(new GetActionCommand({ id: 'aws:ec2:stop-instances' })));
  assert.instance(missing, ResourceNotFoundException);
  assert.is(missing.$metadata.httpStatusCode, 404);
  assert.match(
    missing.message,
    /aws:ec2:stop-instances not found; the lab carries out: .*aws:network:disrupt-connectivity/,
  );
});

// ------------------------------------------------------------------ templates

test('templates: create, get, list, tag, untag, delete; a retried clientToken creates one template', async () => {
  const client = clients[PRIMARY];
  const input = template({
    description: 'blackhole us-east-1',
    tags: { Name: 'region-outage', team: 'sre' },
    targets: {
      subnet: { resourceType: 'aws:ec2:subnet', resourceTags: { 'gameday:lab-region': PRIMARY }, selectionMode: 'ALL' },
    },
    actions: {
      outage: {
        actionId: 'aws:network:disrupt-connectivity',
        parameters: { duration: 'PT1M' },
        targets: { Subnets: 'subnet' },
      },
    },
  });
  const created = (await client.send(new CreateExperimentTemplateCommand({ ...input, clientToken: 'once' })))
    .experimentTemplate!;
  assert.match(created.id!, /^EXT[A-Za-z0-9]{14}$/);
  assert.is(created.description, 'blackhole us-east-1');
  assert.is(created.roleArn, ROLE);
  assert.equal(created.tags, { Name: 'region-outage', team: 'sre' });
  assert.equal(created.targets!.subnet, {
    resourceType: 'aws:ec2:subnet',
    resourceTags: { 'gameday:lab-region': PRIMARY },
    selectionMode: 'ALL',
  });
  assert.equal(created.actions!.outage.parameters, { duration: 'PT1M' });
  assert.equal(created.stopConditions, [{ source: 'none' }]);
  assert.instance(created.creationTime, Date);
  assert.ok(Math.abs(created.creationTime!.getTime() - Date.now()) < 5_000, 'creationTime is now');

  const again = (await client.send(new CreateExperimentTemplateCommand({ ...input, clientToken: 'once' })))
    .experimentTemplate!;
  assert.is(again.id, created.id, 'the same clientToken returns the same template');
  const conflict = await failure(
    client.send(new CreateExperimentTemplateCommand({ ...input, description: 'other', clientToken: 'once' })),
  );
  assert.instance(conflict, ConflictException);
  assert.is(conflict.$metadata.httpStatusCode, 409);

  const fetched = (await client.send(new GetExperimentTemplateCommand({ id: created.id }))).experimentTemplate!;
  assert.equal(fetched, created);
  const listed = await client.send(new ListExperimentTemplatesCommand({}));
  const summary = listed.experimentTemplates!.find((t) => t.id === created.id);
  assert.equal(summary?.tags, { Name: 'region-outage', team: 'sre' });
  assert.is(summary?.description, 'blackhole us-east-1');
  // Templates are regional.
  const elsewhere = await clients[STANDBY].send(new ListExperimentTemplatesCommand({}));
  assert.not.ok(
    elsewhere.experimentTemplates!.some((t) => t.id === created.id),
    'not listed in another region',
  );
  assert.instance(
    await failure(clients[STANDBY].send(new GetExperimentTemplateCommand({ id: created.id }))),
    ResourceNotFoundException,
  );

  const arn = `arn:aws:fis:${PRIMARY}:000000000000:experiment-template/${created.id}`;
  await client.send(new TagResourceCommand({ resourceArn: arn, tags: { owner: 'gameday' } }));
  await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }));
  assert.equal((await client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, {
    Name: 'region-outage',
    owner: 'gameday',
  });

  const deleted = (await client.send(new DeleteExperimentTemplateCommand({ id: created.id }))).experimentTemplate!;
  assert.is(deleted.id, created.id);
  const gone = await failure(client.send(new GetExperimentTemplateCommand({ id: created.id })));
  assert.instance(gone, ResourceNotFoundException);
  assert.match(gone.message, new RegExp(`${created.id} not found`));
  assert.instance(
    await failure(client.send(new DeleteExperimentTemplateCommand({ id: created.id }))),
    ResourceNotFoundException,
  );
  assert.instance(
    await failure(client.send(new ListTagsForResourceCommand({ resourceArn: arn }))),
    ResourceNotFoundException,
  );
});

test('invalid templates are ValidationExceptions that say what is wrong and what is valid', async () => {
  const subnetTarget = {
    resourceType: 'aws:ec2:subnet',
    resourceArns: [resources[PRIMARY].subnetArn],
    selectionMode: 'ALL',
  };
  const dbTarget = {
    resourceType: 'aws:rds:db',
    resourceArns: [resources[PRIMARY].dbInstanceArn],
    selectionMode: 'ALL',
  };
  const outage = (parameters: Record<string, string>, target = 'subnet') => ({
    actionId: 'aws:network:disrupt-connectivity',
    parameters,
    targets: { Subnets: target },
  });
  const cases: Array<[string, Partial<CreateExperimentTemplateCommandInput>, RegExp]> = [
    [
      'unknown actionId',
      { actions: { a: { actionId: 'aws:ec2:stop-instances' } } },
      /actions\.a\.actionId "aws:ec2:stop-instances" is not an action the lab carries out; valid: .*aws:fis:wait/,
    ],
    [
      'unknown parameter',
      { targets: { subnet: subnetTarget }, actions: { a: outage({ duration: 'PT1M', speed: 'fast' }) } },
      /actions\.a\.parameters\.speed is not a parameter of aws:network:disrupt-connectivity; valid: duration, scope/,
    ],
    [
      'missing parameter',
      { targets: { subnet: subnetTarget }, actions: { a: outage({}) } },
      /actions\.a\.parameters\.duration is required by aws:network:disrupt-connectivity/,
    ],
    [
      'malformed duration',
      { targets: { subnet: subnetTarget }, actions: { a: outage({ duration: '5 minutes' }) } },
      /actions\.a\.parameters\.duration: "5 minutes" is not an ISO-8601 duration; write e\.g\. PT30S/,
    ],
    [
      'duration over 12 hours',
      { targets: { subnet: subnetTarget }, actions: { a: outage({ duration: 'PT13H' }) } },
      /longer than FIS's maximum of 12 hours/,
    ],
    [
      'scope the lab does not model',
      { targets: { subnet: subnetTarget }, actions: { a: outage({ duration: 'PT1M', scope: 's3' }) } },
      /parameters\.scope: "s3" is not valid; valid: all/,
    ],
    [
      'target of the wrong resource type',
      { targets: { db: dbTarget }, actions: { a: outage({ duration: 'PT1M' }, 'db') } },
      /actions\.a\.targets\.Subnets must be a target of type aws:ec2:subnet; targets\.db is of type aws:rds:db/,
    ],
    [
      'undefined target',
      { targets: { subnet: subnetTarget }, actions: { a: outage({ duration: 'PT1M' }, 'nope') } },
      /names target "nope", which the template does not define; defined: subnet/,
    ],
    [
      'missing target',
      { actions: { a: { actionId: 'aws:rds:reboot-db-instances' } } },
      /actions\.a\.targets\.DBInstances is required by aws:rds:reboot-db-instances/,
    ],
    [
      'tags that match no lab resource',
      {
        targets: { subnet: { resourceType: 'aws:ec2:subnet', resourceTags: { env: 'prod' }, selectionMode: 'ALL' } },
        actions: { a: outage({ duration: 'PT1M' }) },
      },
      new RegExp(
        String.raw`targets\.subnet resolves to no aws:ec2:subnet in us-east-1; ` +
          String.raw`the lab has there: arn:aws:ec2:us-east-1:000000000000:subnet/`,
      ),
    ],
    [
      'ARN that is no lab resource',
      {
        targets: {
          subnet: { ...subnetTarget, resourceArns: ['arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0abc'] },
        },
        actions: { a: outage({ duration: 'PT1M' }) },
      },
      /is not a lab resource; the lab's aws:ec2:subnet in us-east-1: arn:aws:ec2:us-east-1:000000000000:subnet/,
    ],
    [
      'ARN in another region',
      {
        targets: { subnet: { ...subnetTarget, resourceArns: [resources[STANDBY].subnetArn] } },
        actions: { a: outage({ duration: 'PT1M' }) },
      },
      /is in eu-west-1; an experiment in us-east-1 can only target resources in us-east-1/,
    ],
    [
      'bad selection mode',
      { targets: { subnet: { ...subnetTarget, selectionMode: 'SOME' } }, actions: { a: outage({ duration: 'PT1M' }) } },
      /targets\.subnet\.selectionMode "SOME" is not valid; valid: ALL, COUNT\(n\)/,
    ],
    [
      'CloudWatch alarm stop condition',
      {
        stopConditions: [
          { source: 'aws:cloudwatch:alarm', value: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:errors' },
        ],
      },
      /the lab has no CloudWatch alarms/,
    ],
    ['missing roleArn', { roleArn: undefined }, /roleArn is required/],
    [
      'startAfter cycle',
      {
        actions: {
          a: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1S' }, startAfter: ['b'] },
          b: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1S' }, startAfter: ['a'] },
        },
      },
      /startAfter makes a cycle: a -> b -> a/,
    ],
    [
      'cross-region to its own region',
      {
        targets: { subnet: subnetTarget },
        actions: {
          a: {
            actionId: 'aws:network:route-table-disrupt-cross-region-connectivity',
            parameters: { duration: 'PT1M', region: PRIMARY },
            targets: { Subnets: 'subnet' },
          },
        },
      },
      /is the experiment's own region; name the region to cut it off from \(eu-west-1\)/,
    ],
    [
      'another SSM document',
      {
        targets: {
          vm: {
            resourceType: 'aws:ec2:instance',
            resourceArns: [resources[PRIMARY].instanceArn],
            selectionMode: 'ALL',
          },
        },
        actions: {
          a: {
            actionId: 'aws:ssm:send-command',
            parameters: {
              duration: 'PT1M',
              documentArn: 'arn:aws:ssm:us-east-1::document/AWSFIS-Run-CPU-Stress',
              documentParameters: '{}',
            },
            targets: { Instances: 'vm' },
          },
        },
      },
      /the lab runs one SSM document, AWSFIS-Run-Network-Latency/,
    ],
    [
      'pods by ARN',
      {
        targets: {
          pod: { resourceType: 'aws:eks:pod', resourceArns: [resources[PRIMARY].eksPodArn], selectionMode: 'ALL' },
        },
        actions: { a: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1S' } } },
      },
      /targets of type aws:eks:pod are identified by parameters/,
    ],
  ];
  for (const [what, change, expected] of cases) {
    const input = {
      ...template({ actions: { a: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1S' } } } }),
      ...change,
    };
    const error = await failure(
      clients[PRIMARY].send(new CreateExperimentTemplateCommand(input as CreateExperimentTemplateCommandInput)),
    );
    assert.instance(error, ValidationException, `${what}: ${error.name}: ${error.message}`);
    assert.is(error.$metadata.httpStatusCode, 400, what);
    assert.match(error.message, expected, `${what}: ${error.message}`);
  }
  const listed = await clients[PRIMARY].send(new ListExperimentTemplatesCommand({}));
  assert.equal(listed.experimentTemplates, [], 'no invalid template was stored');
});

test('unknown experiment and template ids are ResourceNotFoundExceptions', async () => {
  const client = clients[PRIMARY];
  for (const [what, call] of [
    ['GetExperiment', () => client.send(new GetExperimentCommand({ id: 'EXPnotanexperiment' }))],
    ['StopExperiment', () => client.send(new StopExperimentCommand({ id: 'EXPnotanexperiment' }))],
    ['StartExperiment', () => client.send(new StartExperimentCommand({ experimentTemplateId: 'EXTnotatemplate' }))],
    ['GetExperimentTemplate', () => client.send(new GetExperimentTemplateCommand({ id: 'EXTnotatemplate' }))],
  ] as const) {
    const error = await failure(call());
    assert.instance(error, ResourceNotFoundException, `${what}: ${error.name}`);
    assert.is(error.$metadata.httpStatusCode, 404);
    assert.match(error.message, /not found in us-east-1/);
  }
});

// ------------------------------------------------------------------ actions in the lab

test("disrupt-connectivity blackholes the subnet's region for its duration, then ends by itself", async () => {
  const client = clients[PRIMARY];
  const url = `${appUrl(PRIMARY)}/health`;
  assert.is((await httpGet(url, 2_000)).status, 200, 'before');
  const experiment = await startFrom(
    client,
    template({
      targets: {
        subnet: { resourceType: 'aws:ec2:subnet', resourceArns: [resources[PRIMARY].subnetArn], selectionMode: 'ALL' },
      },
      actions: {
        outage: {
          actionId: 'aws:network:disrupt-connectivity',
          parameters: { duration: 'PT3S' },
          targets: { Subnets: 'subnet' },
        },
      },
    }),
    { drill: 'outage' },
  );
  assert.match(experiment.id!, /^EXP[A-Za-z0-9]{15}$/);
  assert.is(experiment.state!.status, 'initiating', 'StartExperiment answers while the experiment initiates');
  assert.equal(experiment.tags, { drill: 'outage' });

  const polled = pollStatuses(client, experiment.id!);
  const running = await waitFor(client, experiment.id!, (e) => e.actions!.outage.state!.status === 'running');
  const faultAt = running.actions!.outage.startTime!.getTime();
  const outcome = await httpGet(url, 1_000).then(
    (r) => `HTTP ${r.status}`,
    (error: Error) => error.message,
  );
  assert.match(outcome, /timed out after 1000 ms/, 'the app ingress holds requests while the action runs');
  const blackholed = proxiesWithToxic(`fis-${experiment.id}-outage-upstream`);
  assert.equal(
    blackholed,
    [
      `app-${PRIMARY}`,
      `db-${PRIMARY}`,
      `objects-${STANDBY}-to-${PRIMARY}`,
      `objects-${PRIMARY}-to-${STANDBY}`,
      `replication-${STANDBY}`,
      `replication-${PRIMARY}`,
      `s3-${PRIMARY}`,
    ],
    'every proxy in or into the region, the object replication links out of it too',
  );
  assert.equal(proxiesWithToxic(`fis-${experiment.id}-outage-downstream`), blackholed, 'in both directions');
  assert.match(running.actions!.outage.state!.reason!, /blackhole of us-east-1/);

  const done = await waitFor(client, experiment.id!, (e) => e.state!.status === 'completed', 15_000);
  assert.is((await httpGet(url, 2_000)).status, 200, 'after the action completed');
  assert.equal(proxiesWithToxic('fis-'), [], 'no toxic left');
  const action = done.actions!.outage;
  assert.is(action.state!.status, 'completed');
  assert.ok(
    action.startTime!.getTime() === faultAt && faultAt >= done.startTime!.getTime(),
    'startTime is when the blackhole went on',
  );
  const lasted = action.endTime!.getTime() - faultAt;
  assert.ok(lasted >= 2_950 && lasted < 4_500, `the blackhole lasted ${lasted} ms for PT3S`);
  assert.ok(done.endTime!.getTime() >= action.endTime!.getTime());

  // Every transition, in order, as the service recorded it; polling saw a subsequence of it.
  assert.equal(statuses(experiment.id!), ['pending', 'initiating', 'running', 'completed']);
  assert.equal(statuses(experiment.id!, 'outage'), ['pending', 'initiating', 'running', 'completed']);
  assert.ok(
    isSubsequence(await polled.stop(), ['initiating', 'running', 'completed']),
    'GetExperiment saw the statuses in order',
  );

  const listed = await client.send(new ListExperimentsCommand({}));
  const summary = listed.experiments!.find((e) => e.id === experiment.id);
  assert.equal(
    { status: summary?.state?.status, tags: summary?.tags },
    { status: 'completed', tags: { drill: 'outage' } },
  );
  const tags = await client.send(
    new ListTagsForResourceCommand({ resourceArn: `arn:aws:fis:${PRIMARY}:000000000000:experiment/${experiment.id}` }),
  );
  assert.equal(tags.tags, { drill: 'outage' });

  // A completed experiment cannot be stopped.
  const late = await failure(client.send(new StopExperimentCommand({ id: experiment.id })));
  assert.instance(late, ConflictException);
  assert.match(late.message, /already completed/);
});

test('StopExperiment reverts a running action early; stopping again is harmless', async () => {
  const client = clients[PRIMARY];
  const url = `${appUrl(PRIMARY)}/health`;
  await waitHttp200(url);
  const experiment = await startFrom(
    client,
    template({
      targets: {
        subnet: {
          resourceType: 'aws:ec2:subnet',
          resourceTags: { 'gameday:lab-region': PRIMARY },
          selectionMode: 'ALL',
        },
      },
      actions: {
        outage: {
          actionId: 'aws:network:disrupt-connectivity',
          parameters: { duration: 'PT60S' },
          targets: { Subnets: 'subnet' },
        },
        after: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1S' }, startAfter: ['outage'] },
      },
    }),
  );
  await waitFor(client, experiment.id!, (e) => e.actions!.outage.state!.status === 'running');
  assert.match(
    await httpGet(url, 500).then(
      (r) => `HTTP ${r.status}`,
      (error: Error) => error.message,
    ),
    /timed out/,
  );

  const stopRequested = Date.now();
  const stopping = (await client.send(new StopExperimentCommand({ id: experiment.id }))).experiment!;
  assert.is(stopping.state!.status, 'stopping');
  const stopped = await waitFor(client, experiment.id!, (e) => e.state!.status === 'stopped', 5_000);
  assert.ok(Date.now() - stopRequested < 3_000, 'stopped long before the 60 s duration');
  assert.is((await httpGet(url, 2_000)).status, 200, 'the region answers again');
  assert.equal(proxiesWithToxic('fis-'), [], 'no toxic left');
  assert.is(stopped.actions!.outage.state!.status, 'stopped');
  assert.is(stopped.actions!.after.state!.status, 'cancelled', 'the action waiting on it never starts');
  assert.match(stopped.state!.reason!, /stopped by user/);
  assert.equal(statuses(experiment.id!), ['pending', 'initiating', 'running', 'stopping', 'stopped']);
  assert.equal(statuses(experiment.id!, 'outage'), ['pending', 'initiating', 'running', 'stopping', 'stopped']);
  assert.equal(statuses(experiment.id!, 'after'), ['pending', 'cancelled']);

  const again = (await client.send(new StopExperimentCommand({ id: experiment.id }))).experiment!;
  assert.is(again.state!.status, 'stopped');
});

test("ECS task latency (tags, COUNT(1)) delays every response of the task's region by delayMilliseconds", async () => {
  const client = clients[STANDBY];
  const url = `${appUrl(STANDBY)}/health`;
  await waitHttp200(url);
  const baseline = await medianMs(url, 5);
  const experiment = await startFrom(
    client,
    template({
      targets: {
        tasks: {
          resourceType: 'aws:ecs:task',
          resourceTags: { 'gameday:lab-region': STANDBY },
          selectionMode: 'COUNT(1)',
        },
      },
      actions: {
        slow: {
          actionId: 'aws:ecs:task-network-latency',
          parameters: { duration: 'PT3S', delayMilliseconds: '400', jitterMilliseconds: '0' },
          targets: { Tasks: 'tasks' },
        },
      },
    }),
  );
  const resolved = await client.send(new ListExperimentResolvedTargetsCommand({ experimentId: experiment.id }));
  assert.equal(resolved.resolvedTargets, [
    { resourceType: 'aws:ecs:task', targetName: 'tasks', targetInformation: { arn: resources[STANDBY].ecsTaskArn } },
  ]);

  await waitFor(client, experiment.id!, (e) => e.actions!.slow.state!.status === 'running');
  assert.equal(proxiesWithToxic(`fis-${experiment.id}-slow`), [`app-${STANDBY}`]);
  const slowed = await medianMs(url, 3);
  assert.ok(slowed >= 400 && slowed < 400 + 1_000, `median ${slowed} ms with 400 ms latency (baseline ${baseline} ms)`);
  await waitFor(client, experiment.id!, (e) => e.state!.status === 'completed', 10_000);
  const after = await medianMs(url, 5);
  assert.ok(after < 400, `median ${after} ms after the action (baseline ${baseline} ms)`);
});

test('SSM AWSFIS-Run-Network-Latency and EKS pod latency act on the same app ingress', async () => {
  const client = clients[PRIMARY];
  const url = `${appUrl(PRIMARY)}/health`;
  await waitHttp200(url);
  const experiment = await startFrom(
    client,
    template({
      targets: {
        vm: { resourceType: 'aws:ec2:instance', resourceArns: [resources[PRIMARY].instanceArn], selectionMode: 'ALL' },
        pods: {
          resourceType: 'aws:eks:pod',
          parameters: {
            clusterIdentifier: 'gameday-lab',
            namespace: 'default',
            selectorType: 'podName',
            selectorValue: `app-${PRIMARY}`,
          },
          selectionMode: 'ALL',
        },
      },
      actions: {
        ssm: {
          actionId: 'aws:ssm:send-command',
          parameters: {
            duration: 'PT1M',
            documentArn: LATENCY_DOCUMENT,
            documentParameters: JSON.stringify({ DelayMilliseconds: '300', DurationSeconds: '2' }),
          },
          targets: { Instances: 'vm' },
        },
        pod: {
          actionId: 'aws:eks:pod-network-latency',
          parameters: {
            duration: 'PT2S',
            delayMilliseconds: '200',
            jitterMilliseconds: '0',
            kubernetesServiceAccount: 'fis',
          },
          targets: { Pods: 'pods' },
          startAfter: ['ssm'],
        },
      },
    }),
  );
  await waitFor(client, experiment.id!, (e) => e.actions!.ssm.state!.status === 'running');
  const during = await medianMs(url, 3);
  assert.ok(during >= 300, `median ${during} ms under the SSM document's 300 ms`);
  const podRunning = await waitFor(client, experiment.id!, (e) => e.actions!.pod.state!.status === 'running', 10_000);
  assert.is(
    podRunning.actions!.ssm.state!.status,
    'completed',
    'the document ran DurationSeconds, not the 1-minute action duration',
  );
  const podDuring = await medianMs(url, 3);
  assert.ok(podDuring >= 200, `median ${podDuring} ms under the pod action's 200 ms`);
  const done = await waitFor(client, experiment.id!, (e) => e.state!.status === 'completed', 10_000);
  const ssm = done.actions!.ssm;
  assert.ok(
    done.actions!.pod.startTime!.getTime() >= ssm.endTime!.getTime(),
    'startAfter: the pod action started after the SSM one ended',
  );
  const ssmLasted = ssm.endTime!.getTime() - ssm.startTime!.getTime();
  // Timers may fire a millisecond early against wall-clock stamps.
  assert.ok(ssmLasted >= 1_950 && ssmLasted < 3_500, `the SSM latency lasted ${ssmLasted} ms for DurationSeconds 2`);
});

test('reboot-db-instances, wait, then failover-db-cluster (startAfter): a new postmaster each time', async () => {
  const client = clients[STANDBY];
  const pidBefore = pgPid(STANDBY);
  assert.ok(pidBefore, 'the standby database runs');
  const pids = new Set<number>([pidBefore!]);
  const experiment = await startFrom(
    client,
    template({
      targets: {
        db: { resourceType: 'aws:rds:db', resourceArns: [resources[STANDBY].dbInstanceArn], selectionMode: 'ALL' },
        cluster: {
          resourceType: 'aws:rds:cluster',
          resourceTags: { Name: `gameday-lab-${STANDBY}` },
          selectionMode: 'PERCENT(100)',
        },
      },
      actions: {
        reboot: { actionId: 'aws:rds:reboot-db-instances', targets: { DBInstances: 'db' } },
        pause: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1S' }, startAfter: ['reboot'] },
        failover: {
          actionId: 'aws:rds:failover-db-cluster',
          targets: { Clusters: 'cluster' },
          startAfter: ['pause'],
        },
      },
    }),
  );
  // Sample the pid while it runs: the postmaster the reboot started lives through the pause.
  for (;;) {
    const current = await client.send(new GetExperimentCommand({ id: experiment.id }));
    const pid = pgPid(STANDBY);
    if (pid) pids.add(pid);
    if (['completed', 'failed', 'stopped'].includes(current.experiment!.state!.status!)) break;
    await sleep(20);
  }
  const done = (await client.send(new GetExperimentCommand({ id: experiment.id }))).experiment!;
  assert.is(done.state!.status, 'completed', done.state!.reason);
  assert.ok(lab.region(STANDBY).pg.running, 'the database runs again');
  assert.is(pids.size, 3, `three postmasters: before, after the reboot, after the failover (${[...pids].join(', ')})`);
  const { reboot, pause, failover } = done.actions!;
  assert.ok(pause.startTime!.getTime() >= reboot.endTime!.getTime(), 'the pause started after the reboot completed');
  assert.ok(failover.startTime!.getTime() >= pause.endTime!.getTime(), 'the failover started after the pause');
  assert.equal(statuses(experiment.id!, 'failover'), ['pending', 'initiating', 'running', 'completed']);
  // Completed means it accepts connections again: a query answers right away.
  assert.equal(await lab.region(STANDBY).pg.query<{ one: number }>('SELECT 1 AS one'), [{ one: 1 }]);
  await lab.region(PRIMARY).pg.waitStreaming(20_000, STANDBY);
});

test('an action that fails fails the experiment: running actions are stopped, waiting ones cancelled', async () => {
  const client = clients[STANDBY];
  await lab.stopDatabase(STANDBY, 'fast');
  try {
    const experiment = await startFrom(
      client,
      template({
        targets: {
          db: { resourceType: 'aws:rds:db', resourceArns: [resources[STANDBY].dbInstanceArn], selectionMode: 'ALL' },
        },
        actions: {
          reboot: { actionId: 'aws:rds:reboot-db-instances', targets: { DBInstances: 'db' } },
          hold: { actionId: 'aws:fis:wait', parameters: { duration: 'PT30S' } },
          later: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1S' }, startAfter: ['reboot'] },
        },
      }),
    );
    const failed = await waitFor(client, experiment.id!, (e) => e.state!.status === 'failed', 5_000);
    assert.match(
      failed.state!.reason!,
      /Action reboot \(aws:rds:reboot-db-instances\) failed: could not start: the database of eu-west-1 is not running/,
    );
    assert.is(failed.actions!.reboot.state!.status, 'failed');
    assert.is(failed.actions!.hold.state!.status, 'stopped');
    assert.is(failed.actions!.later.state!.status, 'cancelled');
    assert.not.ok(lab.region(STANDBY).pg.running, 'a database that was down before stays down');
    assert.equal(statuses(experiment.id!), ['pending', 'initiating', 'running', 'failed']);
  } finally {
    await lab.startDatabase(STANDBY);
  }
});

test('cross-region disruption stops WAL reaching the standby while both app ingresses answer', async () => {
  const client = clients[PRIMARY];
  const primary = lab.region(PRIMARY).pg;
  const standby = lab.region(STANDBY).pg;
  await primary.waitStreaming(20_000, STANDBY);
  await primary.query('CREATE TABLE IF NOT EXISTS fis_probe (id int primary key)');
  const experiment = await startFrom(
    client,
    template({
      targets: {
        subnet: { resourceType: 'aws:ec2:subnet', resourceArns: [resources[PRIMARY].subnetArn], selectionMode: 'ALL' },
      },
      actions: {
        partition: {
          actionId: 'aws:network:route-table-disrupt-cross-region-connectivity',
          parameters: { duration: 'PT4S', region: STANDBY },
          targets: { Subnets: 'subnet' },
        },
      },
    }),
  );
  await waitFor(client, experiment.id!, (e) => e.actions!.partition.state!.status === 'running');
  assert.equal(
    proxiesWithToxic(`fis-${experiment.id}-partition-upstream`),
    [
      `db-${STANDBY}`,
      `db-${PRIMARY}`,
      `objects-${STANDBY}-to-${PRIMARY}`,
      `objects-${PRIMARY}-to-${STANDBY}`,
      `replication-${STANDBY}`,
    ],
    'the links between the two regions (object replication both ways), no app ingress',
  );

  await primary.query('INSERT INTO fis_probe VALUES (1)');
  const [{ lsn }] = await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  for (const region of [PRIMARY, STANDBY])
    assert.is(
      (await httpGet(`${appUrl(region)}/health`, 2_000)).status,
      200,
      `${region}'s app answers during the partition`,
    );
  await sleep(1_000);
  const [held] = await standby.query<{ received: boolean }>(
    'SELECT coalesce(pg_last_wal_receive_lsn() >= $1::pg_lsn, false) AS received',
    [lsn],
  );
  assert.is(held.received, false, 'the standby has not received the WAL of the insert a second later');
  assert.equal(await standby.query('SELECT id FROM fis_probe WHERE id = 1'), [], 'the row is not on the standby');

  await waitFor(client, experiment.id!, (e) => e.state!.status === 'completed', 10_000);
  const start = Date.now();
  for (;;) {
    if ((await standby.query('SELECT id FROM fis_probe WHERE id = 1')).length === 1) break;
    if (Date.now() - start > 15_000) throw new Error('the row never reached the standby after the partition healed');
    await sleep(50);
  }
  assert.equal(proxiesWithToxic('fis-'), []);
});

test('ServiceQuotaExceededException past 5 active experiments in a region', async () => {
  const client = clients[PRIMARY];
  const { experimentTemplate } = await client.send(
    new CreateExperimentTemplateCommand(
      template({ actions: { hold: { actionId: 'aws:fis:wait', parameters: { duration: 'PT30S' } } } }),
    ),
  );
  const started: string[] = [];
  try {
    for (let i = 0; i < 5; i++)
      started.push(
        (await client.send(new StartExperimentCommand({ experimentTemplateId: experimentTemplate!.id }))).experiment!
          .id!,
      );
    const error = await failure(
      client.send(new StartExperimentCommand({ experimentTemplateId: experimentTemplate!.id })),
    );
    assert.instance(error, ServiceQuotaExceededException);
    assert.is(error.$metadata.httpStatusCode, 402);
    assert.match(error.message, /quota of active experiments/);
    // Another region has its own quota.
    const other = await clients[STANDBY].send(
      new CreateExperimentTemplateCommand(
        template({ actions: { hold: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1S' } } } }),
      ),
    );
    const elsewhere = await clients[STANDBY].send(
      new StartExperimentCommand({ experimentTemplateId: other.experimentTemplate!.id }),
    );
    assert.is(elsewhere.experiment!.state!.status, 'initiating');
    const listed = await client.send(new ListExperimentsCommand({}));
    assert.ok(
      started.every((id) => listed.experiments!.some((e) => e.id === id && e.state!.status === 'running')),
      'ListExperiments shows them running',
    );
  } finally {
    for (const id of started) await client.send(new StopExperimentCommand({ id }));
  }
});

test('closing the FIS service stops running experiments and reverts their changes', async () => {
  const client = clients[STANDBY];
  const experiment = await startFrom(
    client,
    template({
      targets: {
        tasks: { resourceType: 'aws:ecs:task', resourceArns: [resources[STANDBY].ecsTaskArn], selectionMode: 'ALL' },
      },
      actions: {
        slow: {
          actionId: 'aws:ecs:task-network-latency',
          parameters: { duration: 'PT60S', delayMilliseconds: '1000' },
          targets: { Tasks: 'tasks' },
        },
      },
    }),
  );
  await waitFor(client, experiment.id!, (e) => e.actions!.slow.state!.status === 'running');
  assert.equal(proxiesWithToxic('fis-'), [`app-${STANDBY}`]);
  await fis.close();
  assert.equal(proxiesWithToxic('fis-'), [], 'the latency toxic is gone once close() resolves');
  const closed = (await client.send(new GetExperimentCommand({ id: experiment.id }))).experiment!;
  assert.equal(
    { status: closed.state!.status, reason: closed.state!.reason },
    { status: 'stopped', reason: 'Experiment stopped: the lab is shutting down.' },
  );
  assert.is(closed.actions!.slow.state!.status, 'stopped');
  const refused = await failure(
    client.send(new StartExperimentCommand({ experimentTemplateId: closed.experimentTemplateId })),
  );
  assert.instance(refused, ConflictException);
});

// ------------------------------------------------------------------ helpers

function template(fields: Partial<CreateExperimentTemplateCommandInput>): CreateExperimentTemplateCommandInput {
  return {
    description: 'gameday lab test',
    roleArn: ROLE,
    stopConditions: [{ source: 'none' }],
    actions: {},
    ...fields,
  };
}

async function startFrom(
  client: FisClient,
  input: CreateExperimentTemplateCommandInput,
  tags?: Record<string, string>,
): Promise<Experiment> {
  const { experimentTemplate } = await client.send(new CreateExperimentTemplateCommand(input));
  const { experiment } = await client.send(
    new StartExperimentCommand({ experimentTemplateId: experimentTemplate!.id, tags }),
  );
  return experiment!;
}

/** Polls GetExperiment until `done` holds. */
async function waitFor(
  client: FisClient,
  id: string,
  done: (experiment: Experiment) => boolean,
  timeoutMs = 10_000,
): Promise<Experiment> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { experiment } = await client.send(new GetExperimentCommand({ id }));
    if (done(experiment!)) return experiment!;
    if (Date.now() > deadline) {
      const actions = Object.fromEntries(Object.entries(experiment!.actions ?? {}).map(([n, a]) => [n, a.state]));
      throw new Error(
        `experiment ${id} did not get there in ${timeoutMs} ms: ${JSON.stringify([experiment!.state, actions])}`,
      );
    }
    await sleep(20);
  }
}

/**
 * Polls the experiment's status in the background until it ends; stop() waits for that and returns the statuses seen,
 * in order.
 */
function pollStatuses(client: FisClient, id: string): { stop(): Promise<string[]> } {
  const seen: string[] = [];
  const loop = (async () => {
    for (;;) {
      const { experiment } = await client.send(new GetExperimentCommand({ id }));
      const status = experiment!.state!.status!;
      if (seen.at(-1) !== status) seen.push(status);
      if (['completed', 'stopped', 'failed'].includes(status)) return;
      await sleep(20);
    }
  })();
  return { stop: () => loop.then(() => seen) };
}

/** The statuses the service recorded for the experiment (or one of its actions), in order. */
function statuses(id: string, action?: string): string[] {
  const experiment = fis.service
    .experimentsIn(PRIMARY)
    .concat(fis.service.experimentsIn(STANDBY))
    .find((e) => e.id === id)!;
  return experiment.history.filter((t) => t.action === action).map((t) => t.status);
}

function isSubsequence(seen: string[], order: string[]): boolean {
  let i = 0;
  for (const status of seen) {
    while (i < order.length && order[i] !== status) i++;
    if (i === order.length) return false;
  }
  return seen.length > 0;
}

function proxiesWithToxic(prefix: string): string[] {
  return [...lab.proxies.values()]
    .filter((proxy) => proxy.toxics().some((toxic) => toxic.name.startsWith(prefix)))
    .map((proxy) => proxy.name)
    .sort();
}

function pgPid(region: string): number | undefined {
  return lab.processes().find((p) => p.region === region)?.pgPid ?? undefined;
}

function appUrl(region: string): string {
  const address = lab.layout.regions.find((r) => r.name === region)!.address;
  return `http://${address}:${lab.layout.ports.app}`;
}

async function failure(promise: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}

/** One GET on its own connection; rejects on a client-side timeout. */
function httpGet(url: string, timeoutMs: number): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false }, (response) => {
      response.resume();
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, ms: performance.now() - started });
      });
    });
    const timer = setTimeout(() => request.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)), timeoutMs);
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

async function waitHttp200(url: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const status = await httpGet(url, 1_000).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within 15 s`);
    await sleep(50);
  }
}

async function medianMs(url: string, samples: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const result = await httpGet(url, 5_000);
    assert.is(result.status, 200);
    times.push(result.ms);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

test.run();
