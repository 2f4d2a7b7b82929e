/**
 * The lab zone's record model, mirroring Route 53 resource record sets (non-alias):
 * a set is identified by name + type, plus SetIdentifier when it has a routing policy.
 * Simple, failover and multivalue answer routing exist in the lab.
 */

export const recordTypes = ['A', 'AAAA', 'CNAME', 'TXT'] as const;
export type RecordType = (typeof recordTypes)[number];

export const failoverRoles = ['PRIMARY', 'SECONDARY'] as const;
export type FailoverRole = (typeof failoverRoles)[number];

/** Route 53 "simple routing": one set per name and type, always answered. */
export interface SimpleRecordSet {
  readonly name: string;
  readonly type: RecordType;
  readonly ttl: number;
  /**
   * A: IPv4 addresses; AAAA: IPv6; CNAME: exactly one domain name; TXT: text, either bare
   * or in Route 53's quoted form ('"v=1" "second string"').
   */
  readonly values: readonly string[];
}

/** Route 53 failover routing: a PRIMARY and a SECONDARY set sharing name and type. */
export interface FailoverRecordSet extends SimpleRecordSet {
  readonly setIdentifier: string;
  readonly failover: FailoverRole;
  /** Without a health check the set counts as healthy, as in Route 53. */
  readonly healthCheckId?: string;
}

/**
 * Route 53 multivalue answer routing: sets sharing name and type, each with its
 * SetIdentifier and health check; every healthy set answers (none healthy: all of them),
 * in an order that changes from query to query, so clients spread over them.
 */
export interface MultiValueRecordSet extends SimpleRecordSet {
  readonly setIdentifier: string;
  readonly multiValueAnswer: true;
  /** Without a health check the set counts as healthy, as in Route 53. */
  readonly healthCheckId?: string;
}

export type RecordSet = SimpleRecordSet | FailoverRecordSet | MultiValueRecordSet;

export function isFailoverRecordSet(recordSet: RecordSet): recordSet is FailoverRecordSet {
  return 'failover' in recordSet && recordSet.failover !== undefined;
}

export function isMultiValueRecordSet(recordSet: RecordSet): recordSet is MultiValueRecordSet {
  return 'multiValueAnswer' in recordSet && recordSet.multiValueAnswer === true;
}

/** The SetIdentifier of a set with a routing policy; undefined for a simple set. */
export function setIdentifierOf(recordSet: RecordSet): string | undefined {
  return isFailoverRecordSet(recordSet) || isMultiValueRecordSet(recordSet) ? recordSet.setIdentifier : undefined;
}

export const changeActions = ['CREATE', 'DELETE', 'UPSERT'] as const;
export type ChangeAction = (typeof changeActions)[number];

/** One entry of a Route 53 ChangeBatch. */
export interface Change {
  readonly action: ChangeAction;
  readonly recordSet: RecordSet;
}

/** Route 53 ChangeInfo. The lab applies a batch synchronously, so it is always INSYNC. */
export interface ChangeInfo {
  readonly id: string;
  readonly status: 'INSYNC';
  readonly submittedAt: number;
  /** The zone's SOA serial after the batch. */
  readonly serial: number;
}

/** Whether a health check is healthy now; injected so the zone doesn't depend on the checker. */
export type HealthOf = (healthCheckId: string) => boolean;

export interface SoaFields {
  readonly mname: string;
  readonly rname: string;
  readonly serial: number;
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
  /** RFC 2308: the negative-caching TTL. */
  readonly minimum: number;
}

/** A record as it goes on the wire; names are absolute with a trailing dot. */
export type ZoneRecord =
  | { readonly name: string; readonly type: 'A' | 'AAAA' | 'CNAME' | 'NS'; readonly ttl: number; readonly data: string }
  | { readonly name: string; readonly type: 'TXT'; readonly ttl: number; readonly data: readonly string[] }
  | { readonly name: string; readonly type: 'SOA'; readonly ttl: number; readonly data: SoaFields };

export type ResponseCode = 'NOERROR' | 'NXDOMAIN' | 'REFUSED';

export interface FailoverCandidate {
  readonly recordSet: FailoverRecordSet;
  readonly healthy: boolean;
  /** Set when the health lookup threw (e.g. the check was deleted); the set then counts as unhealthy. */
  readonly healthError?: string;
}

/**
 * - primary-healthy: the PRIMARY's check is healthy (or it has none);
 * - failed-over: the PRIMARY is unhealthy or absent and the SECONDARY is healthy;
 * - all-unhealthy: Route 53's last resort: with no healthy set it treats all as healthy,
 *   which answers the PRIMARY (the SECONDARY if there is no PRIMARY).
 */
export type FailoverOutcome = 'primary-healthy' | 'failed-over' | 'all-unhealthy';

export interface FailoverDecision {
  readonly outcome: FailoverOutcome;
  readonly answeredBy: FailoverRecordSet;
  readonly primary?: FailoverCandidate;
  readonly secondary?: FailoverCandidate;
  /** One line for humans, e.g. `PRIMARY 'us-east-1' unhealthy (hc-use1); failed over to SECONDARY 'eu-west-1'`. */
  readonly reason: string;
}

/** How one name in the resolution was answered (a CNAME chain has several steps). */
export type LookupStep =
  | { readonly kind: 'outside-zone'; readonly name: string }
  | { readonly kind: 'nxdomain'; readonly name: string }
  | { readonly kind: 'nodata'; readonly name: string; readonly type: string }
  | { readonly kind: 'apex'; readonly name: string; readonly type: 'SOA' | 'NS' }
  | { readonly kind: 'simple'; readonly name: string; readonly recordSet: SimpleRecordSet }
  | { readonly kind: 'failover'; readonly name: string; readonly decision: FailoverDecision }
  | {
      readonly kind: 'multivalue';
      readonly name: string;
      /** The sets that answered, in the order given; `healthy` false when none was and all answered. */
      readonly answeredBy: readonly MultiValueRecordSet[];
      readonly healthy: boolean;
      readonly total: number;
    };

export interface Lookup {
  readonly rcode: ResponseCode;
  readonly answers: readonly ZoneRecord[];
  /** SOA for negative answers (RFC 2308), empty otherwise. */
  readonly authorities: readonly ZoneRecord[];
  readonly steps: readonly LookupStep[];
}

/** What `gameday lab status` prints for a name: the lookup plus a one-line summary. */
export interface Explanation extends Lookup {
  readonly name: string;
  readonly type: string;
  readonly summary: string;
}
