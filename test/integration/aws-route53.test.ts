// The lab's Route 53 API through the official @aws-sdk/client-route-53, the way gameday
// drives a real account: one lab, one Route53Client pointed at its control endpoint, every
// operation on its success and error paths, and the effects checked where they land — in
// the answers of the lab's real DNS server.
import { promises as dnsPromises } from 'node:dns';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ChangeResourceRecordSetsCommand,
  CreateHealthCheckCommand,
  DeleteHealthCheckCommand,
  GetChangeCommand,
  GetHealthCheckCommand,
  GetHealthCheckStatusCommand,
  GetHostedZoneCommand,
  HealthCheckAlreadyExists,
  HealthCheckInUse,
  HealthCheckVersionMismatch,
  InvalidChangeBatch,
  InvalidInput,
  ListHealthChecksCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  NoSuchChange,
  NoSuchHealthCheck,
  NoSuchHostedZone,
  Route53Client,
  Route53ServiceException,
  UpdateHealthCheckCommand,
  waitUntilResourceRecordSetsChanged,
  type Change,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { labHostedZoneId } from '../../src/lab/aws/resources';
import { createRoute53Handler } from '../../src/lab/aws/route53';
import type { Lab } from '../../src/lab/lab';
import { startTestLab } from '../support/lab';

const PRIMARY = 'us-east-1';
const SECONDARY = 'eu-west-1';
const PRIMARY_CHECK = `hc-app-${PRIMARY}`;
const SECONDARY_CHECK = `hc-app-${SECONDARY}`;
const APP = 'app.gameday.lab.';
const WRITER = 'writer.db.gameday.lab.';

let lab: Lab;
let close: () => Promise<void>;
let route53: Route53Client;
let resolver: dnsPromises.Resolver;
/** Health checks this file created, deleted at the end if a test failed before doing so. */
const createdChecks = new Set<string>();

test.before(async () => {
  const started = await startTestLab({ awsServices: { route53: createRoute53Handler } });
  lab = started.lab;
  close = started.close;
  route53 = new Route53Client({
    region: 'us-east-1',
    endpoint: started.endpoint,
    credentials: { accessKeyId: 'lab', secretAccessKey: 'lab' },
  });
  resolver = new dnsPromises.Resolver({ timeout: 1_000, tries: 2 });
  const dns = lab.dnsAddress();
  resolver.setServers([`${dns.host}:${dns.port}`]);
});

test.after(async () => {
  // Leave the lab as it was even when a test failed half way.
  for (const id of [PRIMARY_CHECK, SECONDARY_CHECK]) {
    if (lab?.healthChecks.has(id)) lab.healthChecks.update(id, { inverted: false });
  }
  for (const id of createdChecks) if (lab?.healthChecks.has(id)) lab.healthChecks.remove(id);
  route53?.destroy();
  await close?.();
});

// ------------------------------------------------------------------ hosted zones and records

test('ListHostedZones and GetHostedZone show the lab zone; an unknown id is NoSuchHostedZone', async () => {
  const listed = await route53.send(new ListHostedZonesCommand({}));
  assert.is(listed.IsTruncated, false);
  assert.is(listed.HostedZones?.length, 1);
  const [zone] = listed.HostedZones!;
  assert.is(zone.Id, `/hostedzone/${labHostedZoneId}`);
  assert.is(zone.Name, 'gameday.lab.');
  assert.is(zone.Config?.PrivateZone, false);
  assert.is(zone.ResourceRecordSetCount, lab.zone.recordSets().length + 2, 'the apex SOA and NS count too');

  // The SDK strips the /hostedzone/ prefix, so both forms of the id work.
  const got = await route53.send(new GetHostedZoneCommand({ Id: zone.Id }));
  assert.is(got.HostedZone?.Name, 'gameday.lab.');
  assert.equal(got.DelegationSet?.NameServers, ['ns1.gameday.lab']);

  const error = await rejection(route53.send(new GetHostedZoneCommand({ Id: 'Z0NOSUCHZONE' })));
  assert.instance(error, NoSuchHostedZone);
  assert.is(error.$metadata.httpStatusCode, 404);
  assert.is(error.message, 'No hosted zone found with ID: Z0NOSUCHZONE');
  assert.ok(error.$metadata.requestId, 'errors carry a request id');
});

test("ListResourceRecordSets lists the lab's failover records as Route 53 does, and pages", async () => {
  const all = await listAll();
  const app = all.filter((set) => set.Name === APP);
  assert.equal(
    app.map((set) => ({
      id: set.SetIdentifier,
      failover: set.Failover,
      ttl: set.TTL,
      values: set.ResourceRecords?.map((r) => r.Value),
      check: set.HealthCheckId,
      type: set.Type,
    })),
    [
      { id: SECONDARY, failover: 'SECONDARY', ttl: 1, values: ['127.0.0.3'], check: SECONDARY_CHECK, type: 'A' },
      { id: PRIMARY, failover: 'PRIMARY', ttl: 1, values: ['127.0.0.2'], check: PRIMARY_CHECK, type: 'A' },
    ],
    'sorted by SetIdentifier within name and type',
  );
  // The apex comes first: Route 53 sorts by the name's labels reversed (gameday.lab. < app.gameday.lab.).
  assert.equal(
    all.slice(0, 2).map((set) => `${set.Name} ${set.Type}`),
    ['gameday.lab. NS', 'gameday.lab. SOA'],
  );
  assert.ok(
    all.some((set) => set.Name === WRITER && set.Type === 'A' && set.ResourceRecords?.[0].Value === '127.0.0.2'),
  );

  // One page at a time through NextRecordName/Type/Identifier gives the same list.
  const paged: ResourceRecordSet[] = [];
  let start: { StartRecordName?: string; StartRecordType?: ResourceRecordSet['Type']; StartRecordIdentifier?: string } =
    {};
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 100, 'paging ends');
    const page = await route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: labHostedZoneId, MaxItems: 1, ...start }),
    );
    paged.push(...page.ResourceRecordSets!);
    if (!page.IsTruncated) break;
    start = {
      StartRecordName: page.NextRecordName,
      StartRecordType: page.NextRecordType,
      StartRecordIdentifier: page.NextRecordIdentifier,
    };
  }
  assert.equal(paged, all);

  const error = await rejection(route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: 'Z0NOSUCHZONE' })));
  assert.instance(error, NoSuchHostedZone);
});

test('ChangeResourceRecordSets UPSERT moves writer.db.gameday.lab; GetChange goes PENDING then INSYNC', async () => {
  assert.equal(await resolve(WRITER), ['127.0.0.2']);
  const changed = await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: `/hostedzone/${labHostedZoneId}`,
      ChangeBatch: { Comment: 'point the writer at eu-west-1', Changes: [upsertWriter('127.0.0.3')] },
    }),
  );
  const info = changed.ChangeInfo!;
  assert.match(info.Id!, /^\/change\/C[A-Z0-9]+$/);
  assert.is(info.Status, 'PENDING');
  assert.is(info.Comment, 'point the writer at eu-west-1');
  assert.instance(info.SubmittedAt, Date);
  assert.ok(Math.abs(info.SubmittedAt!.getTime() - Date.now()) < 5_000);
  // The lab's only name server answers with the change at once.
  assert.equal(await resolve(WRITER), ['127.0.0.3']);

  assert.is((await route53.send(new GetChangeCommand({ Id: info.Id }))).ChangeInfo?.Status, 'PENDING');
  const waited = await waitUntilResourceRecordSetsChanged(
    { client: route53, maxWaitTime: 10, minDelay: 1, maxDelay: 1 },
    { Id: info.Id },
  );
  assert.is(waited.state, 'SUCCESS');
  const insync = await route53.send(new GetChangeCommand({ Id: info.Id }));
  assert.is(insync.ChangeInfo?.Status, 'INSYNC');
  assert.is(insync.ChangeInfo?.Id, info.Id);

  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: labHostedZoneId,
      ChangeBatch: { Changes: [upsertWriter('127.0.0.2')] },
    }),
  );
  assert.equal(await resolve(WRITER), ['127.0.0.2']);

  const error = await rejection(route53.send(new GetChangeCommand({ Id: '/change/C0NOSUCHCHANGE' })));
  assert.instance(error, NoSuchChange);
  assert.is(error.$metadata.httpStatusCode, 404);
});

test('CREATE, then DELETE of the same set: a batch applies in order; DELETE needs the exact values', async () => {
  const name = 'drill.gameday.lab.';
  const set: ResourceRecordSet = {
    Name: name,
    Type: 'TXT',
    TTL: 60,
    ResourceRecords: [{ Value: '"owner=gameday" "run=1"' }],
  };
  await change([{ Action: 'CREATE', ResourceRecordSet: set }]);
  assert.equal(await resolver.resolveTxt(name), [['owner=gameday', 'run=1']]);

  const mismatch = await rejection(change([{ Action: 'DELETE', ResourceRecordSet: { ...set, TTL: 61 } }]));
  assert.instance(mismatch, InvalidChangeBatch);
  assert.match(
    mismatch.message,
    "Tried to delete resource record set [name='drill.gameday.lab.', type='TXT'] but the values " +
      'provided do not match the current values',
  );

  await change([{ Action: 'DELETE', ResourceRecordSet: set }]);
  assert.is(await resolveCode(name), 'ENOTFOUND');
});

test("InvalidChangeBatch: every problem in Route 53's words, and nothing of the batch applied", async () => {
  const untouched = 'never.gameday.lab.';
  const error = await rejection(
    change([
      // valid on its own: must not be applied, because the batch fails
      {
        Action: 'UPSERT',
        ResourceRecordSet: { Name: untouched, Type: 'A', TTL: 5, ResourceRecords: [{ Value: '127.0.0.9' }] },
      },
      { Action: 'CREATE', ResourceRecordSet: failoverSet(PRIMARY, 'PRIMARY', '127.0.0.2', PRIMARY_CHECK) },
      {
        Action: 'DELETE',
        ResourceRecordSet: {
          Name: 'nothing.gameday.lab.',
          Type: 'A',
          TTL: 5,
          ResourceRecords: [{ Value: '127.0.0.9' }],
        },
      },
    ]),
  );
  assert.instance(error, InvalidChangeBatch);
  assert.is(error.$metadata.httpStatusCode, 400);
  assert.is(
    error.message,
    "[Tried to create resource record set [name='app.gameday.lab.', type='A', " +
      "set-identifier='us-east-1'] but it already exists, " +
      "Tried to delete resource record set [name='nothing.gameday.lab.', type='A'] but it was not found]",
  );
  // Route 53 sends the problems in Message only; the SDK's modelled `messages` stays empty.
  assert.equal((error as InvalidChangeBatch).messages ?? [], []);
  assert.is(await resolveCode(untouched), 'ENOTFOUND');
  assert.not.ok((await listAll()).some((set) => set.Name === untouched));

  const values = await rejection(
    change([
      {
        Action: 'UPSERT',
        ResourceRecordSet: { Name: 'bad.gameday.lab.', Type: 'A', TTL: 5, ResourceRecords: [{ Value: '300.1.2.3' }] },
      },
      {
        Action: 'UPSERT',
        ResourceRecordSet: { Name: 'bad.gameday.lab.', Type: 'TXT', TTL: 5, ResourceRecords: [{ Value: 'unquoted' }] },
      },
      {
        Action: 'UPSERT',
        ResourceRecordSet: {
          Name: 'api.gameday.lab.',
          Type: 'A',
          TTL: 5,
          SetIdentifier: 'p',
          Failover: 'PRIMARY',
          ResourceRecords: [{ Value: '127.0.0.2' }],
        },
      },
      {
        Action: 'UPSERT',
        ResourceRecordSet: { Name: 'app.example.com.', Type: 'A', TTL: 5, ResourceRecords: [{ Value: '127.0.0.2' }] },
      },
    ]),
  );
  assert.instance(values, InvalidChangeBatch);
  for (const expected of [
    "Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 " +
      "address) encountered with '300.1.2.3''",
    "Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in " +
      "quotation marks) encountered with 'unquoted''",
    'A non-alias primary ResourceRecordSet must have an associated health check. No changes made.',
  ]) {
    assert.ok(values.message.includes(expected), `${values.message}\nshould include\n${expected}`);
  }
  // The zone's own check runs when nothing else is wrong.
  const outside = await rejection(
    change([
      {
        Action: 'UPSERT',
        ResourceRecordSet: { Name: 'app.example.com.', Type: 'A', TTL: 5, ResourceRecords: [{ Value: '127.0.0.2' }] },
      },
    ]),
  );
  assert.instance(outside, InvalidChangeBatch);
  assert.match(outside.message, 'RRSet with DNS name app.example.com. is not permitted in zone gameday.lab.');
});

test('ChangeResourceRecordSets: InvalidInput for a malformed change, NoSuchHealthCheck, NoSuchHostedZone', async () => {
  const noTtl = await rejection(
    change([{ Action: 'UPSERT', ResourceRecordSet: { Name: 'x.gameday.lab.', Type: 'A' } }]),
  );
  assert.instance(noTtl, InvalidInput);
  assert.is(
    noTtl.message,
    'Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or ' +
      'TrafficPolicyInstanceId], but found none in ' +
      'Change with [Action=UPSERT, Name=x.gameday.lab., Type=A, SetIdentifier=null]',
  );
  const weighted = await rejection(
    change([
      {
        Action: 'UPSERT',
        ResourceRecordSet: {
          Name: 'x.gameday.lab.',
          Type: 'A',
          TTL: 5,
          SetIdentifier: 'w',
          Weight: 10,
          ResourceRecords: [{ Value: '127.0.0.2' }],
        },
      },
    ]),
  );
  assert.instance(weighted, InvalidInput);
  assert.match(weighted.message, 'Weight is not supported');
  const mx = await rejection(
    change([
      {
        Action: 'UPSERT',
        ResourceRecordSet: {
          Name: 'x.gameday.lab.',
          Type: 'MX',
          TTL: 5,
          ResourceRecords: [{ Value: '10 mail.gameday.lab.' }],
        },
      },
    ]),
  );
  assert.instance(mx, InvalidInput);
  assert.match(mx.message, 'MX is not supported');

  const unknownCheck = await rejection(
    change([{ Action: 'UPSERT', ResourceRecordSet: failoverSet(PRIMARY, 'PRIMARY', '127.0.0.2', 'no-such-check') }]),
  );
  assert.instance(unknownCheck, NoSuchHealthCheck);
  assert.is(unknownCheck.message, 'A health check with id no-such-check does not exist.');

  const noZone = await rejection(
    route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: 'Z0NOSUCHZONE',
        ChangeBatch: { Changes: [upsertWriter('127.0.0.2')] },
      }),
    ),
  );
  assert.instance(noZone, NoSuchHostedZone);
  assert.equal(await resolve(APP), ['127.0.0.2'], 'none of these changed anything');
});

// ------------------------------------------------------------------ health checks

test("the lab's health checks through ListHealthChecks, GetHealthCheck and GetHealthCheckStatus", async () => {
  const listed = await route53.send(new ListHealthChecksCommand({}));
  assert.is(listed.IsTruncated, false);
  const ids = listed.HealthChecks!.map((check) => check.Id);
  assert.ok(ids.includes(PRIMARY_CHECK) && ids.includes(SECONDARY_CHECK), ids.join(', '));

  const { HealthCheck: check } = await route53.send(new GetHealthCheckCommand({ HealthCheckId: PRIMARY_CHECK }));
  assert.is(check?.CallerReference, PRIMARY_CHECK);
  assert.equal(check?.HealthCheckConfig, {
    IPAddress: '127.0.0.2',
    Port: lab.layout.ports.app,
    Type: 'HTTP',
    ResourcePath: '/health',
    // the lab's own checks run every 200 ms; Route 53 speaks whole seconds
    RequestInterval: 1,
    FailureThreshold: 3,
    MeasureLatency: false,
    Inverted: false,
    Disabled: false,
    EnableSNI: false,
  });
  assert.ok(check!.HealthCheckVersion! >= 1);

  const page = await route53.send(new ListHealthChecksCommand({ MaxItems: 1 }));
  assert.is(page.HealthChecks?.length, 1);
  assert.is(page.IsTruncated, true);
  const rest = await route53.send(new ListHealthChecksCommand({ Marker: page.NextMarker }));
  assert.equal(
    [...page.HealthChecks!, ...rest.HealthChecks!].map((c) => c.Id),
    ids,
  );

  const status = await route53.send(new GetHealthCheckStatusCommand({ HealthCheckId: PRIMARY_CHECK }));
  const [observation] = status.HealthCheckObservations!;
  assert.is(observation.StatusReport?.Status, 'Success: HTTP Status Code 200, OK');
  assert.is(observation.Region, 'us-east-1');
  assert.is(observation.IPAddress, '127.0.0.1');
  assert.instance(observation.StatusReport?.CheckedTime, Date);
  assert.ok(Date.now() - observation.StatusReport!.CheckedTime!.getTime() < 5_000);

  for (const call of [
    () => route53.send(new GetHealthCheckCommand({ HealthCheckId: 'no-such-check' })),
    () => route53.send(new GetHealthCheckStatusCommand({ HealthCheckId: 'no-such-check' })),
    () => route53.send(new UpdateHealthCheckCommand({ HealthCheckId: 'no-such-check', Inverted: true })),
    () => route53.send(new DeleteHealthCheckCommand({ HealthCheckId: 'no-such-check' })),
  ]) {
    const error = await rejection(call());
    assert.instance(error, NoSuchHealthCheck);
    assert.is(error.$metadata.httpStatusCode, 404);
    assert.is(error.message, 'A health check with id no-such-check does not exist.');
  }
});

test(
  'UpdateHealthCheck Inverted=true on the primary check fails app.gameday.lab over to the ' +
    'secondary; Inverted=false fails back',
  async () => {
    assert.equal(await resolve(APP), ['127.0.0.2']);
    const before = await route53.send(new GetHealthCheckCommand({ HealthCheckId: PRIMARY_CHECK }));
    const version = before.HealthCheck!.HealthCheckVersion!;

    const stale = await rejection(
      route53.send(
        new UpdateHealthCheckCommand({
          HealthCheckId: PRIMARY_CHECK,
          HealthCheckVersion: version + 100,
          Inverted: true,
        }),
      ),
    );
    assert.instance(stale, HealthCheckVersionMismatch);
    assert.is(stale.$metadata.httpStatusCode, 409);
    assert.not.ok(lab.healthChecks.get(PRIMARY_CHECK).config.inverted, 'a rejected update changes nothing');

    const started = Date.now();
    const inverted = await route53.send(
      new UpdateHealthCheckCommand({ HealthCheckId: PRIMARY_CHECK, HealthCheckVersion: version, Inverted: true }),
    );
    assert.is(inverted.HealthCheck?.HealthCheckVersion, version + 1);
    assert.is(inverted.HealthCheck?.HealthCheckConfig?.Inverted, true);

    const { requestIntervalMs, failureThreshold } = lab.layout.healthCheck;
    const deadline = failureThreshold * requestIntervalMs + 3_000;
    await until(async () => (await resolve(APP))[0] === '127.0.0.3', deadline, 'app.gameday.lab answers the secondary');
    console.log(`    failed over ${Date.now() - started} ms after UpdateHealthCheck Inverted=true`);
    assert.is(lab.healthChecks.status(PRIMARY_CHECK).status, 'Unhealthy', 'the check reports Unhealthy');
    // Route 53's per-checker reports describe the endpoint, which is fine; inversion is applied after.
    const raw = await route53.send(new GetHealthCheckStatusCommand({ HealthCheckId: PRIMARY_CHECK }));
    assert.is(raw.HealthCheckObservations?.[0].StatusReport?.Status, 'Success: HTTP Status Code 200, OK');

    const restored = await route53.send(
      new UpdateHealthCheckCommand({ HealthCheckId: PRIMARY_CHECK, HealthCheckVersion: version + 1, Inverted: false }),
    );
    assert.is(restored.HealthCheck?.HealthCheckVersion, version + 2);
    await until(
      async () => (await resolve(APP))[0] === '127.0.0.2',
      deadline,
      'app.gameday.lab answers the primary again',
    );
    assert.is(lab.healthChecks.status(PRIMARY_CHECK).status, 'Healthy');
  },
);

test(
  'CreateHealthCheck (CallerReference idempotency), UpdateHealthCheck, DeleteHealthCheck ' +
    '(HealthCheckInUse while a record names it)',
  async () => {
    const config = {
      Type: 'TCP' as const,
      IPAddress: '127.0.0.3',
      Port: lab.layout.ports.app,
      RequestInterval: 1,
      FailureThreshold: 2,
    };
    const created = await route53.send(
      new CreateHealthCheckCommand({ CallerReference: 'gameday-test-1', HealthCheckConfig: config }),
    );
    const id = created.HealthCheck!.Id!;
    createdChecks.add(id);
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.match(created.Location!, new RegExp(`/2013-04-01/healthcheck/${id}$`));
    assert.is(created.HealthCheck?.HealthCheckVersion, 1);
    assert.equal(created.HealthCheck?.HealthCheckConfig, {
      ...config,
      MeasureLatency: false,
      Inverted: false,
      Disabled: false,
    });
    assert.ok(lab.healthChecks.has(id), 'the lab runs the check');
    assert.is(lab.healthChecks.get(id).config.requestIntervalMs, 1_000);

    // A retry with the same CallerReference and settings is the same check.
    const retried = await route53.send(
      new CreateHealthCheckCommand({ CallerReference: 'gameday-test-1', HealthCheckConfig: config }),
    );
    assert.is(retried.HealthCheck?.Id, id);
    const clash = await rejection(
      route53.send(
        new CreateHealthCheckCommand({
          CallerReference: 'gameday-test-1',
          HealthCheckConfig: { ...config, FailureThreshold: 5 },
        }),
      ),
    );
    assert.instance(clash, HealthCheckAlreadyExists);
    assert.is(clash.$metadata.httpStatusCode, 409);

    const badInterval = await rejection(
      route53.send(
        new CreateHealthCheckCommand({
          CallerReference: 'gameday-test-2',
          HealthCheckConfig: { ...config, RequestInterval: 45 },
        }),
      ),
    );
    assert.instance(badInterval, InvalidInput);
    const https = await rejection(
      route53.send(
        new CreateHealthCheckCommand({
          CallerReference: 'gameday-test-3',
          HealthCheckConfig: { ...config, Type: 'HTTPS' },
        }),
      ),
    );
    assert.instance(https, InvalidInput);

    await until(
      async () => {
        const status = await route53.send(new GetHealthCheckStatusCommand({ HealthCheckId: id }));
        return status.HealthCheckObservations?.[0]?.StatusReport?.Status === 'Success: TCP connection established';
      },
      5_000,
      'the new TCP check reports its first request',
    );

    const updated = await route53.send(
      new UpdateHealthCheckCommand({ HealthCheckId: id, HealthCheckVersion: 1, FailureThreshold: 4, Disabled: true }),
    );
    assert.is(updated.HealthCheck?.HealthCheckVersion, 2);
    assert.is(updated.HealthCheck?.HealthCheckConfig?.FailureThreshold, 4);
    assert.is(updated.HealthCheck?.HealthCheckConfig?.Disabled, true);
    assert.is(updated.HealthCheck?.HealthCheckConfig?.RequestInterval, 1, 'RequestInterval stays as created');
    const invalid = await rejection(
      route53.send(new UpdateHealthCheckCommand({ HealthCheckId: id, FailureThreshold: 11 })),
    );
    assert.instance(invalid, InvalidInput);
    assert.match(invalid.message, 'FailureThreshold');

    // A failover pair naming the new check: the check can't be deleted while it is named.
    const pair = [
      failoverSet('a', 'PRIMARY', '127.0.0.3', id, 'api.gameday.lab.'),
      failoverSet('b', 'SECONDARY', '127.0.0.2', undefined, 'api.gameday.lab.'),
    ];
    await change(pair.map((set): Change => ({ Action: 'CREATE', ResourceRecordSet: set })));
    // Disabled counts as healthy (the primary answers); inverted, the secondary does.
    assert.equal(await resolve('api.gameday.lab.'), ['127.0.0.3']);
    await route53.send(new UpdateHealthCheckCommand({ HealthCheckId: id, Inverted: true }));
    assert.equal(await resolve('api.gameday.lab.'), ['127.0.0.2']);
    const inUse = await rejection(route53.send(new DeleteHealthCheckCommand({ HealthCheckId: id })));
    assert.instance(inUse, HealthCheckInUse);
    assert.match(inUse.message, 'api.gameday.lab. A (a)');
    const labCheck = await rejection(route53.send(new DeleteHealthCheckCommand({ HealthCheckId: PRIMARY_CHECK })));
    assert.instance(labCheck, HealthCheckInUse, "the lab's own checks back app.gameday.lab");

    await change(pair.map((set): Change => ({ Action: 'DELETE', ResourceRecordSet: set })));
    await route53.send(new DeleteHealthCheckCommand({ HealthCheckId: id }));
    createdChecks.delete(id);
    assert.not.ok(lab.healthChecks.has(id));
    assert.instance(await rejection(route53.send(new GetHealthCheckCommand({ HealthCheckId: id }))), NoSuchHealthCheck);
    // Route 53 never reuses a caller reference, even after the check is gone.
    const reused = await rejection(
      route53.send(new CreateHealthCheckCommand({ CallerReference: 'gameday-test-1', HealthCheckConfig: config })),
    );
    assert.instance(reused, HealthCheckAlreadyExists);
  },
);

// ------------------------------------------------------------------ helpers

function upsertWriter(address: string): Change {
  return {
    Action: 'UPSERT',
    ResourceRecordSet: { Name: WRITER, Type: 'A', TTL: 1, ResourceRecords: [{ Value: address }] },
  };
}

function failoverSet(
  setIdentifier: string,
  role: 'PRIMARY' | 'SECONDARY',
  address: string,
  healthCheckId: string | undefined,
  name = APP,
): ResourceRecordSet {
  return {
    Name: name,
    Type: 'A',
    SetIdentifier: setIdentifier,
    Failover: role,
    TTL: 1,
    ResourceRecords: [{ Value: address }],
    ...(healthCheckId !== undefined ? { HealthCheckId: healthCheckId } : {}),
  };
}

function change(changes: Change[]) {
  return route53.send(
    new ChangeResourceRecordSetsCommand({ HostedZoneId: labHostedZoneId, ChangeBatch: { Changes: changes } }),
  );
}

async function listAll(): Promise<ResourceRecordSet[]> {
  const listed = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: labHostedZoneId }));
  assert.is(listed.IsTruncated, false);
  return listed.ResourceRecordSets!;
}

/** A call that must fail with a Route 53 error. */
async function rejection(call: Promise<unknown>): Promise<Route53ServiceException> {
  try {
    await call;
  } catch (error) {
    if (error instanceof Route53ServiceException) return error;
    throw error;
  }
  throw new assert.Assertion({
    message: 'expected the call to fail',
    operator: 'rejects',
    expects: 'an error',
    actual: 'success',
  });
}

/** A real DNS query to the lab's server. */
async function resolve(name: string): Promise<string[]> {
  return resolver.resolve4(name);
}

async function resolveCode(name: string): Promise<string> {
  try {
    await resolver.resolve4(name);
    return 'answered';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) assert.unreachable(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test.run();
