/**
 * Validation and normalization of one record set, independent of the zone's current
 * contents. The zone adds the checks that need its contents (exists, conflicts).
 */

import net from 'node:net';
import { domainNameProblem, isInZone, normalizeName } from './names';
import {
  FailoverRecordSet,
  MultiValueRecordSet,
  RecordSet,
  SimpleRecordSet,
  ZoneRecord,
  failoverRoles,
  isFailoverRecordSet,
  isMultiValueRecordSet,
  recordTypes,
  setIdentifierOf,
} from './types';

/** Route 53's TTL range. */
export const maxTtl = 2_147_483_647;
const maxTxtStringBytes = 255;
const maxSetIdentifierLength = 128;

/** Route 53's way of naming a set in error messages. */
export function describeRecordSet(recordSet: Pick<RecordSet, 'name' | 'type'> & { setIdentifier?: string }): string {
  const identifier = recordSet.setIdentifier !== undefined ? `, set-identifier='${recordSet.setIdentifier}'` : '';
  return `[name='${recordSet.name}', type='${recordSet.type}'${identifier}]`;
}

/** The key that makes a set unique in a zone: name, type, and SetIdentifier if any. */
export function recordSetKey(recordSet: RecordSet): string {
  return `${recordSet.name}|${recordSet.type}|${setIdentifierOf(recordSet) ?? ''}`;
}

export type NormalizeResult = { ok: true; recordSet: RecordSet } | { ok: false; problems: string[] };

/**
 * Checks a set's own fields and returns it normalized (lowercased absolute names, trimmed
 * values, only known fields), or every problem found. `input` is untrusted: it may come
 * from JSON through the control endpoint.
 */
export function normalizeRecordSet(input: unknown, origin: string): NormalizeResult {
  if (typeof input !== 'object' || input === null) return { ok: false, problems: ['recordSet must be an object'] };
  const raw = input as Record<string, unknown>;
  const problems: string[] = [];
  const label = describeRecordSet({
    name: typeof raw.name === 'string' ? normalizeName(raw.name) : String(raw.name),
    type: String(raw.type) as RecordSet['type'],
    setIdentifier: typeof raw.setIdentifier === 'string' ? raw.setIdentifier : undefined,
  });
  const problem = (message: string): void => {
    problems.push(`${label}: ${message}`);
  };

  let name = '';
  if (typeof raw.name !== 'string') {
    problem('name must be a string');
  } else {
    name = normalizeName(raw.name);
    const nameProblem = domainNameProblem(name);
    if (nameProblem !== undefined) problem(nameProblem);
    else if (!isInZone(name, origin)) problem(`RRSet with DNS name ${name} is not permitted in zone ${origin}`);
  }

  const type = raw.type;
  if (!(recordTypes as readonly unknown[]).includes(type)) {
    problem(`type must be one of ${recordTypes.join(', ')}, got ${JSON.stringify(type)}`);
  }

  const ttl = raw.ttl;
  if (!Number.isInteger(ttl) || (ttl as number) < 0 || (ttl as number) > maxTtl) {
    problem(`ttl must be an integer 0..${maxTtl}, got ${JSON.stringify(ttl)}`);
  }

  let values: string[] = [];
  if (!Array.isArray(raw.values) || raw.values.length === 0 || raw.values.some((v) => typeof v !== 'string')) {
    problem('values must be a non-empty array of strings');
  } else {
    values = (raw.values as string[]).map((v) => v.trim());
    for (const message of valueProblems(type, values)) problem(message);
    if (type === 'CNAME') values = values.map(normalizeName);
    if (type === 'AAAA') values = values.map((v) => v.toLowerCase());
  }
  if (type === 'CNAME' && name === origin) {
    problem(`RRSet of type CNAME with DNS name ${name} is not permitted at apex in zone ${origin}`);
  }

  const multiValue = raw.multiValueAnswer !== undefined;
  const routing = multiValue ? multiValueFields(raw, problem) : routingFields(raw, problem);
  if (problems.length > 0) return { ok: false, problems };

  const simple: SimpleRecordSet = { name, type: type as RecordSet['type'], ttl: ttl as number, values };
  if (routing === undefined) return { ok: true, recordSet: Object.freeze(simple) };
  const routed: FailoverRecordSet | MultiValueRecordSet = { ...simple, ...routing } as
    FailoverRecordSet | MultiValueRecordSet;
  return { ok: true, recordSet: Object.freeze(routed) };
}

function multiValueFields(
  raw: Record<string, unknown>,
  problem: (message: string) => void,
): Pick<MultiValueRecordSet, 'setIdentifier' | 'multiValueAnswer' | 'healthCheckId'> {
  const { setIdentifier, multiValueAnswer, failover, healthCheckId } = raw;
  if (multiValueAnswer !== true) problem(`multiValueAnswer must be true, got ${JSON.stringify(multiValueAnswer)}`);
  if (failover !== undefined) problem('a set has one routing policy: failover or multiValueAnswer, not both');
  if (typeof setIdentifier !== 'string' || setIdentifier.trim() === '' || setIdentifier.length > maxSetIdentifierLength)
    problem(`a multivalue answer set needs a setIdentifier of 1-${maxSetIdentifierLength} characters`);
  if (healthCheckId !== undefined && (typeof healthCheckId !== 'string' || healthCheckId === ''))
    problem(`healthCheckId must be a non-empty string, got ${JSON.stringify(healthCheckId)}`);
  const fields = { setIdentifier: String(setIdentifier).trim(), multiValueAnswer: true as const };
  return healthCheckId === undefined ? fields : { ...fields, healthCheckId: healthCheckId as string };
}

type RoutingFields = Pick<FailoverRecordSet, 'setIdentifier' | 'failover' | 'healthCheckId'>;

function routingFields(raw: Record<string, unknown>, problem: (message: string) => void): RoutingFields | undefined {
  const { setIdentifier, failover, healthCheckId } = raw;
  if (setIdentifier === undefined && failover === undefined) {
    if (healthCheckId !== undefined) {
      problem('healthCheckId has no effect on a simple record; give the set a setIdentifier and failover role');
    }
    return undefined;
  }
  if (
    typeof setIdentifier !== 'string' ||
    setIdentifier.trim() === '' ||
    setIdentifier.length > maxSetIdentifierLength
  ) {
    problem(`a failover set needs a setIdentifier of 1-${maxSetIdentifierLength} characters`);
  }
  if (!(failoverRoles as readonly unknown[]).includes(failover)) {
    problem(`failover must be one of ${failoverRoles.join(', ')}, got ${JSON.stringify(failover)}`);
  }
  if (healthCheckId !== undefined && (typeof healthCheckId !== 'string' || healthCheckId === '')) {
    problem(`healthCheckId must be a non-empty string, got ${JSON.stringify(healthCheckId)}`);
  }
  const fields: RoutingFields = {
    setIdentifier: String(setIdentifier).trim(),
    failover: failover as FailoverRecordSet['failover'],
  };
  return healthCheckId === undefined ? fields : { ...fields, healthCheckId: healthCheckId as string };
}

function valueProblems(type: unknown, values: readonly string[]): string[] {
  switch (type) {
    case 'A':
      return values.filter((v) => !net.isIPv4(v)).map((v) => `'${v}' is not an IPv4 address`);
    case 'AAAA':
      return values.filter((v) => !net.isIPv6(v)).map((v) => `'${v}' is not an IPv6 address`);
    case 'CNAME': {
      if (values.length !== 1) return [`a CNAME set has exactly one value, got ${values.length}`];
      const target = normalizeName(values[0]);
      const problem = domainNameProblem(target);
      return problem === undefined ? [] : [`CNAME target '${values[0]}': ${problem}`];
    }
    case 'TXT':
      return values.flatMap((v) => {
        const strings = txtStrings(v);
        if (strings === undefined) return [`TXT value ${v} is not a list of "quoted strings"`];
        const long = strings.find((s) => Buffer.byteLength(s) > maxTxtStringBytes);
        return long === undefined
          ? []
          : [`TXT string "${long.slice(0, 20)}…" is longer than ${maxTxtStringBytes} bytes`];
      });
    default:
      return [];
  }
}

/**
 * The character-strings of a TXT value. Route 53's form is one or more quoted strings
 * ('"a" "b"', with \" and \\ escapes); a bare value is taken as text and cut into
 * 255-byte strings, the most one character-string can hold. Undefined when malformed.
 */
export function txtStrings(value: string): string[] | undefined {
  if (!value.startsWith('"')) return chunkBytes(value, maxTxtStringBytes);
  const quoted = /"((?:[^"\\]|\\.)*)"\s*/y;
  const strings: string[] = [];
  while (quoted.lastIndex < value.length) {
    const match = quoted.exec(value);
    if (match === null) return undefined;
    strings.push(match[1].replace(/\\(.)/g, '$1'));
  }
  return strings;
}

function chunkBytes(text: string, size: number): string[] {
  const bytes = Buffer.from(text);
  if (bytes.length <= size) return [text];
  const chunks: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += size)
    chunks.push(bytes.subarray(offset, offset + size).toString());
  return chunks;
}

/** The wire records a set answers with. */
export function recordsOf(recordSet: RecordSet): ZoneRecord[] {
  const { name, ttl, type } = recordSet;
  if (type === 'TXT') return recordSet.values.map((value) => ({ name, type, ttl, data: txtStrings(value) ?? [value] }));
  return recordSet.values.map((value) => ({ name, type, ttl, data: value }));
}

/** Same set, same content: what Route 53 requires of a DELETE. Value order doesn't matter. */
export function sameRecordSet(a: RecordSet, b: RecordSet): boolean {
  const routing = (set: RecordSet) =>
    isFailoverRecordSet(set)
      ? [set.setIdentifier, set.failover, set.healthCheckId ?? '']
      : isMultiValueRecordSet(set)
        ? [set.setIdentifier, 'multivalue', set.healthCheckId ?? '']
        : [];
  const routingA = routing(a);
  const routingB = routing(b);
  return (
    a.name === b.name &&
    a.type === b.type &&
    a.ttl === b.ttl &&
    JSON.stringify([...a.values].sort()) === JSON.stringify([...b.values].sort()) &&
    JSON.stringify(routingA) === JSON.stringify(routingB)
  );
}

/** One line per record, in dig's presentation format. */
export function presentRecord(record: ZoneRecord): string {
  const head = `${record.name}\t${record.ttl}\tIN\t${record.type}\t`;
  switch (record.type) {
    case 'TXT':
      return head + record.data.map((s) => JSON.stringify(s)).join(' ');
    case 'SOA': {
      const soa = record.data;
      return head + [soa.mname, soa.rname, soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum].join(' ');
    }
    default:
      return head + record.data;
  }
}
