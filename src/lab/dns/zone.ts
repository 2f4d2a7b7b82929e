import { InvalidChangeBatchError, InvalidZoneConfigError } from './errors';
import { candidate, chooseFailoverRecord } from './failover';
import { domainNameProblem, isInZone, normalizeName } from './names';
import {
  describeRecordSet,
  normalizeRecordSet,
  presentRecord,
  recordSetKey,
  recordsOf,
  sameRecordSet,
} from './records';
import {
  Change,
  ChangeInfo,
  Explanation,
  FailoverRecordSet,
  HealthOf,
  Lookup,
  LookupStep,
  RecordSet,
  RecordType,
  SoaFields,
  ZoneRecord,
  changeActions,
  isFailoverRecordSet,
  isMultiValueRecordSet,
  type MultiValueRecordSet,
} from './types';

export interface ZoneOptions {
  /** Default 'gameday.lab.'. */
  origin?: string;
  /** Health of a check by id; default: everything healthy. */
  healthOf?: HealthOf;
  /**
   * When given, CREATE/UPSERT of a set naming an unknown health check fails the batch,
   * as Route 53 does; without it any id is accepted.
   */
  healthCheckExists?: (healthCheckId: string) => boolean;
  /** Apex NS values. Default [`ns1.<origin>`]. */
  nameServers?: readonly string[];
  /** Default 172800, Route 53's. */
  nsTtl?: number;
  soa?: Partial<Omit<SoaFields, 'serial'>> & { ttl?: number };
  /** Created as one batch at construction. */
  recordSets?: readonly RecordSet[];
  /** For ChangeInfo.submittedAt. */
  now?: () => number;
}

/**
 * Route 53 defaults, except the SOA minimum (the negative-caching TTL): Route 53 uses a day,
 * the lab a minute, because drills create and delete names while clients are resolving them.
 */
export const zoneDefaults = {
  origin: 'gameday.lab.',
  nsTtl: 172_800,
  soaTtl: 900,
  refresh: 7_200,
  retry: 900,
  expire: 1_209_600,
  minimum: 60,
} as const;

/** CNAME chains inside the zone are followed at most this far, so a loop can't spin. */
const maxChainLength = 8;

type TypeIndex = Map<RecordType, RecordSet[]>;

/**
 * An authoritative zone with Route 53 semantics: change batches that apply all-or-nothing,
 * failover groups answered from live health, SOA/NS at the apex.
 *
 * Invariants (hold between batches): at most one simple set per name and type; a name and
 * type is either simple or failover, never both; a failover group has at most one PRIMARY
 * and one SECONDARY; a CNAME owns its name alone and never sits at the apex.
 */
export class Zone {
  readonly origin: string;
  private readonly healthOf: HealthOf;
  private readonly healthCheckExists: ((healthCheckId: string) => boolean) | undefined;
  private readonly nameServers: readonly string[];
  private readonly nsTtl: number;
  private readonly soaTtl: number;
  private readonly soaFields: Omit<SoaFields, 'serial'>;
  private readonly now: () => number;
  private sets = new Map<string, RecordSet>();
  private index = new Map<string, TypeIndex>();
  private serialNumber = 1;
  /** Where the next multivalue answer starts: each query gets the healthy sets in another order. */
  private rotation = 0;

  constructor(options: ZoneOptions = {}) {
    this.origin = normalizeName(options.origin ?? zoneDefaults.origin);
    const originProblem = domainNameProblem(this.origin);
    if (originProblem !== undefined) throw new InvalidZoneConfigError('origin', originProblem);
    this.healthOf = options.healthOf ?? (() => true);
    this.healthCheckExists = options.healthCheckExists;
    this.nameServers = (options.nameServers ?? [`ns1.${this.origin}`]).map(normalizeName);
    if (this.nameServers.length === 0)
      throw new InvalidZoneConfigError('nameServers', 'at least one name server is needed');
    this.nsTtl = options.nsTtl ?? zoneDefaults.nsTtl;
    this.soaTtl = options.soa?.ttl ?? zoneDefaults.soaTtl;
    this.soaFields = {
      mname: normalizeName(options.soa?.mname ?? this.nameServers[0]),
      rname: normalizeName(options.soa?.rname ?? `hostmaster.${this.origin}`),
      refresh: options.soa?.refresh ?? zoneDefaults.refresh,
      retry: options.soa?.retry ?? zoneDefaults.retry,
      expire: options.soa?.expire ?? zoneDefaults.expire,
      minimum: options.soa?.minimum ?? zoneDefaults.minimum,
    };
    this.now = options.now ?? Date.now;
    if (options.recordSets !== undefined && options.recordSets.length > 0) {
      this.applyChanges(options.recordSets.map((recordSet) => ({ action: 'CREATE', recordSet })));
    }
  }

  /** Bumped by every applied batch, as a secondary would notice. */
  get serial(): number {
    return this.serialNumber;
  }

  get soa(): SoaFields {
    return { ...this.soaFields, serial: this.serialNumber };
  }

  /**
   * Route 53 ChangeResourceRecordSets. Changes apply in order to a working copy (so DELETE
   * then CREATE of one set is a valid replace); any problem rejects the whole batch with an
   * InvalidChangeBatchError listing every problem, and the zone is left as it was.
   */
  applyChanges(changes: readonly Change[]): ChangeInfo {
    if (!Array.isArray(changes) || changes.length === 0) {
      throw new InvalidChangeBatchError(['a change batch needs at least one change']);
    }
    const working = new Map(this.sets);
    const touched = new Set<string>();
    const problems: string[] = [];
    changes.forEach((change, position) => {
      const where = `change ${position + 1} (${String(change?.action)})`;
      if (!(changeActions as readonly unknown[]).includes(change?.action)) {
        problems.push(`${where}: action must be one of ${changeActions.join(', ')}`);
        return;
      }
      const normalized = normalizeRecordSet(change.recordSet, this.origin);
      if (!normalized.ok) {
        problems.push(...normalized.problems.map((p) => `${where}: ${p}`));
        return;
      }
      const recordSet = normalized.recordSet;
      const key = recordSetKey(recordSet);
      const existing = working.get(key);
      const label = describeRecordSet(recordSet);
      touched.add(recordSet.name);
      switch (change.action) {
        case 'CREATE':
          if (existing !== undefined)
            problems.push(`Tried to create resource record set ${label} but it already exists`);
          else working.set(key, recordSet);
          break;
        case 'DELETE':
          if (existing === undefined)
            problems.push(`Tried to delete resource record set ${label} but it was not found`);
          else if (!sameRecordSet(existing, recordSet)) {
            problems.push(
              `Tried to delete resource record set ${label} but the values provided do not match the current values`,
            );
          } else working.delete(key);
          break;
        case 'UPSERT':
          working.set(key, recordSet);
          break;
      }
      if (change.action !== 'DELETE') problems.push(...this.healthCheckProblems(recordSet));
    });
    problems.push(...consistencyProblems(working, touched, this.origin));
    if (problems.length > 0) throw new InvalidChangeBatchError(problems);

    this.sets = working;
    this.index = buildIndex(working);
    this.serialNumber += 1;
    return {
      id: `C${String(this.serialNumber).padStart(8, '0')}`,
      status: 'INSYNC',
      submittedAt: this.now(),
      serial: this.serialNumber,
    };
  }

  /** Every set, in a stable order (name, type, set identifier). */
  recordSets(): RecordSet[] {
    return [...this.sets.values()].sort((a, b) => recordSetKey(a).localeCompare(recordSetKey(b)));
  }

  /**
   * What the server answers for a question. Pure with respect to the zone's contents and the
   * health function (no I/O, no clock), but for the order of a multivalue answer, which
   * turns from one query to the next.
   */
  lookup(name: string, type: string): Lookup {
    const queryType = type.toUpperCase();
    let current = normalizeName(name);
    if (!isInZone(current, this.origin)) {
      return { rcode: 'REFUSED', answers: [], authorities: [], steps: [{ kind: 'outside-zone', name: current }] };
    }
    const answers: ZoneRecord[] = [];
    const steps: LookupStep[] = [];
    const visited = new Set<string>();
    for (;;) {
      visited.add(current);
      const here = this.answersAt(current, queryType);
      answers.push(...here.answers);
      steps.push(...here.steps);
      if (here.answers.length === 0) {
        const exists = this.nameExists(current);
        steps.push(exists ? { kind: 'nodata', name: current, type: queryType } : { kind: 'nxdomain', name: current });
        return { rcode: exists ? 'NOERROR' : 'NXDOMAIN', answers, authorities: [this.negativeSoa()], steps };
      }
      const target = here.cnameTarget;
      // Following the chain inside the zone saves the resolver a round trip; outside it, the
      // resolver follows it itself.
      if (
        target === undefined ||
        !isInZone(target, this.origin) ||
        visited.has(target) ||
        visited.size >= maxChainLength
      ) {
        return { rcode: 'NOERROR', answers, authorities: [], steps };
      }
      current = target;
    }
  }

  /** Which set answered and why, for `gameday lab status`. */
  explain(name: string, type: string): Explanation {
    const lookup = this.lookup(name, type);
    const summary = lookup.steps.map((step) => describeStep(step, this.origin)).join('; then ');
    return { ...lookup, name: normalizeName(name), type: type.toUpperCase(), summary };
  }

  /** The answers in presentation format, one line each (handy for status output and logs). */
  present(lookup: Lookup): string[] {
    return [...lookup.answers, ...lookup.authorities].map(presentRecord);
  }

  private answersAt(
    name: string,
    queryType: string,
  ): { answers: ZoneRecord[]; steps: LookupStep[]; cnameTarget?: string } {
    const types = this.index.get(name);
    const answers: ZoneRecord[] = [];
    const steps: LookupStep[] = [];
    const answerGroup = (group: readonly RecordSet[]): RecordSet => {
      const chosen = this.choose(name, group, steps);
      for (const set of chosen) answers.push(...recordsOf(set));
      return chosen[0];
    };

    if (name === this.origin && (queryType === 'SOA' || queryType === 'ANY')) {
      answers.push(this.soaRecord(this.soaTtl));
      steps.push({ kind: 'apex', name, type: 'SOA' });
    }
    if (name === this.origin && (queryType === 'NS' || queryType === 'ANY')) {
      answers.push(...this.nameServers.map((ns): ZoneRecord => ({ name, type: 'NS', ttl: this.nsTtl, data: ns })));
      steps.push({ kind: 'apex', name, type: 'NS' });
    }
    if (types === undefined) return { answers, steps };
    if (queryType === 'ANY') {
      for (const group of types.values()) answerGroup(group);
      return { answers, steps };
    }
    const exact = types.get(queryType as RecordType);
    if (exact !== undefined) {
      answerGroup(exact);
      return { answers, steps };
    }
    const cname = types.get('CNAME');
    if (cname !== undefined) {
      const chosen = answerGroup(cname);
      return { answers, steps, cnameTarget: chosen.values[0] };
    }
    return { answers, steps };
  }

  private choose(name: string, group: readonly RecordSet[], steps: LookupStep[]): RecordSet[] {
    const multiValueSets = group.filter(isMultiValueRecordSet);
    if (multiValueSets.length > 0) return this.chooseMultiValue(name, multiValueSets, steps);
    const failoverSets = group.filter(isFailoverRecordSet);
    if (failoverSets.length === 0) {
      steps.push({ kind: 'simple', name, recordSet: group[0] });
      return [group[0]];
    }
    const decision = chooseFailoverRecord(failoverSets, this.healthOf);
    steps.push({ kind: 'failover', name, decision });
    return [decision.answeredBy];
  }

  /**
   * Route 53 multivalue answer routing: every healthy set (with none healthy, every set: the
   * last resort), each query starting one further along, so clients that take the first
   * address spread over them.
   */
  private chooseMultiValue(name: string, group: readonly MultiValueRecordSet[], steps: LookupStep[]): RecordSet[] {
    const healthy = group.filter((set) => candidate(set, this.healthOf).healthy);
    const answering = healthy.length > 0 ? healthy : group;
    const start = this.rotation++ % answering.length;
    const ordered = [...answering.slice(start), ...answering.slice(0, start)];
    steps.push({ kind: 'multivalue', name, answeredBy: ordered, healthy: healthy.length > 0, total: group.length });
    return ordered;
  }

  /** The apex, any name with records, and any name with records below it (an empty non-terminal). */
  private nameExists(name: string): boolean {
    if (name === this.origin || this.index.has(name)) return true;
    const suffix = `.${name}`;
    for (const owner of this.index.keys()) if (owner.endsWith(suffix)) return true;
    return false;
  }

  /** RFC 2308: a negative answer's SOA carries min(SOA TTL, SOA minimum). */
  private negativeSoa(): ZoneRecord {
    return this.soaRecord(Math.min(this.soaTtl, this.soaFields.minimum));
  }

  private soaRecord(ttl: number): ZoneRecord {
    return { name: this.origin, type: 'SOA', ttl, data: this.soa };
  }

  private healthCheckProblems(recordSet: RecordSet): string[] {
    if (
      this.healthCheckExists === undefined ||
      !(isFailoverRecordSet(recordSet) || isMultiValueRecordSet(recordSet)) ||
      recordSet.healthCheckId === undefined
    )
      return [];
    return this.healthCheckExists(recordSet.healthCheckId)
      ? []
      : [`${describeRecordSet(recordSet)}: no health check '${recordSet.healthCheckId}' exists`];
  }
}

function buildIndex(sets: ReadonlyMap<string, RecordSet>): Map<string, TypeIndex> {
  const index = new Map<string, TypeIndex>();
  for (const recordSet of sets.values()) {
    const types = index.get(recordSet.name) ?? new Map<RecordType, RecordSet[]>();
    types.set(recordSet.type, [...(types.get(recordSet.type) ?? []), recordSet]);
    index.set(recordSet.name, types);
  }
  return index;
}

/** The zone invariants, checked on the names a batch touched, in the batch's final state. */
function consistencyProblems(
  sets: ReadonlyMap<string, RecordSet>,
  touched: ReadonlySet<string>,
  origin: string,
): string[] {
  const index = buildIndex(sets);
  const problems: string[] = [];
  for (const name of touched) {
    const types = index.get(name);
    if (types === undefined) continue;
    if (types.has('CNAME') && types.size > 1) {
      problems.push(
        `RRSet of type CNAME with DNS name ${name} is not permitted as it conflicts with other ` +
          `records with the same DNS name in zone ${origin}`,
      );
    }
    for (const [type, group] of types) {
      const multiValueSets = group.filter(isMultiValueRecordSet);
      if (multiValueSets.length > 0 && multiValueSets.length < group.length) {
        problems.push(
          `RRSet with DNS name ${name} and type ${type} cannot mix multivalue answer routing with another ` +
            'routing policy',
        );
        continue;
      }
      const failoverSets = group.filter(isFailoverRecordSet);
      if (failoverSets.length > 0 && failoverSets.length < group.length) {
        problems.push(
          `RRSet with DNS name ${name} and type ${type} cannot mix simple and failover routing: ` +
            'Route 53 does not allow a non-failover set with the same name and type as failover sets',
        );
      }
      for (const role of ['PRIMARY', 'SECONDARY'] as const) {
        const holders = failoverSets.filter((s) => s.failover === role);
        if (holders.length > 1) {
          problems.push(
            `RRSet with DNS name ${name} and type ${type} has ${holders.length} ${role} sets ` +
              `(${holders.map((s: FailoverRecordSet) => `'${s.setIdentifier}'`).join(', ')}); a ` +
              `failover group has one PRIMARY and one SECONDARY`,
          );
        }
      }
    }
  }
  return problems;
}

function describeStep(step: LookupStep, origin: string): string {
  switch (step.kind) {
    case 'outside-zone':
      return `${step.name} is outside zone ${origin}: REFUSED`;
    case 'nxdomain':
      return `${step.name} does not exist in zone ${origin}: NXDOMAIN`;
    case 'nodata':
      return `${step.name} exists but has no ${step.type} records: NOERROR with no answer (NODATA)`;
    case 'apex':
      return `${step.name} ${step.type}: the zone apex's own record`;
    case 'simple':
      return (
        `${step.name} ${step.recordSet.type}: simple record -> ` +
        `${step.recordSet.values.join(', ')} (TTL ${step.recordSet.ttl})`
      );
    case 'failover': {
      const answered = step.decision.answeredBy;
      const values = answered.values.join(', ');
      return `${step.name} ${answered.type}: ${step.decision.reason} -> ${values} (TTL ${answered.ttl})`;
    }
    case 'multivalue': {
      const sets = step.answeredBy.map((set) => `'${set.setIdentifier}' ${set.values.join(', ')}`).join(', ');
      const which = step.healthy
        ? `${step.answeredBy.length} of ${step.total} sets healthy`
        : `no set healthy, so Route 53 answers all ${step.total}`;
      const { type, ttl } = step.answeredBy[0];
      return `${step.name} ${type}: multivalue answer, ${which} -> ${sets} (TTL ${ttl})`;
    }
  }
}
