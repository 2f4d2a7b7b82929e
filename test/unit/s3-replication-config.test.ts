import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { S3Error } from '../../src/lab/objects';
import { parseReplicationConfiguration, replicationConfigurationXml } from '../../src/lab/objects/replication-config';

const role = 'arn:aws:iam::000000000000:role/replication';

function refused(xml: string): { code: string; message: string } {
  try {
    parseReplicationConfiguration(xml);
  } catch (error) {
    assert.instance(error, S3Error);
    return { code: (error as S3Error).code, message: (error as S3Error).message };
  }
  throw new Error('expected the configuration to be refused');
}

test('a V2 rule (Filter/Prefix) and a V1 rule (Prefix) read alike, and write back as S3 returns them', () => {
  const xml =
    `<ReplicationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Role>${role}</Role>` +
    `<Rule><ID>receipts</ID><Priority>2</Priority><Status>Enabled</Status><Filter><Prefix>receipts/</Prefix></Filter>` +
    `<Destination><Bucket>arn:aws:s3:::gameday-lab-eu-west-1</Bucket></Destination>` +
    `<DeleteMarkerReplication><Status>Enabled</Status></DeleteMarkerReplication></Rule>` +
    `<Rule><Status>Disabled</Status><Prefix>old/</Prefix>` +
    `<Destination><Bucket>arn:aws:s3:::archive</Bucket></Destination></Rule></ReplicationConfiguration>`;
  const parsed = parseReplicationConfiguration(xml);
  assert.equal(parsed, {
    role,
    rules: [
      {
        id: 'receipts',
        priority: 2,
        enabled: true,
        prefix: 'receipts/',
        destinationBucket: 'gameday-lab-eu-west-1',
        deleteMarkerReplication: true,
      },
      {
        id: 'rule-2',
        priority: 2,
        enabled: false,
        prefix: 'old/',
        destinationBucket: 'archive',
        deleteMarkerReplication: false,
      },
    ],
  });
  assert.equal(parseReplicationConfiguration(replicationConfigurationXml(parsed)), parsed);
});

test('bad configurations are refused with the S3 error code and the rule they are about', () => {
  assert.is(refused('<nope').code, 'MalformedXML');
  assert.is(refused('<ReplicationConfiguration><Rule/></ReplicationConfiguration>').code, 'InvalidRequest');
  assert.is(refused(`<ReplicationConfiguration><Role>${role}</Role></ReplicationConfiguration>`).code, 'MalformedXML');
  const noDestination = refused(
    `<ReplicationConfiguration><Role>${role}</Role><Rule><Status>Enabled</Status>` +
      `<Destination><Bucket>gameday-lab-eu-west-1</Bucket></Destination></Rule></ReplicationConfiguration>`,
  );
  assert.is(noDestination.code, 'InvalidArgument');
  assert.match(noDestination.message, /Rule\[0\]\.Destination\.Bucket must be a bucket ARN/);
  const badStatus = refused(
    `<ReplicationConfiguration><Role>${role}</Role><Rule><Status>On</Status>` +
      `<Destination><Bucket>arn:aws:s3:::b-1</Bucket></Destination></Rule></ReplicationConfiguration>`,
  );
  assert.match(badStatus.message, /Rule\[0\]\.Status must be Enabled or Disabled/);
  const tags = refused(
    `<ReplicationConfiguration><Role>${role}</Role><Rule><Status>Enabled</Status><Filter><Tag><Key>k</Key>` +
      `<Value>v</Value></Tag></Filter><Destination><Bucket>arn:aws:s3:::b-1</Bucket></Destination></Rule>` +
      `</ReplicationConfiguration>`,
  );
  assert.is(tags.code, 'NotImplemented');
});

test.run();
