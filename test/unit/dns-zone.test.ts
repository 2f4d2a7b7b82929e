import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Change, InvalidChangeBatchError, RecordSet, Zone } from '../../src/lab/dns';

const primary = {
  name: 'app.gameday.lab',
  type: 'A',
  ttl: 30,
  setIdentifier: 'us-east-1',
  failover: 'PRIMARY',
  healthCheckId: 'hc-use1',
  values: ['127.0.0.2'],
} as const satisfies RecordSet;
const secondary = {
  ...primary,
  setIdentifier: 'eu-west-1',
  failover: 'SECONDARY',
  healthCheckId: 'hc-euw1',
  values: ['127.0.0.3'],
} as const;
const simple = { name: 'db.gameday.lab', type: 'A', ttl: 60, values: ['127.0.0.2'] } as const satisfies RecordSet;

function batchMessages(zone: Zone, changes: Change[]): string[] {
  try {
    zone.applyChanges(changes);
  } catch (error) {
    assert.instance(error, InvalidChangeBatchError);
    return [...(error as InvalidChangeBatchError).messages];
  }
  assert.unreachable('expected InvalidChangeBatchError');
  return [];
}

function healthyZone(health: Record<string, boolean> = {}): Zone {
  return new Zone({ healthOf: (id) => health[id] ?? true, recordSets: [primary, secondary, simple] });
}

// ---- change batches --------------------------------------------------------------

test('changes: CREATE, UPSERT and DELETE apply and bump the SOA serial', () => {
  const zone = new Zone();
  const first = zone.applyChanges([{ action: 'CREATE', recordSet: simple }]);
  assert.is(first.status, 'INSYNC');
  assert.is(zone.serial, first.serial);
  zone.applyChanges([{ action: 'UPSERT', recordSet: { ...simple, ttl: 5 } }]);
  assert.equal(zone.recordSets(), [{ name: 'db.gameday.lab.', type: 'A', ttl: 5, values: ['127.0.0.2'] }]);
  zone.applyChanges([{ action: 'DELETE', recordSet: { ...simple, ttl: 5 } }]);
  assert.equal(zone.recordSets(), []);
  assert.is(zone.serial, first.serial + 2);
});

test('changes: names are case-insensitive, absolute, and stored normalized', () => {
  const zone = new Zone({ recordSets: [{ ...simple, name: 'DB.GameDay.Lab.' }] });
  assert.is(zone.recordSets()[0].name, 'db.gameday.lab.');
  assert.match(batchMessages(zone, [{ action: 'CREATE', recordSet: simple }])[0], /already exists/);
});

test('changes: CREATE of an existing set fails the whole batch and changes nothing', () => {
  const zone = healthyZone();
  const before = zone.recordSets();
  const serial = zone.serial;
  const messages = batchMessages(zone, [
    { action: 'CREATE', recordSet: { name: 'new.gameday.lab', type: 'A', ttl: 60, values: ['127.0.0.9'] } },
    { action: 'CREATE', recordSet: primary },
  ]);
  assert.equal(messages, [
    "Tried to create resource record set [name='app.gameday.lab.', type='A', " +
      "set-identifier='us-east-1'] but it already exists",
  ]);
  assert.equal(zone.recordSets(), before, 'the valid first change was not applied either');
  assert.is(zone.serial, serial);
});

test('changes: DELETE of a missing set, or with values that differ, fails', () => {
  const zone = healthyZone();
  assert.equal(
    batchMessages(zone, [
      { action: 'DELETE', recordSet: { ...simple, name: 'missing.gameday.lab' } },
      { action: 'DELETE', recordSet: { ...simple, values: ['127.0.0.99'] } },
    ]),
    [
      "Tried to delete resource record set [name='missing.gameday.lab.', type='A'] but it was not found",
      "Tried to delete resource record set [name='db.gameday.lab.', type='A'] but the values " +
        'provided do not match the current values',
    ],
  );
});

test('changes: DELETE then CREATE of the same set in one batch is a valid replace', () => {
  const zone = healthyZone();
  zone.applyChanges([
    { action: 'DELETE', recordSet: primary },
    { action: 'CREATE', recordSet: { ...primary, values: ['127.0.0.4'] } },
  ]);
  assert.equal(
    zone.lookup('app.gameday.lab', 'A').answers.map((a) => a.data),
    ['127.0.0.4'],
  );
});

test('changes: every problem in the batch is listed', () => {
  const zone = new Zone();
  const messages = batchMessages(zone, [
    { action: 'CREATE', recordSet: { name: 'x.example.com', type: 'A', ttl: 60, values: ['127.0.0.1'] } },
    { action: 'CREATE', recordSet: { name: 'a.gameday.lab', type: 'A', ttl: -1, values: ['not-an-ip'] } },
    { action: 'CREATE', recordSet: { name: 'b.gameday.lab', type: 'AAAA', ttl: 60, values: ['127.0.0.1'] } },
    {
      action: 'CREATE',
      recordSet: { name: 'c.gameday.lab', type: 'CNAME', ttl: 60, values: ['a.gameday.lab', 'b.gameday.lab'] },
    },
    {
      action: 'CREATE',
      recordSet: { name: 'd.gameday.lab', type: 'MX', ttl: 60, values: ['10 mail'] } as unknown as RecordSet,
    },
    { action: 'RENAME', recordSet: simple } as unknown as Change,
  ]);
  assert.is(messages.length, 7, messages.join('\n'));
  const text = messages.join('\n');
  assert.match(text, /RRSet with DNS name x\.example\.com\. is not permitted in zone gameday\.lab\./);
  assert.match(text, /ttl must be an integer 0\.\.2147483647, got -1/);
  assert.match(text, /'not-an-ip' is not an IPv4 address/);
  assert.match(text, /'127\.0\.0\.1' is not an IPv6 address/);
  assert.match(text, /a CNAME set has exactly one value, got 2/);
  assert.match(text, /type must be one of A, AAAA, CNAME, TXT, got "MX"/);
  assert.match(text, /change 6 \(RENAME\): action must be one of CREATE, DELETE, UPSERT/);
});

test('changes: an empty batch is invalid', () => {
  assert.equal(batchMessages(new Zone(), []), ['a change batch needs at least one change']);
});

test('changes: CNAME owns its name and may not sit at the apex', () => {
  const zone = healthyZone();
  const conflict = batchMessages(zone, [
    { action: 'CREATE', recordSet: { name: 'db.gameday.lab', type: 'CNAME', ttl: 60, values: ['app.gameday.lab'] } },
  ]);
  assert.equal(conflict, [
    'RRSet of type CNAME with DNS name db.gameday.lab. is not permitted as it conflicts with other ' +
      'records with the same DNS name in zone gameday.lab.',
  ]);
  const apex = batchMessages(zone, [
    { action: 'CREATE', recordSet: { name: 'gameday.lab', type: 'CNAME', ttl: 60, values: ['app.gameday.lab'] } },
  ]);
  assert.match(apex[0], /not permitted at apex in zone gameday\.lab\./);
});

test('changes: simple and failover sets cannot share a name and type', () => {
  const zone = healthyZone();
  const messages = batchMessages(zone, [
    { action: 'CREATE', recordSet: { name: 'app.gameday.lab', type: 'A', ttl: 60, values: ['127.0.0.9'] } },
  ]);
  assert.match(messages[0], /cannot mix simple and failover routing/);
});

test('changes: a failover group has one PRIMARY and one SECONDARY', () => {
  const zone = healthyZone();
  const messages = batchMessages(zone, [{ action: 'CREATE', recordSet: { ...primary, setIdentifier: 'us-west-2' } }]);
  assert.match(messages[0], /has 2 PRIMARY sets \('us-east-1', 'us-west-2'\)/);
});

test('changes: failover sets need a setIdentifier and a role; a health check on a simple set is refused', () => {
  const zone = new Zone();
  const messages = batchMessages(zone, [
    { action: 'CREATE', recordSet: { ...primary, setIdentifier: '' } },
    { action: 'CREATE', recordSet: { ...primary, failover: 'TERTIARY' } as unknown as RecordSet },
    { action: 'CREATE', recordSet: { ...simple, healthCheckId: 'hc-use1' } as unknown as RecordSet },
  ]);
  assert.is(messages.length, 3, messages.join('\n'));
  assert.match(messages[0], /needs a setIdentifier/);
  assert.match(messages[1], /failover must be one of PRIMARY, SECONDARY, got "TERTIARY"/);
  assert.match(messages[2], /healthCheckId has no effect on a simple record/);
});

test('changes: with healthCheckExists, an unknown health check fails the batch', () => {
  const zone = new Zone({ healthCheckExists: (id) => id === 'hc-use1' });
  zone.applyChanges([{ action: 'CREATE', recordSet: primary }]);
  assert.equal(batchMessages(zone, [{ action: 'CREATE', recordSet: secondary }]), [
    "[name='app.gameday.lab.', type='A', set-identifier='eu-west-1']: no health check 'hc-euw1' exists",
  ]);
});

test('changes: wildcards and malformed names are refused', () => {
  const messages = batchMessages(new Zone(), [
    { action: 'CREATE', recordSet: { ...simple, name: '*.gameday.lab' } },
    { action: 'CREATE', recordSet: { ...simple, name: 'bad..name.gameday.lab' } },
    { action: 'CREATE', recordSet: { ...simple, name: `${'x'.repeat(64)}.gameday.lab` } },
  ]);
  assert.match(messages[0], /wildcard records are not supported/);
  assert.match(messages[1], /label '' is not/);
  assert.match(messages[2], /label 'x{64}' is not 1-63/);
});

// ---- lookups -----------------------------------------------------------------------

test('lookup: failover answers follow health on every query', () => {
  const health: Record<string, boolean> = { 'hc-use1': true, 'hc-euw1': true };
  const zone = healthyZone(health);
  const values = (): unknown => zone.lookup('app.gameday.lab', 'A').answers.map((a) => [a.data, a.ttl]);
  assert.equal(values(), [['127.0.0.2', 30]]);
  health['hc-use1'] = false;
  assert.equal(values(), [['127.0.0.3', 30]]);
  health['hc-euw1'] = false;
  assert.equal(values(), [['127.0.0.2', 30]], 'both unhealthy answers the primary');
  health['hc-use1'] = true;
  assert.equal(values(), [['127.0.0.2', 30]]);
});

test('lookup: unknown name is NXDOMAIN with the SOA at the negative TTL', () => {
  const zone = healthyZone();
  const lookup = zone.lookup('nope.gameday.lab', 'A');
  assert.is(lookup.rcode, 'NXDOMAIN');
  assert.equal(lookup.answers, []);
  assert.is(lookup.authorities.length, 1);
  const soa = lookup.authorities[0];
  assert.is(soa.type, 'SOA');
  assert.is(soa.name, 'gameday.lab.');
  assert.is(soa.ttl, 60, 'min(SOA TTL 900, minimum 60)');
});

test('lookup: known name, other type is NODATA (NOERROR, empty, SOA)', () => {
  const lookup = healthyZone().lookup('app.gameday.lab', 'AAAA');
  assert.is(lookup.rcode, 'NOERROR');
  assert.equal(lookup.answers, []);
  assert.is(lookup.authorities[0].type, 'SOA');
  assert.equal(lookup.steps, [{ kind: 'nodata', name: 'app.gameday.lab.', type: 'AAAA' }]);
});

test('lookup: a name with records only below it exists (empty non-terminal)', () => {
  const zone = new Zone({ recordSets: [{ ...simple, name: 'a.b.gameday.lab' }] });
  assert.is(zone.lookup('b.gameday.lab', 'A').rcode, 'NOERROR');
  assert.is(zone.lookup('c.gameday.lab', 'A').rcode, 'NXDOMAIN');
});

test('lookup: outside the zone is REFUSED', () => {
  const zone = healthyZone();
  assert.is(zone.lookup('example.com', 'A').rcode, 'REFUSED');
  assert.is(zone.lookup('notgameday.lab', 'A').rcode, 'REFUSED', 'a suffix match is not enough');
});

test('lookup: the apex has SOA and NS', () => {
  const zone = new Zone({ nameServers: ['ns1.gameday.lab', 'ns2.gameday.lab'] });
  const soa = zone.lookup('gameday.lab.', 'SOA');
  assert.is(soa.rcode, 'NOERROR');
  assert.is(soa.answers[0].type, 'SOA');
  assert.equal(soa.answers[0].data, {
    mname: 'ns1.gameday.lab.',
    rname: 'hostmaster.gameday.lab.',
    serial: 1,
    refresh: 7200,
    retry: 900,
    expire: 1209600,
    minimum: 60,
  });
  assert.equal(
    zone.lookup('GAMEDAY.LAB', 'NS').answers.map((a) => a.data),
    ['ns1.gameday.lab.', 'ns2.gameday.lab.'],
  );
  assert.is(zone.lookup('gameday.lab', 'A').rcode, 'NOERROR', 'apex exists even without A records');
});

test('lookup: a CNAME inside the zone is followed; outside it is left to the resolver', () => {
  const zone = new Zone({
    healthOf: () => false,
    recordSets: [
      primary,
      secondary,
      { name: 'www.gameday.lab', type: 'CNAME', ttl: 120, values: ['app.gameday.lab'] },
      { name: 'ext.gameday.lab', type: 'CNAME', ttl: 120, values: ['example.com'] },
      { name: 'dangling.gameday.lab', type: 'CNAME', ttl: 120, values: ['gone.gameday.lab'] },
      { name: 'loop1.gameday.lab', type: 'CNAME', ttl: 120, values: ['loop2.gameday.lab'] },
      { name: 'loop2.gameday.lab', type: 'CNAME', ttl: 120, values: ['loop1.gameday.lab'] },
    ],
  });
  const www = zone.lookup('www.gameday.lab', 'A');
  assert.equal(
    www.answers.map((a) => [a.name, a.type, a.data]),
    [
      ['www.gameday.lab.', 'CNAME', 'app.gameday.lab.'],
      ['app.gameday.lab.', 'A', '127.0.0.2'],
    ],
  );
  assert.equal(
    zone.lookup('ext.gameday.lab', 'A').answers.map((a) => a.data),
    ['example.com.'],
  );
  const dangling = zone.lookup('dangling.gameday.lab', 'A');
  assert.is(dangling.rcode, 'NXDOMAIN', 'RFC 6604: the rcode is that of the last name in the chain');
  assert.is(dangling.answers.length, 1);
  assert.is(zone.lookup('loop1.gameday.lab', 'A').answers.length, 2, 'a loop stops');
  assert.is(
    zone.lookup('www.gameday.lab', 'CNAME').answers.length,
    1,
    'asking for the CNAME itself does not follow it',
  );
});

test('lookup: TXT values in Route 53 quoted form and bare form', () => {
  const zone = new Zone({
    recordSets: [{ name: 'txt.gameday.lab', type: 'TXT', ttl: 60, values: ['"v=1" "say \\"hi\\""', 'x'.repeat(300)] }],
  });
  const data = zone.lookup('txt.gameday.lab', 'TXT').answers.map((a) => a.data);
  assert.equal(data[0], ['v=1', 'say "hi"']);
  assert.equal(
    (data[1] as string[]).map((s) => s.length),
    [255, 45],
    'bare text is cut into 255-byte strings',
  );
});

// ---- explain ----------------------------------------------------------------------

test('explain: says which set answered and why', () => {
  const health: Record<string, boolean> = { 'hc-use1': true, 'hc-euw1': true };
  const zone = healthyZone(health);
  const healthy = zone.explain('app.gameday.lab', 'A');
  assert.is(healthy.steps[0].kind, 'failover');
  assert.match(healthy.summary, /PRIMARY 'us-east-1' healthy \(health check 'hc-use1'\) -> 127\.0\.0\.2 \(TTL 30\)/);

  health['hc-use1'] = false;
  const failedOver = zone.explain('app.gameday.lab', 'A');
  const step = failedOver.steps[0];
  assert.ok(step.kind === 'failover' && step.decision.outcome === 'failed-over');
  assert.match(failedOver.summary, /failed over to SECONDARY 'eu-west-1'.* -> 127\.0\.0\.3/);

  health['hc-euw1'] = false;
  assert.match(
    zone.explain('app.gameday.lab', 'A').summary,
    /no healthy set, so Route 53 treats all as healthy and answers PRIMARY/,
  );
  assert.match(zone.explain('nope.gameday.lab', 'A').summary, /NXDOMAIN/);
  assert.match(zone.explain('example.com', 'A').summary, /outside zone gameday\.lab\.: REFUSED/);
});

// ---- multivalue answer routing (active-active) ------------------------------------

const multiValue = (region: string, address: string) =>
  ({
    name: 'app.gameday.lab',
    type: 'A',
    ttl: 5,
    setIdentifier: region,
    multiValueAnswer: true,
    healthCheckId: `hc-${region}`,
    values: [address],
  }) as const satisfies RecordSet;

test('multivalue: every healthy set answers, each query starting one further along', () => {
  const zone = new Zone({
    recordSets: [multiValue('us-east-1', '127.0.0.2'), multiValue('eu-west-1', '127.0.0.3')],
  });
  const first = zone.lookup('app.gameday.lab', 'A').answers.map((record) => record.data);
  const second = zone.lookup('app.gameday.lab', 'A').answers.map((record) => record.data);
  assert.equal([...first].sort(), ['127.0.0.2', '127.0.0.3']);
  assert.equal(second, [...first].reverse(), 'the next query leads with the other region');
  assert.match(zone.explain('app.gameday.lab', 'A').summary, /multivalue answer, 2 of 2 sets healthy/);
});

test('multivalue: an unhealthy region leaves the answer; with none healthy, all answer (last resort)', () => {
  const health: Record<string, boolean> = { 'hc-us-east-1': false };
  const zone = new Zone({
    healthOf: (id) => health[id] ?? true,
    recordSets: [multiValue('us-east-1', '127.0.0.2'), multiValue('eu-west-1', '127.0.0.3')],
  });
  for (let i = 0; i < 3; i++)
    assert.equal(
      zone.lookup('app.gameday.lab', 'A').answers.map((record) => record.data),
      ['127.0.0.3'],
    );
  health['hc-eu-west-1'] = false;
  assert.is(zone.lookup('app.gameday.lab', 'A').answers.length, 2);
  assert.match(zone.explain('app.gameday.lab', 'A').summary, /no set healthy, so Route 53 answers all 2/);
});

test('multivalue: not mixed with another routing policy, and only multiValueAnswer true', () => {
  const zone = new Zone({ recordSets: [multiValue('us-east-1', '127.0.0.2')] });
  assert.match(
    batchMessages(zone, [{ action: 'CREATE', recordSet: secondary }]).join('\n'),
    /cannot mix multivalue answer routing with another routing policy/,
  );
  assert.match(
    batchMessages(zone, [
      { action: 'CREATE', recordSet: { ...multiValue('eu-west-1', '127.0.0.3'), multiValueAnswer: false as never } },
    ]).join('\n'),
    /multiValueAnswer must be true/,
  );
});

test.run();
