import type { AwsClients } from '../../aws/clients';
import type { AwsModel } from '../../aws/model';
import {
  describeHealthCheck,
  dnsName,
  listFailoverRecords,
  type FailoverRecord,
  type HealthCheckSettings,
} from '../../aws/route53';
import { errorMessage } from '../../core/errors';
import { failed, ok, skipped, type ReadinessCheck } from './types';

/** What the DNS checks read, for the timing checks after them. */
export interface DnsReading {
  checks: ReadinessCheck[];
  /** The longest TTL of the failover records, seconds; null when unknown (no records, or aliases only). */
  ttlS: number | null;
  /** Each region's health check as configured, where it could be read. */
  healthChecks: Map<string, HealthCheckSettings>;
}

/**
 * The failover records of the target's name (Route 53 ListResourceRecordSets) and the
 * health checks behind them (GetHealthCheck): every failover record has a health check
 * (else Route 53 counts it healthy whatever its endpoint does), each region's health check
 * (the one the runbook watches, target.route53.healthChecks) sits on a failover record,
 * and it watches the endpoint that record answers with.
 */
export async function dnsChecks(aws: { model: AwsModel; clients: AwsClients }): Promise<DnsReading> {
  const { model, clients } = aws;
  const healthChecks = new Map<string, HealthCheckSettings>();
  if (!model.hostedZoneId || !model.recordName)
    return {
      checks: [
        skipped(
          'failover records',
          'the target names no Route 53 failover record (target.route53: hostedZoneId, recordName)',
        ),
      ],
      ttlS: null,
      healthChecks,
    };
  const name = dnsName(model.recordName);
  let records: FailoverRecord[];
  try {
    // PRIMARY first, as people read a failover pair.
    records = (await listFailoverRecords(clients.route53(), model.hostedZoneId, name)).sort((a, b) =>
      a.failover.localeCompare(b.failover),
    );
  } catch (error) {
    return { checks: [failed('failover records', errorMessage(error))], ttlS: null, healthChecks };
  }
  const checks: ReadinessCheck[] = [];
  if (records.length === 0) {
    checks.push(
      failed(
        'failover records',
        `${name} has no failover record in hosted zone ${model.hostedZoneId}: DNS cannot move clients`,
        'create PRIMARY and SECONDARY failover records, each with its region’s health check',
      ),
    );
  } else {
    const unchecked = records.filter((record) => record.healthCheckId === null && !record.alias?.evaluateTargetHealth);
    checks.push(
      unchecked.length > 0
        ? failed(
            'failover records',
            unchecked
              .map((record) => `the ${record.failover} record of ${name} (${answers(record)}) has no health check`)
              .join('; ') + ': Route 53 counts it healthy whatever its endpoint does',
            'associate each failover record with its region’s health check (ChangeResourceRecordSets, HealthCheckId)',
          )
        : ok(
            'failover records',
            records
              .map((record) => `${record.failover} ${answers(record)} (${record.healthCheckId ?? 'target health'})`)
              .join(', ') + `: every failover record of ${name} has a health check`,
          ),
    );
  }
  for (const region of model.regions) {
    const id = model.healthChecks[region];
    if (!id) continue;
    let settings: HealthCheckSettings;
    try {
      settings = await describeHealthCheck(clients.route53(), id);
    } catch (error) {
      checks.push(failed(`health check ${region} attached`, errorMessage(error)));
      continue;
    }
    healthChecks.set(region, settings);
    checks.push(attachedCheck(region, settings, records, name));
  }
  const ttls = records.map((record) => record.ttl).filter((ttl): ttl is number => ttl !== null);
  return { checks, ttlS: ttls.length > 0 ? Math.max(...ttls) : null, healthChecks };
}

/** A region's health check is on a failover record and watches what that record answers. */
function attachedCheck(
  region: string,
  settings: HealthCheckSettings,
  records: readonly FailoverRecord[],
  name: string,
): ReadinessCheck {
  const check = `health check ${region} attached`;
  const record = records.find((candidate) => candidate.healthCheckId === settings.id);
  if (!record)
    return failed(
      check,
      `${region}'s health check ${settings.id} (the one the runbook watches) is on no failover record of ${name}: ` +
        'DNS does not act on what it sees',
      `set HealthCheckId ${settings.id} on ${region}'s failover record`,
    );
  const watched = watchedEndpoint(settings);
  const endpoints = [...record.values, ...(record.alias ? [record.alias.dnsName] : [])].map(comparable);
  if (watched === null)
    return ok(
      check,
      `the ${record.failover} record (${answers(record)}) uses ${settings.id}, a ${settings.type} check ` +
        '(what it watches is not an address to compare)',
    );
  if (!endpoints.includes(comparable(watched)))
    return failed(
      check,
      `the ${record.failover} record answers ${answers(record)}, but its health check ${settings.id} watches ` +
        `${describeWatched(settings)}: the record fails over on another endpoint's health`,
      `point ${settings.id} at what the ${record.failover} record answers, or give the record the check that does`,
    );
  return ok(
    check,
    `the ${record.failover} record answers ${answers(record)}; ${settings.id} watches ${describeWatched(settings)}`,
  );
}

function watchedEndpoint(settings: HealthCheckSettings): string | null {
  return settings.ipAddress ?? settings.fullyQualifiedDomainName;
}

function describeWatched(settings: HealthCheckSettings): string {
  const host = watchedEndpoint(settings) ?? '?';
  const port = settings.port === null ? '' : `:${settings.port}`;
  return `${settings.type} ${host}${port}${settings.resourcePath ?? ''}`;
}

function answers(record: FailoverRecord): string {
  return record.alias ? `alias ${record.alias.dnsName}` : record.values.join(', ') || 'nothing';
}

/** Names compared as DNS compares them; addresses as they are. */
function comparable(value: string): string {
  return /^[\d.]+$|:/.test(value) ? value : dnsName(value);
}
