// The lab's RDS Query API, driven by the official @aws-sdk/client-rds exactly as gameday
// drives a real account, on a real lab (PostgreSQL processes, replication, DNS). One lab
// serves the file; the tests run in order and each leaves the topology it says it leaves:
// failover to eu-west-1, reboot, switchover back to us-east-1, switchover to eu-west-1.
import {
  DBClusterNotFoundFault,
  DBInstanceNotFoundFault,
  DeleteGlobalClusterCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  GlobalClusterNotFoundFault,
  InvalidDBClusterStateFault,
  InvalidDBInstanceStateFault,
  InvalidGlobalClusterStateFault,
  RDSClient,
  RDSServiceException,
  RebootDBInstanceCommand,
  SwitchoverGlobalClusterCommand,
  type GlobalCluster,
} from '@aws-sdk/client-rds';
import { XMLParser } from 'fast-xml-parser';
import { Client } from 'pg';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRdsHandler } from '../../src/lab/aws/rds';
import { labGlobalClusterArn, labGlobalClusterId } from '../../src/lab/aws/resources';
import { startTestLab } from '../support/lab';

const US = 'us-east-1';
const EU = 'eu-west-1';
const usCluster = {
  id: 'gameday-lab-us-east-1',
  arn: 'arn:aws:rds:us-east-1:000000000000:cluster:gameday-lab-us-east-1',
  instance: 'gameday-lab-us-east-1-1',
};
const euCluster = {
  id: 'gameday-lab-eu-west-1',
  arn: 'arn:aws:rds:eu-west-1:000000000000:cluster:gameday-lab-eu-west-1',
  instance: 'gameday-lab-eu-west-1-1',
};

let env: Awaited<ReturnType<typeof startTestLab>>;
const clients = new Map<string, RDSClient>();

/** The SDK client as gameday builds it for a region, pointed at the lab; no retries, so every call is one request. */
function rds(region: string): RDSClient {
  let client = clients.get(region);
  if (!client) {
    client = new RDSClient({
      region,
      endpoint: env.endpoint,
      credentials: { accessKeyId: 'lab', secretAccessKey: 'lab' },
      maxAttempts: 1,
    });
    clients.set(region, client);
  }
  return client;
}

test.before(async () => {
  env = await startTestLab({ awsServices: { rds: createRdsHandler }, regions: [US, EU] });
});

test.after(async () => {
  for (const client of clients.values()) client.destroy();
  await env?.close();
});

// ------------------------------------------------------------------ describe

test(
  'DescribeGlobalClusters: one Aurora PostgreSQL global database, seen from every region, the ' +
    'writer region IsWriter with the others as Readers',
  async () => {
    const [{ server_version: serverVersion }] = await env.lab
      .region(US)
      .pg.query<{ server_version: string }>('SHOW server_version');
    for (const region of [US, EU, 'ap-south-1']) {
      const { GlobalClusters } = await rds(region).send(new DescribeGlobalClustersCommand({}));
      assert.is(GlobalClusters?.length, 1, `one global cluster seen from ${region}`);
      const cluster = GlobalClusters![0];
      assert.is(cluster.GlobalClusterIdentifier, labGlobalClusterId);
      assert.is(cluster.GlobalClusterArn, labGlobalClusterArn);
      assert.is(cluster.Status, 'available');
      assert.is(cluster.Engine, 'aurora-postgresql');
      assert.ok(
        serverVersion.startsWith(cluster.EngineVersion!),
        `EngineVersion ${cluster.EngineVersion} is the lab's PostgreSQL (${serverVersion})`,
      );
      assert.is(cluster.FailoverState, undefined, 'no FailoverState while nothing runs');
      assert.equal(cluster.GlobalClusterMembers, [
        { DBClusterArn: usCluster.arn, Readers: [euCluster.arn], IsWriter: true },
        {
          DBClusterArn: euCluster.arn,
          Readers: [],
          IsWriter: false,
          GlobalWriteForwardingStatus: 'disabled',
          SynchronizationStatus: 'connected',
        },
      ]);
    }

    // By identifier (case-insensitive, as RDS identifiers are) and by a member cluster.
    const byId = await rds(US).send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: 'GameDay-Lab' }));
    assert.is(byId.GlobalClusters?.[0]?.GlobalClusterIdentifier, labGlobalClusterId);
    const byMember = await rds(US).send(
      new DescribeGlobalClustersCommand({ Filters: [{ Name: 'db-cluster-id', Values: [euCluster.arn] }] }),
    );
    assert.is(byMember.GlobalClusters?.length, 1);
    const byStranger = await rds(US).send(
      new DescribeGlobalClustersCommand({
        Filters: [{ Name: 'db-cluster-id', Values: ['arn:aws:rds:us-east-1:000000000000:cluster:other'] }],
      }),
    );
    assert.equal(byStranger.GlobalClusters, []);
  },
);

test(
  'DescribeDBClusters and DescribeDBInstances are regional: the writer cluster and the secondary ' +
    'replicating from it; instance status follows the real process',
  async () => {
    const us = await rds(US).send(new DescribeDBClustersCommand({}));
    assert.is(us.DBClusters?.length, 1, 'us-east-1 sees its own cluster only');
    const writer = us.DBClusters![0];
    assert.is(writer.DBClusterIdentifier, usCluster.id);
    assert.is(writer.DBClusterArn, usCluster.arn);
    assert.is(writer.Status, 'available');
    assert.is(writer.Engine, 'aurora-postgresql');
    assert.is(writer.ReplicationSourceIdentifier, undefined);
    assert.is(writer.Endpoint, 'db.us-east-1.gameday.lab');
    assert.is(writer.Port, env.lab.layout.ports.db);
    assert.equal(
      writer.DBClusterMembers?.map((member) => [member.DBInstanceIdentifier, member.IsClusterWriter]),
      [[usCluster.instance, true]],
    );
    assert.equal(writer.TagList, [
      { Key: 'gameday:lab-region', Value: US },
      { Key: 'Name', Value: 'gameday-lab-us-east-1' },
    ]);

    // By ARN, by identifier; the secondary names its replication source.
    const [secondary] = (await rds(EU).send(new DescribeDBClustersCommand({ DBClusterIdentifier: euCluster.arn })))
      .DBClusters!;
    assert.is(secondary.DBClusterIdentifier, euCluster.id);
    assert.is(secondary.ReplicationSourceIdentifier, usCluster.arn);
    assert.equal(
      secondary.DBClusterMembers?.map((member) => [member.DBInstanceIdentifier, member.IsClusterWriter]),
      [[euCluster.instance, false]],
    );
    assert.is(
      (await rds(EU).send(new DescribeDBClustersCommand({ DBClusterIdentifier: euCluster.id }))).DBClusters?.[0]
        ?.DBClusterArn,
      euCluster.arn,
    );
    assert.equal(
      (await rds(US).send(new DescribeDBClustersCommand({ Filters: [{ Name: 'engine', Values: ['aurora-mysql'] }] })))
        .DBClusters,
      [],
    );
    // Filtered by cluster (ARN or id) and by instance: a cluster's instances, as `gameday check` asks for them.
    for (const value of [euCluster.arn, euCluster.id]) {
      const byCluster = await rds(EU).send(
        new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-cluster-id', Values: [value] }] }),
      );
      assert.equal(
        byCluster.DBInstances?.map((instance) => instance.DBInstanceIdentifier),
        [euCluster.instance],
      );
      const clusters = await rds(EU).send(
        new DescribeDBClustersCommand({ Filters: [{ Name: 'db-cluster-id', Values: [value] }] }),
      );
      assert.equal(
        clusters.DBClusters?.map((cluster) => cluster.DBClusterIdentifier),
        [euCluster.id],
      );
    }
    const byInstance = await rds(US).send(
      new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-instance-id', Values: [usCluster.instance] }] }),
    );
    assert.is(byInstance.DBInstances?.length, 1);
    assert.equal(
      (await rds('ap-south-1').send(new DescribeDBClustersCommand({}))).DBClusters,
      [],
      'a region without a lab cluster has none',
    );

    // Another region's cluster by bare identifier is not found here, as in RDS; the message says where it is.
    const notHere = await rejection(rds(US).send(new DescribeDBClustersCommand({ DBClusterIdentifier: euCluster.id })));
    assertFault(notHere, DBClusterNotFoundFault, 404);
    assert.match(notHere.message, /is in eu-west-1/);

    const [instance] = (
      await rds(US).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: usCluster.instance }))
    ).DBInstances!;
    assert.is(instance.DBInstanceStatus, 'available');
    assert.is(instance.DBClusterIdentifier, usCluster.id);
    assert.is(instance.Endpoint?.Address, 'db.us-east-1.gameday.lab');
    assertFault(
      await rejection(rds(US).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'no-such-instance' }))),
      DBInstanceNotFoundFault,
      404,
    );

    // Stop eu-west-1's PostgreSQL for real: RDS says so, and will not promote it.
    await env.lab.stopDatabase(EU, 'fast');
    try {
      assert.is((await rds(EU).send(new DescribeDBInstancesCommand({}))).DBInstances?.[0]?.DBInstanceStatus, 'stopped');
      const members = (await rds(US).send(new DescribeGlobalClustersCommand({}))).GlobalClusters![0]
        .GlobalClusterMembers!;
      assert.is(
        members.find((member) => member.DBClusterArn === euCluster.arn)?.SynchronizationStatus,
        'pending-resync',
      );
      const refused = await rejection(
        rds(EU).send(
          new FailoverGlobalClusterCommand({
            GlobalClusterIdentifier: labGlobalClusterId,
            TargetDbClusterIdentifier: euCluster.arn,
            AllowDataLoss: true,
          }),
        ),
      );
      assertFault(refused, InvalidDBClusterStateFault, 400);
      assert.match(refused.message, /stopped/);
      assert.is(env.lab.region(US).pg.running, true, 'a refused failover fenced nothing');
    } finally {
      await env.lab.startDatabase(EU);
    }
    assert.is((await rds(EU).send(new DescribeDBInstancesCommand({}))).DBInstances?.[0]?.DBInstanceStatus, 'available');
  },
);

// ------------------------------------------------------------------ errors

test('errors: the fault codes, HTTP statuses and ErrorResponse the SDK maps to its exception classes', async () => {
  const target = { GlobalClusterIdentifier: labGlobalClusterId, TargetDbClusterIdentifier: euCluster.arn };
  assertFault(
    await rejection(rds(US).send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: 'no-such-global' }))),
    GlobalClusterNotFoundFault,
    404,
  );
  assertFault(
    await rejection(
      rds(US).send(
        new FailoverGlobalClusterCommand({
          ...target,
          GlobalClusterIdentifier: 'no-such-global',
          AllowDataLoss: true,
        }),
      ),
    ),
    GlobalClusterNotFoundFault,
    404,
  );
  assertFault(
    await rejection(
      rds(US).send(new SwitchoverGlobalClusterCommand({ ...target, GlobalClusterIdentifier: 'no-such-global' })),
    ),
    GlobalClusterNotFoundFault,
    404,
  );
  const unknownTarget = 'arn:aws:rds:eu-west-1:000000000000:cluster:no-such-cluster';
  assertFault(
    await rejection(
      rds(US).send(
        new FailoverGlobalClusterCommand({
          ...target,
          TargetDbClusterIdentifier: unknownTarget,
          AllowDataLoss: true,
        }),
      ),
    ),
    DBClusterNotFoundFault,
    404,
  );
  assertFault(
    await rejection(
      rds(US).send(new SwitchoverGlobalClusterCommand({ ...target, TargetDbClusterIdentifier: unknownTarget })),
    ),
    DBClusterNotFoundFault,
    404,
  );

  const alreadyWriter = await rejection(
    rds(US).send(new SwitchoverGlobalClusterCommand({ ...target, TargetDbClusterIdentifier: usCluster.arn })),
  );
  assertFault(alreadyWriter, InvalidGlobalClusterStateFault, 400);
  assert.match(alreadyWriter.message, /already the primary/);
  assertFault(
    await rejection(
      rds(US).send(
        new FailoverGlobalClusterCommand({
          ...target,
          TargetDbClusterIdentifier: usCluster.arn,
          AllowDataLoss: true,
        }),
      ),
    ),
    InvalidGlobalClusterStateFault,
    400,
  );

  // Common Query errors: no modelled class, the code is the name.
  assertCode(
    await rejection(
      rds(US).send(new FailoverGlobalClusterCommand({ ...target, AllowDataLoss: true, Switchover: true })),
    ),
    'InvalidParameterCombination',
    400,
  );
  assertCode(
    await rejection(rds(US).send(new DescribeGlobalClustersCommand({ MaxRecords: 5 }))),
    'InvalidParameterValue',
    400,
  );
  assertCode(
    await rejection(
      rds(US).send(new DescribeDBClustersCommand({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] })),
    ),
    'InvalidParameterValue',
    400,
  );
  assertCode(
    await rejection(
      rds(US).send(new SwitchoverGlobalClusterCommand({ ...target, TargetDbClusterIdentifier: '1-not-an-identifier' })),
    ),
    'InvalidParameterValue',
    400,
  );
  const missing = await rejection(
    rds(US).send(new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: labGlobalClusterId } as never)),
  );
  assertCode(missing, 'MissingParameter', 400);
  assert.match(missing.message, /TargetDbClusterIdentifier/);
  // A real RDS action the lab does not serve.
  const unserved = await rejection(
    rds(US).send(new DeleteGlobalClusterCommand({ GlobalClusterIdentifier: labGlobalClusterId })),
  );
  assertCode(unserved, 'InvalidAction', 400);
  assert.match(unserved.message, /DeleteGlobalCluster.*FailoverGlobalCluster/);
  assert.is(env.lab.writerRegion(), US, 'no refused call changed the writer');

  // The bytes on the wire, as RDS sends them (the SDK is lenient; a real client may not be).
  const parser = new XMLParser({ ignoreAttributes: false });
  const ok = await rawQuery(
    'Action=DescribeGlobalClusters&Version=2014-10-31' +
      `&Filters.Filter.1.Name=db-cluster-id&Filters.Filter.1.Values.Value.1=${encodeURIComponent(usCluster.arn)}`,
  );
  assert.is(ok.status, 200);
  assert.is(ok.headers.get('content-type'), 'text/xml');
  const okXml = parser.parse(ok.body);
  assert.is(okXml.DescribeGlobalClustersResponse['@_xmlns'], 'http://rds.amazonaws.com/doc/2014-10-31/');
  const wireCluster =
    okXml.DescribeGlobalClustersResponse.DescribeGlobalClustersResult.GlobalClusters.GlobalClusterMember;
  assert.is(wireCluster.GlobalClusterIdentifier, labGlobalClusterId);
  // Members newer than the pinned SDK (3.523) reads, present on the wire as RDS sends them today.
  assert.is(wireCluster.Endpoint, 'writer.db.gameday.lab', 'the global writer endpoint is the lab writer name');
  assert.equal(wireCluster.GlobalClusterMembers.GlobalClusterMember[0].Readers, { member: euCluster.arn });
  assert.is(wireCluster.GlobalClusterMembers.GlobalClusterMember[1].Readers, '', 'an empty list is an empty element');
  const clustersXml = parser.parse((await rawQuery('Action=DescribeDBClusters&Version=2014-10-31')).body);
  assert.is(
    clustersXml.DescribeDBClustersResponse.DescribeDBClustersResult.DBClusters.DBCluster.GlobalClusterIdentifier,
    labGlobalClusterId,
  );
  assert.is(okXml.DescribeGlobalClustersResponse.ResponseMetadata.RequestId, ok.headers.get('x-amzn-requestid'));
  const bad = await rawQuery('Action=NoSuchAction&Version=2014-10-31');
  assert.is(bad.status, 400);
  const badXml = parser.parse(bad.body);
  assert.is(badXml.ErrorResponse['@_xmlns'], 'http://rds.amazonaws.com/doc/2014-10-31/');
  assert.is(badXml.ErrorResponse.Error.Type, 'Sender');
  assert.is(badXml.ErrorResponse.Error.Code, 'InvalidAction');
  assert.is(badXml.ErrorResponse.RequestId, bad.headers.get('x-amzn-requestid'));
});

test(
  'a switchover that cannot finish (the target crashes while catching up) ends available, with ' +
    'the old writer in place and writable',
  async () => {
    const usPg = env.lab.region(US).pg;
    const euPg = env.lab.region(EU).pg;
    // Hold the WAL stream to eu-west-1 so it cannot catch up, and give it something to catch up on.
    const link = env.lab.proxies.get(`replication-${EU}`)!;
    link.addToxic({ name: 'hold-wal', type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } });
    try {
      await usPg.query('CREATE TABLE held_back (id int)');
      const { GlobalCluster: response } = await rds(US).send(
        new SwitchoverGlobalClusterCommand({
          GlobalClusterIdentifier: labGlobalClusterId,
          TargetDbClusterIdentifier: euCluster.arn,
        }),
      );
      assert.is(response?.Status, 'switching-over');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await euPg.stop('immediate'); // a crash, not a lab operation (those queue behind the switchover)
      const { cluster } = await waitForWriter(US);
      assert.is(cluster.FailoverState, undefined);
    } finally {
      link.removeToxic('hold-wal');
    }
    assert.is(
      (await usPg.query<{ ro: string }>("SELECT current_setting('default_transaction_read_only') AS ro"))[0].ro,
      'off',
      'the old writer is writable again',
    );
    await usPg.query('INSERT INTO held_back VALUES (1)');
    await env.lab.startDatabase(EU);
    await waitForSynced(EU);
  },
);

// ------------------------------------------------------------------ failover

test(
  'FailoverGlobalCluster AllowDataLoss: returns at once failing over; a second operation is ' +
    'refused; then eu-west-1 IsWriter, takes writes, and the old writer is fenced (stopped)',
  async () => {
    const usPg = env.lab.region(US).pg;
    await usPg.query('CREATE TABLE before_failover (id int PRIMARY KEY)');
    await usPg.query('INSERT INTO before_failover SELECT generate_series(1, 100)');
    // Replicated before the failover, so they survive it (writes not yet shipped may not: data loss is allowed).
    const euPg = env.lab.region(EU).pg;
    await waitFor(
      'the rows on eu-west-1',
      async () =>
        (await euPg.query<{ n: number }>('SELECT count(*)::int AS n FROM before_failover').catch(() => [{ n: 0 }]))[0]
          .n === 100,
    );

    const started = Date.now();
    const { GlobalCluster: response } = await rds(EU).send(
      new FailoverGlobalClusterCommand({
        GlobalClusterIdentifier: labGlobalClusterId,
        TargetDbClusterIdentifier: euCluster.arn,
        AllowDataLoss: true,
      }),
    );
    assert.is(response?.Status, 'failing-over');
    assert.equal(response?.FailoverState, {
      Status: 'failing-over',
      FromDbClusterArn: usCluster.arn,
      ToDbClusterArn: euCluster.arn,
      IsDataLossAllowed: true,
    });

    // While it runs: no second global operation, no reboot of a cluster in it.
    const second = await rejection(
      rds(EU).send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: labGlobalClusterId,
          TargetDbClusterIdentifier: euCluster.arn,
          AllowDataLoss: true,
        }),
      ),
    );
    assertFault(second, InvalidGlobalClusterStateFault, 400);
    assert.match(second.message, /failing over from us-east-1 to eu-west-1/);
    assertFault(
      await rejection(
        rds(US).send(
          new SwitchoverGlobalClusterCommand({
            GlobalClusterIdentifier: labGlobalClusterId,
            TargetDbClusterIdentifier: euCluster.arn,
          }),
        ),
      ),
      InvalidGlobalClusterStateFault,
      400,
    );
    assertFault(
      await rejection(rds(EU).send(new RebootDBInstanceCommand({ DBInstanceIdentifier: euCluster.instance }))),
      InvalidDBInstanceStateFault,
      400,
    );

    // Meanwhile, callers describing the cluster as fast as they can: no reply may say "the old
    // writer, available" before the move is done (a failback took such a torn reply as "already
    // home" and skipped itself). Once a reply names the new writer, the old one never comes back.
    let moving = true;
    const torn: string[] = [];
    const describers = Array.from({ length: 4 }, async () => {
      let movedSeen = false;
      while (moving) {
        const cluster = (
          await rds(US).send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: labGlobalClusterId }))
        ).GlobalClusters![0];
        const writer = cluster.GlobalClusterMembers?.find((member) => member.IsWriter)?.DBClusterArn;
        if (writer === euCluster.arn) movedSeen = true;
        else if (cluster.Status === 'available' || movedSeen) torn.push(`${writer} ${cluster.Status}`);
      }
    });
    // "Wait for the new writer": poll DescribeGlobalClusters, as gameday does against RDS.
    const { cluster: done, seen } = await waitForWriter(EU);
    moving = false;
    await Promise.all(describers);
    assert.equal(torn, [], 'every reply during the failover said it was failing over');
    console.log(
      `    failover: eu-west-1 IsWriter after ${Date.now() - started} ms; statuses seen while polling: ` +
        `${[...seen].join(', ')}`,
    );
    assert.is(done.Status, 'available');
    assert.is(done.FailoverState, undefined);
    assert.equal(done.GlobalClusterMembers, [
      {
        DBClusterArn: usCluster.arn,
        Readers: [],
        IsWriter: false,
        GlobalWriteForwardingStatus: 'disabled',
        SynchronizationStatus: 'pending-resync',
      },
      { DBClusterArn: euCluster.arn, Readers: [usCluster.arn], IsWriter: true },
    ]);

    // Real effects: eu-west-1's PostgreSQL is a writable primary with the replicated rows; us-east-1's is stopped.
    assert.is(await euPg.role(), 'primary');
    await euPg.query('INSERT INTO before_failover VALUES (101)');
    assert.is((await euPg.query<{ n: number }>('SELECT count(*)::int AS n FROM before_failover'))[0].n, 101);
    assert.is(usPg.running, false, 'the old writer was fenced: its PostgreSQL is stopped');
    assert.is((await rds(US).send(new DescribeDBInstancesCommand({}))).DBInstances?.[0]?.DBInstanceStatus, 'stopped');
    const [euNow] = (await rds(EU).send(new DescribeDBClustersCommand({ DBClusterIdentifier: euCluster.id })))
      .DBClusters!;
    assert.is(euNow.DBClusterMembers?.[0]?.IsClusterWriter, true);
    assert.is(euNow.ReplicationSourceIdentifier, undefined);
    const [usNow] = (await rds(US).send(new DescribeDBClustersCommand({ DBClusterIdentifier: usCluster.id })))
      .DBClusters!;
    assert.is(usNow.ReplicationSourceIdentifier, euCluster.arn);
    assert.is(usNow.DBClusterMembers?.[0]?.IsClusterWriter, false);
  },
);

// ------------------------------------------------------------------ reboot

test(
  "RebootDBInstance restarts the region's PostgreSQL (rebooting, then available on a new " +
    'process); a stopped instance is refused',
  async () => {
    assertFault(
      await rejection(rds(US).send(new RebootDBInstanceCommand({ DBInstanceIdentifier: usCluster.instance }))),
      InvalidDBInstanceStateFault,
      400,
    );
    assertCode(
      await rejection(
        rds(US).send(new RebootDBInstanceCommand({ DBInstanceIdentifier: usCluster.instance, ForceFailover: true })),
      ),
      'InvalidParameterCombination',
      400,
    );
    assertFault(
      await rejection(rds(US).send(new RebootDBInstanceCommand({ DBInstanceIdentifier: euCluster.instance }))),
      DBInstanceNotFoundFault,
      404,
    );

    // The fenced old writer comes back (lab control, as a FIS action would) and rejoins as a standby.
    await env.lab.startDatabase(US);
    const usPg = env.lab.region(US).pg;
    await usPg.waitStreaming(30_000);
    const pidBefore = usPg.pid;

    const { DBInstance } = await rds(US).send(
      new RebootDBInstanceCommand({ DBInstanceIdentifier: usCluster.instance }),
    );
    assert.is(DBInstance?.DBInstanceStatus, 'rebooting');
    assert.is(DBInstance?.DBInstanceArn, 'arn:aws:rds:us-east-1:000000000000:db:gameday-lab-us-east-1-1');
    assertFault(
      await rejection(rds(US).send(new RebootDBInstanceCommand({ DBInstanceIdentifier: usCluster.instance }))),
      InvalidDBInstanceStateFault,
      400,
    );
    await waitFor(
      'us-east-1 available again',
      async () =>
        (await rds(US).send(new DescribeDBInstancesCommand({}))).DBInstances?.[0]?.DBInstanceStatus === 'available',
    );
    assert.ok(usPg.pid !== undefined && usPg.pid !== pidBefore, `a new postmaster (${pidBefore} → ${usPg.pid})`);
    assert.is(await usPg.role(), 'standby');
    await usPg.waitStreaming(30_000);
  },
);

// ------------------------------------------------------------------ switchover

test(
  'SwitchoverGlobalCluster: no acknowledged write is lost — every row the old writer acknowledged ' +
    'while it ran is on the new writer; the old writer streams as a standby',
  async () => {
    const oldWriter = env.lab.region(EU).pg;
    await oldWriter.query(
      'CREATE TABLE switchover_ledger (id int PRIMARY KEY, at timestamptz DEFAULT clock_timestamp())',
    );
    await waitForSynced(US);

    const ledger = startWriters(oldWriter.connection, 4);
    await waitFor('300 acknowledged writes', async () => ledger.acknowledged.size >= 300);
    const started = Date.now();
    const { GlobalCluster: response } = await rds(US).send(
      new SwitchoverGlobalClusterCommand({
        GlobalClusterIdentifier: labGlobalClusterId,
        TargetDbClusterIdentifier: usCluster.arn,
      }),
    );
    assert.is(response?.Status, 'switching-over');
    assert.equal(response?.FailoverState, {
      Status: 'switching-over',
      FromDbClusterArn: euCluster.arn,
      ToDbClusterArn: usCluster.arn,
      IsDataLossAllowed: false,
    });
    const { seen } = await waitForWriter(US);
    const writes = await ledger.stop();
    console.log(
      `    switchover: us-east-1 IsWriter after ${Date.now() - started} ms; ` +
        `${writes.acknowledged.size} writes acknowledged by eu-west-1, ${writes.refused} refused; ` +
        `statuses seen: ${[...seen].join(', ')}`,
    );
    assert.ok(writes.acknowledged.size >= 300, `a few hundred acknowledged writes (${writes.acknowledged.size})`);
    assert.ok(writes.refused > 0, 'the old writer stopped accepting writes during the switchover');

    const newWriter = env.lab.region(US).pg;
    const present = new Set(
      (await newWriter.query<{ id: number }>('SELECT id FROM switchover_ledger')).map((row) => row.id),
    );
    const lost = [...writes.acknowledged].filter((id) => !present.has(id));
    assert.equal(
      lost,
      [],
      `acknowledged by the old writer but missing on the new one: ${lost.length} of ${writes.acknowledged.size}`,
    );
    await newWriter.query('INSERT INTO switchover_ledger (id) VALUES (-1)');

    assert.is(oldWriter.running, true, 'a switchover keeps the old writer running');
    assert.is(await oldWriter.role(), 'standby');
    await oldWriter.waitStreaming(30_000);
    await waitForSynced(EU);
  },
);

test(
  "FailoverGlobalCluster without AllowDataLoss is a switchover (RDS's default): no data loss, the " +
    'old writer stays up as a standby',
  async () => {
    const { GlobalCluster: response } = await rds(EU).send(
      new FailoverGlobalClusterCommand({
        GlobalClusterIdentifier: labGlobalClusterId,
        TargetDbClusterIdentifier: euCluster.arn,
      }),
    );
    assert.is(response?.Status, 'switching-over');
    assert.is(response?.FailoverState?.IsDataLossAllowed, false);
    await waitForWriter(EU);
    const euPg = env.lab.region(EU).pg;
    assert.is(
      (await euPg.query<{ n: number }>('SELECT count(*)::int AS n FROM switchover_ledger WHERE id = -1'))[0].n,
      1,
      'the last write on us-east-1 is on eu-west-1',
    );
    assert.is(env.lab.region(US).pg.running, true);
    assert.is(await env.lab.region(US).pg.role(), 'standby');
    await waitForSynced(US);
  },
);

// ------------------------------------------------------------------ helpers

async function rejection(promise: Promise<unknown>): Promise<RDSServiceException> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (outcome instanceof RDSServiceException) return outcome;
  assert.unreachable(
    outcome === undefined ? 'expected the call to fail, it succeeded' : `expected an RDS error, got ${String(outcome)}`,
  );
  throw outcome;
}

function assertFault(
  error: RDSServiceException,
  type: abstract new (...args: never[]) => RDSServiceException,
  status: number,
): void {
  assert.instance(error, type, `${error.name}: ${error.message}`);
  assert.is(error.$metadata.httpStatusCode, status, `${error.name} status`);
  assert.is(error.$fault, 'client');
  assert.ok(error.message.length > 20, `a message that explains: ${error.message}`);
}

function assertCode(error: RDSServiceException, code: string, status: number): void {
  assert.is(error.name, code, error.message);
  assert.is(error.$metadata.httpStatusCode, status);
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.unreachable(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls DescribeGlobalClusters until `region`'s cluster IsWriter and no operation runs. */
async function waitForWriter(region: string): Promise<{ cluster: GlobalCluster; seen: Set<string> }> {
  const seen = new Set<string>();
  let cluster: GlobalCluster | undefined;
  await waitFor(
    `${region} to be the writer`,
    async () => {
      cluster = (
        await rds(region).send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: labGlobalClusterId }))
      ).GlobalClusters![0];
      seen.add(cluster.Status!);
      const writer = cluster.GlobalClusterMembers?.find((member) => member.IsWriter);
      return cluster.Status === 'available' && writer?.DBClusterArn?.includes(`:${region}:`) === true;
    },
    60_000,
  );
  return { cluster: cluster!, seen };
}

/** Waits until the global cluster reports `region`'s secondary as connected (streaming). */
async function waitForSynced(region: string): Promise<void> {
  await waitFor(`${region} SynchronizationStatus connected`, async () => {
    const members = (await rds(region).send(new DescribeGlobalClustersCommand({}))).GlobalClusters![0]
      .GlobalClusterMembers!;
    return (
      members.find((member) => member.DBClusterArn?.includes(`:${region}:`))?.SynchronizationStatus === 'connected'
    );
  });
}

/**
 * Concurrent writers inserting sequenced rows into switchover_ledger on one server, recording
 * the ids the server acknowledged (the INSERT's commit returned). Half keep one session
 * (reconnecting when it is ended), half open a new connection per write, so sessions that
 * already run and sessions opened at any moment of the switchover both write.
 */
function startWriters(connection: { host: string; port: number; user: string; database: string }, count: number) {
  const acknowledged = new Set<number>();
  let refused = 0;
  let next = 1;
  let stopping = false;
  const connect = async () => {
    const client = new Client({ ...connection, connectionTimeoutMillis: 1_000, query_timeout: 2_000 });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  const loops = Array.from({ length: count }, async (_, index) => {
    const perWrite = index % 2 === 1;
    let client: Client | null = null;
    while (!stopping) {
      const id = next++;
      try {
        client ??= await connect();
        await client.query('INSERT INTO switchover_ledger (id) VALUES ($1)', [id]);
        acknowledged.add(id);
      } catch {
        refused++;
        await client?.end().catch(() => undefined);
        client = null;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      if (perWrite && client) {
        await client.end().catch(() => undefined);
        client = null;
      }
    }
    await client?.end().catch(() => undefined);
  });
  return {
    acknowledged,
    async stop() {
      stopping = true;
      await Promise.all(loops);
      return { acknowledged, refused };
    },
  };
}

async function rawQuery(body: string): Promise<{ status: number; headers: Headers; body: string }> {
  // The lab routes by the SigV4 scope and does not check signatures.
  const response = await fetch(env.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=lab/20260101/us-east-1/rds/aws4_request, SignedHeaders=host, Signature=0',
    },
    body,
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

test.run();
