import net from 'node:net';
import type { Lab } from '../../lab';
import {
  InvalidChangeBatchError,
  isFailoverRecordSet,
  isMultiValueRecordSet,
  setIdentifierOf,
  normalizeName,
  recordTypes,
  type Change,
  type RecordSet,
  type Zone,
} from '../../dns';
import { labHostedZoneId } from '../resources';
import type { ChangeTracker } from './changes';
import { invalidChangeBatch, invalidInput, noSuchHealthCheck, noSuchHostedZone } from './errors';
import {
  XmlElement,
  XmlObject,
  childEnum,
  childInteger,
  childObject,
  childText,
  listObjects,
  maxItemsParam,
  missingElement,
  readRequestXml,
  xmlDocument,
  xmlList,
} from './xml';

/**
 * The lab's one hosted zone (`gameday.lab.`, id `labHostedZoneId`) through the Route 53 API:
 * ListHostedZones, GetHostedZone, ListResourceRecordSets and ChangeResourceRecordSets. The
 * records are the lab's DNS zone itself, so a change is answered by the lab's DNS server
 * as soon as the call returns, and the lab's own failover records are listed and changed
 * like any others.
 *
 * Routing: simple and failover, non-alias; record types A, AAAA, CNAME and TXT (the apex
 * SOA and NS are listed but can't be changed). Anything else Route 53 accepts is refused
 * with InvalidInput saying what the lab does not serve.
 */

/** Route 53's RRType enumeration, for the XML-schema check every request goes through. */
const route53RecordTypes = [
  'SOA',
  'A',
  'TXT',
  'NS',
  'CNAME',
  'MX',
  'NAPTR',
  'PTR',
  'SRV',
  'SPF',
  'AAAA',
  'CAA',
  'DS',
  'TLSA',
  'SSHFP',
  'SVCB',
  'HTTPS',
] as const;
const changeActions = ['CREATE', 'DELETE', 'UPSERT'] as const;
const failoverRoles = ['PRIMARY', 'SECONDARY'] as const;
/** Routing and alias elements of ResourceRecordSet the lab does not serve. */
const unsupportedElements = [
  'Weight',
  'Region',
  'GeoLocation',
  'MultiValueAnswer',
  'AliasTarget',
  'TrafficPolicyInstanceId',
  'CidrRoutingConfig',
  'GeoProximityLocation',
];

/** Page sizes: the default, and Route 53's cap whatever MaxItems says. */
const pageSizes = { hostedZones: { fallback: 100, cap: 100 }, recordSets: { fallback: 300, cap: 300 } } as const;
const labZoneCallerReference = 'gameday-lab';
const labZoneComment = 'gameday lab zone';

/** One row of ListResourceRecordSets: a set of the zone, or the apex SOA/NS. */
interface ListedSet {
  readonly name: string;
  readonly type: string;
  readonly setIdentifier?: string;
  readonly element: XmlElement;
}

export class HostedZoneApi {
  constructor(
    private readonly lab: Lab,
    private readonly changes: ChangeTracker,
  ) {}

  /** GET /2013-04-01/hostedzone */
  listHostedZones(query: URLSearchParams): string {
    const maxItems = maxItemsParam(query, pageSizes.hostedZones.fallback, pageSizes.hostedZones.cap);
    const marker = query.get('marker') ?? undefined;
    const zones = [labHostedZoneId];
    const start = marker === undefined ? 0 : zones.indexOf(marker);
    if (start < 0)
      throw invalidInput(`The marker ${marker} is not the ID of a hosted zone; the lab has one: ${labHostedZoneId}`);
    const page = zones.slice(start, start + maxItems);
    const next = zones[start + maxItems];
    return xmlDocument('ListHostedZonesResponse', [
      [
        'HostedZones',
        xmlList(
          'HostedZone',
          page.map(() => this.hostedZoneContent()),
        ),
      ],
      ['Marker', marker],
      ['IsTruncated', next !== undefined],
      ['NextMarker', next],
      ['MaxItems', maxItems],
    ]);
  }

  /** GET /2013-04-01/hostedzone/{Id} */
  getHostedZone(id: string): string {
    const zone = this.zone(id);
    const nameServers = zone.lookup(zone.origin, 'NS').answers.map((record) => String(record.data).replace(/\.$/, ''));
    return xmlDocument('GetHostedZoneResponse', [
      ['HostedZone', this.hostedZoneContent()],
      ['DelegationSet', [['NameServers', xmlList('NameServer', nameServers)]]],
    ]);
  }

  /**
   * GET /2013-04-01/hostedzone/{Id}/rrset. Route 53's order: by name with the labels
   * reversed (app.gameday.lab. sorts as lab.gameday.app.), then type, then SetIdentifier;
   * a page starts at the first set at or after name/type/identifier.
   */
  listResourceRecordSets(id: string, query: URLSearchParams): string {
    const zone = this.zone(id);
    const startName = query.get('name') ?? undefined;
    const startType = query.get('type') ?? undefined;
    const startIdentifier = query.get('identifier') ?? undefined;
    if (startType !== undefined && startName === undefined)
      throw invalidInput('StartRecordType given without StartRecordName; give both, or only the name');
    if (startIdentifier !== undefined && startType === undefined)
      throw invalidInput('StartRecordIdentifier given without StartRecordType; give name, type and identifier');
    if (startType !== undefined && !(route53RecordTypes as readonly string[]).includes(startType)) {
      throw invalidInput(`StartRecordType '${startType}' is not one of ${route53RecordTypes.join(', ')}`);
    }
    const maxItems = maxItemsParam(query, pageSizes.recordSets.fallback, pageSizes.recordSets.cap);

    const sets = listedSets(zone).sort(compareListed);
    const from =
      startName === undefined
        ? 0
        : firstAtOrAfter(sets, [orderKey(normalizeName(startName)), startType ?? '', startIdentifier ?? '']);
    const page = sets.slice(from, from + maxItems);
    const next = sets[from + maxItems];
    return xmlDocument('ListResourceRecordSetsResponse', [
      ['ResourceRecordSets', page.map((set) => set.element)],
      ['IsTruncated', next !== undefined],
      ['NextRecordName', next?.name],
      ['NextRecordType', next?.type],
      ['NextRecordIdentifier', next?.setIdentifier],
      ['MaxItems', maxItems],
    ]);
  }

  /**
   * POST /2013-04-01/hostedzone/{Id}/rrset. All or nothing: the batch is checked as a
   * whole (request shape → InvalidInput, unknown health check → NoSuchHealthCheck, then
   * every problem with the records → one InvalidChangeBatch) and the zone is changed
   * only if nothing was wrong.
   */
  changeResourceRecordSets(id: string, body: Buffer): string {
    const zone = this.zone(id);
    const request = readRequestXml(body, 'ChangeResourceRecordSetsRequest');
    const batch = childObject(request, 'ChangeBatch');
    if (batch === undefined) throw invalidInput(missingElement('ChangeResourceRecordSetsRequest', 'ChangeBatch'));
    const comment = childText(batch, 'Comment');
    const changeElements = listObjects(batch, 'Changes', 'Change');
    if (changeElements.length === 0) throw invalidInput(missingElement('Changes', 'Change'));

    const changes = changeElements.map(readChange);
    for (const { action, recordSet } of changes) {
      if (
        action !== 'DELETE' &&
        isFailoverRecordSet(recordSet) &&
        recordSet.healthCheckId !== undefined &&
        !this.lab.healthChecks.has(recordSet.healthCheckId)
      ) {
        throw noSuchHealthCheck(recordSet.healthCheckId);
      }
    }
    const problems = changes.flatMap(recordProblems);
    if (problems.length > 0) throw invalidChangeBatch(problems);
    try {
      zone.applyChanges(changes);
    } catch (error) {
      if (error instanceof InvalidChangeBatchError) throw invalidChangeBatch(error.messages);
      throw error;
    }
    return xmlDocument('ChangeResourceRecordSetsResponse', [this.changes.changeInfo(this.changes.submit(comment))]);
  }

  /** The zone behind a hosted zone id (bare or /hostedzone/ form); NoSuchHostedZone otherwise. */
  private zone(id: string): Zone {
    const bare = id.replace(/^\/?hostedzone\//, '');
    if (bare !== labHostedZoneId) throw noSuchHostedZone(bare);
    return this.lab.zone;
  }

  private hostedZoneContent(): XmlElement[] {
    const zone = this.lab.zone;
    return [
      ['Id', `/hostedzone/${labHostedZoneId}`],
      ['Name', zone.origin],
      ['CallerReference', labZoneCallerReference],
      [
        'Config',
        [
          ['Comment', labZoneComment],
          ['PrivateZone', false],
        ],
      ],
      // Route 53 counts the apex SOA and NS too: a new zone has 2.
      ['ResourceRecordSetCount', zone.recordSets().length + 2],
    ];
  }
}

// ------------------------------------------------------------------ reading a change

function readChange(element: XmlObject): Change {
  const action = childEnum(element, 'Action', changeActions);
  if (action === undefined) throw invalidInput(missingElement('Change', 'Action'));
  const rrs = childObject(element, 'ResourceRecordSet');
  if (rrs === undefined) throw invalidInput(missingElement('Change', 'ResourceRecordSet'));
  const name = childText(rrs, 'Name');
  if (name === undefined) throw invalidInput(missingElement('ResourceRecordSet', 'Name'));
  const type = childEnum(rrs, 'Type', route53RecordTypes);
  if (type === undefined) throw invalidInput(missingElement('ResourceRecordSet', 'Type'));
  const setIdentifier = childText(rrs, 'SetIdentifier');
  const failover = childEnum(rrs, 'Failover', failoverRoles);
  const ttl = childInteger(rrs, 'TTL');
  const healthCheckId = childText(rrs, 'HealthCheckId');
  const hasRecords = rrs.ResourceRecords !== undefined;
  const values = listObjects(rrs, 'ResourceRecords', 'ResourceRecord').map((record) => {
    const value = childText(record, 'Value');
    if (value === undefined) throw invalidInput(missingElement('ResourceRecord', 'Value'));
    return value;
  });
  // Route 53 names a change in its messages like this.
  const where = `Change with [Action=${action}, Name=${name}, Type=${type}, SetIdentifier=${setIdentifier ?? 'null'}]`;

  if (!(recordTypes as readonly string[]).includes(type)) {
    throw invalidInput(
      `The lab's Route 53 serves record types ${recordTypes.join(', ')}; ${type} is not supported (${where})`,
    );
  }
  const unsupported = unsupportedElements.filter((field) => rrs[field] !== undefined);
  if (unsupported.length > 0) {
    throw invalidInput(
      `The lab's Route 53 serves simple and failover routing without aliases; ` +
        `${unsupported.join(', ')} is not supported (${where})`,
    );
  }
  if (ttl === undefined && !hasRecords) {
    throw invalidInput(
      `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or ` +
        `TrafficPolicyInstanceId], but found none in ${where}`,
    );
  }
  if (ttl === undefined) throw invalidInput(`Invalid request: Missing field 'TTL' in ${where}`);
  if (!hasRecords) throw invalidInput(`Invalid request: Missing field 'ResourceRecords' in ${where}`);
  if (values.length === 0) throw invalidInput(missingElement('ResourceRecords', 'ResourceRecord'));
  if (failover !== undefined && setIdentifier === undefined)
    throw invalidInput(`Invalid request: Missing field 'SetIdentifier' in ${where}`);
  if (setIdentifier !== undefined && failover === undefined) {
    throw invalidInput(
      `Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, ` +
        `MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig], but found none in ${where}`,
    );
  }
  // The zone validates the rest (names, values, conflicts) and words it like Route 53.
  const recordSet = {
    name,
    type,
    ttl,
    values,
    ...(setIdentifier !== undefined ? { setIdentifier } : {}),
    ...(failover !== undefined ? { failover } : {}),
    ...(healthCheckId !== undefined ? { healthCheckId } : {}),
  } as RecordSet;
  return { action, recordSet };
}

/** Route 53 rules the lab's zone does not hold itself, in Route 53's words. */
function recordProblems({ action, recordSet }: Change): string[] {
  if (action === 'DELETE') return [];
  const problems: string[] = [];
  for (const value of recordSet.values) {
    if (recordSet.type === 'A' && !net.isIPv4(value.trim())) {
      problems.push(
        `Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid ` +
          `IPv4 address) encountered with '${value}''`,
      );
    }
    if (recordSet.type === 'TXT' && !value.trim().startsWith('"')) {
      problems.push(
        `Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed ` +
          `in quotation marks) encountered with '${value}''`,
      );
    }
  }
  if (isFailoverRecordSet(recordSet) && recordSet.failover === 'PRIMARY' && recordSet.healthCheckId === undefined) {
    problems.push('A non-alias primary ResourceRecordSet must have an associated health check. No changes made.');
  }
  return problems;
}

// ------------------------------------------------------------------ listing

function listedSets(zone: Zone): ListedSet[] {
  const apex = zone.origin;
  const soa = zone.lookup(apex, 'SOA').answers[0];
  const ns = zone.lookup(apex, 'NS').answers;
  const listed: ListedSet[] = [];
  if (soa?.type === 'SOA') {
    const s = soa.data;
    const value = [s.mname, s.rname, s.serial, s.refresh, s.retry, s.expire, s.minimum].join(' ');
    listed.push({
      name: apex,
      type: 'SOA',
      element: recordSetElement({ name: apex, type: 'SOA', ttl: soa.ttl, values: [value] }),
    });
  }
  if (ns.length > 0) {
    listed.push({
      name: apex,
      type: 'NS',
      element: recordSetElement({
        name: apex,
        type: 'NS',
        ttl: ns[0].ttl,
        values: ns.map((record) => String(record.data)),
      }),
    });
  }
  for (const set of zone.recordSets()) {
    const setIdentifier = setIdentifierOf(set);
    listed.push({
      name: set.name,
      type: set.type,
      ...(setIdentifier !== undefined ? { setIdentifier } : {}),
      element: recordSetElement({ ...set, multiValueAnswer: isMultiValueRecordSet(set) ? 'true' : undefined }),
    });
  }
  return listed;
}

/** A ResourceRecordSet element, its children in the service model's order. */
function recordSetElement(set: {
  name: string;
  type: string;
  ttl: number;
  values: readonly string[];
  setIdentifier?: string;
  failover?: string;
  multiValueAnswer?: string;
  healthCheckId?: string;
}): XmlElement {
  return [
    'ResourceRecordSet',
    [
      ['Name', set.name],
      ['Type', set.type],
      ['SetIdentifier', set.setIdentifier],
      ['Failover', set.failover],
      ['MultiValueAnswer', set.multiValueAnswer],
      ['TTL', set.ttl],
      [
        'ResourceRecords',
        xmlList(
          'ResourceRecord',
          set.values.map((value): XmlElement[] => [['Value', value]]),
        ),
      ],
      ['HealthCheckId', set.healthCheckId],
    ],
  ];
}

/** `app.gameday.lab.` → `lab.gameday.app.`: Route 53 sorts names by their reversed labels. */
function orderKey(name: string): string {
  return `${name.replace(/\.$/, '').split('.').reverse().join('.')}.`;
}

type ListPosition = readonly [key: string, type: string, identifier: string];

function positionOf(set: ListedSet): ListPosition {
  return [orderKey(set.name), set.type, set.setIdentifier ?? ''];
}

function comparePositions(a: ListPosition, b: ListPosition): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

function compareListed(a: ListedSet, b: ListedSet): number {
  return comparePositions(positionOf(a), positionOf(b));
}

function firstAtOrAfter(sorted: readonly ListedSet[], start: ListPosition): number {
  const index = sorted.findIndex((set) => comparePositions(positionOf(set), start) >= 0);
  return index < 0 ? sorted.length : index;
}
