import type { Route53Client } from '@aws-sdk/client-route-53';
import { sdk } from './sdk';
import { describeAwsError } from './clients';
import { GamedayError } from '../core/errors';

export class Route53Error extends GamedayError {}

/**
 * Sets a health check's Inverted flag with optimistic locking (HealthCheckVersion): a
 * concurrent change by someone else makes Route 53 refuse ours instead of silently
 * overwriting it. Returns the value it had, so the caller can restore exactly that.
 */
export async function setHealthCheckInverted(
  route53: Route53Client,
  healthCheckId: string,
  inverted: boolean,
): Promise<{ previous: boolean }> {
  try {
    const { HealthCheck } = await route53.send(new sdk.route53.GetHealthCheckCommand({ HealthCheckId: healthCheckId }));
    const previous = HealthCheck?.HealthCheckConfig?.Inverted ?? false;
    await route53.send(
      new sdk.route53.UpdateHealthCheckCommand({
        HealthCheckId: healthCheckId,
        HealthCheckVersion: HealthCheck?.HealthCheckVersion,
        Inverted: inverted,
      }),
    );
    return { previous };
  } catch (error) {
    throw new Route53Error(
      `Route 53 UpdateHealthCheck ${healthCheckId} Inverted=${inverted}: ${describeAwsError(error)}`,
    );
  }
}

/** What preflight needs of a health check: its Inverted flag and its checkers' latest reports. */
export interface HealthCheckReading {
  inverted: boolean;
  /** How many checkers reported, and the reports that are failures ("Failure: HTTP Status Code 503, …"). */
  reports: number;
  failures: string[];
}

/**
 * Reads a health check as Route 53 sees it (GetHealthCheck, GetHealthCheckStatus). The
 * status reports are the checkers' raw results, before Inverted is applied.
 */
export async function readHealthCheck(route53: Route53Client, healthCheckId: string): Promise<HealthCheckReading> {
  let call = 'GetHealthCheck';
  try {
    const { HealthCheck } = await route53.send(new sdk.route53.GetHealthCheckCommand({ HealthCheckId: healthCheckId }));
    call = 'GetHealthCheckStatus';
    const { HealthCheckObservations = [] } = await route53.send(
      new sdk.route53.GetHealthCheckStatusCommand({ HealthCheckId: healthCheckId }),
    );
    const statuses = HealthCheckObservations.map((observation) => observation.StatusReport?.Status ?? '');
    return {
      inverted: HealthCheck?.HealthCheckConfig?.Inverted ?? false,
      reports: statuses.length,
      failures: statuses.filter((status) => status.startsWith('Failure')),
    };
  } catch (error) {
    throw new Route53Error(`Route 53 ${call} ${healthCheckId}: ${describeAwsError(error)}`);
  }
}

/** A failover record set as Route 53 lists it: which role, what it answers, which health check decides it. */
export interface FailoverRecord {
  name: string;
  type: string;
  setIdentifier: string;
  failover: 'PRIMARY' | 'SECONDARY';
  /** Seconds; null for an alias record (which has its target's). */
  ttl: number | null;
  values: string[];
  healthCheckId: string | null;
  /** An alias record's target; it may be judged healthy by its target's health (EvaluateTargetHealth). */
  alias: { dnsName: string; evaluateTargetHealth: boolean } | null;
}

/** A DNS name as Route 53 compares them: lower case, ending in a dot. */
export function dnsName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/** The failover record sets of one name in a hosted zone (ListResourceRecordSets from that name, every page). */
export async function listFailoverRecords(
  route53: Route53Client,
  hostedZoneId: string,
  recordName: string,
): Promise<FailoverRecord[]> {
  const wanted = dnsName(recordName);
  const records: FailoverRecord[] = [];
  let start: { name?: string; type?: string; identifier?: string } = { name: wanted };
  try {
    for (;;) {
      const page = await route53.send(
        new sdk.route53.ListResourceRecordSetsCommand({
          HostedZoneId: hostedZoneId,
          StartRecordName: start.name,
          StartRecordType: start.type as never,
          StartRecordIdentifier: start.identifier,
        }),
      );
      const sets = page.ResourceRecordSets ?? [];
      for (const set of sets) {
        if (dnsName(set.Name ?? '') !== wanted) return records;
        if (!set.Failover) continue;
        records.push({
          name: set.Name ?? wanted,
          type: set.Type ?? '',
          setIdentifier: set.SetIdentifier ?? '',
          failover: set.Failover,
          ttl: set.TTL ?? null,
          values: (set.ResourceRecords ?? []).map((record) => record.Value ?? ''),
          healthCheckId: set.HealthCheckId ?? null,
          alias: set.AliasTarget
            ? {
                dnsName: set.AliasTarget.DNSName ?? '',
                evaluateTargetHealth: set.AliasTarget.EvaluateTargetHealth ?? false,
              }
            : null,
        });
      }
      if (!page.IsTruncated) return records;
      start = { name: page.NextRecordName, type: page.NextRecordType, identifier: page.NextRecordIdentifier };
    }
  } catch (error) {
    throw new Route53Error(`Route 53 ListResourceRecordSets ${hostedZoneId} ${wanted}: ${describeAwsError(error)}`);
  }
}

/** What a health check watches, and how often it looks. */
export interface HealthCheckSettings {
  id: string;
  type: string;
  ipAddress: string | null;
  fullyQualifiedDomainName: string | null;
  port: number | null;
  resourcePath: string | null;
  /** Seconds, as Route 53 counts them (10 or 30; the lab reports its own, rounded to whole seconds). */
  requestIntervalS: number | null;
  failureThreshold: number | null;
  inverted: boolean;
  disabled: boolean;
}

export async function describeHealthCheck(route53: Route53Client, healthCheckId: string): Promise<HealthCheckSettings> {
  try {
    const { HealthCheck } = await route53.send(new sdk.route53.GetHealthCheckCommand({ HealthCheckId: healthCheckId }));
    const config = HealthCheck?.HealthCheckConfig;
    return {
      id: healthCheckId,
      type: config?.Type ?? '',
      ipAddress: config?.IPAddress ?? null,
      fullyQualifiedDomainName: config?.FullyQualifiedDomainName ?? null,
      port: config?.Port ?? null,
      resourcePath: config?.ResourcePath ?? null,
      requestIntervalS: config?.RequestInterval ?? null,
      failureThreshold: config?.FailureThreshold ?? null,
      inverted: config?.Inverted ?? false,
      disabled: config?.Disabled ?? false,
    };
  } catch (error) {
    throw new Route53Error(`Route 53 GetHealthCheck ${healthCheckId}: ${describeAwsError(error)}`);
  }
}
