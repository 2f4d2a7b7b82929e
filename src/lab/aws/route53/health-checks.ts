import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Lab } from '../../lab';
import { isFailoverRecordSet, isMultiValueRecordSet, setIdentifierOf } from '../../dns';
import type {
  HealthCheckConfig,
  HealthCheckDescription,
  HealthCheckInput,
  HealthCheckUpdate,
  HealthObservation,
} from '../../healthcheck';
import { Route53Error, invalidInput } from './errors';
import {
  XmlElement,
  XmlObject,
  childBoolean,
  childEnum,
  childInteger,
  childObject,
  childText,
  listTexts,
  maxItemsParam,
  missingElement,
  readRequestXml,
  xmlDocument,
  xmlList,
  xmlTimestamp,
} from './xml';

/**
 * Route 53 health checks over the lab's HealthCheckRegistry: the checks the API creates
 * and the lab's own (`hc-app-<region>`, which back the failover records of
 * `app.gameday.lab.`) are the same objects, so UpdateHealthCheck Inverted=true on a
 * region's check fails DNS over exactly as on Route 53.
 *
 * The lab serves HTTP and TCP checks against an IPAddress. RequestInterval is in seconds
 * as in Route 53, which allows 10 and 30; the lab accepts any whole number from 1 to 30
 * so drills run in seconds (the lab's own checks may run faster still; they are reported
 * rounded to whole seconds, at least 1). Unlike Route 53 it accepts loopback addresses,
 * which is where lab endpoints live.
 */

/** Route 53's HealthCheckType enumeration, for the XML-schema check. */
const route53HealthCheckTypes = [
  'HTTP',
  'HTTPS',
  'HTTP_STR_MATCH',
  'HTTPS_STR_MATCH',
  'TCP',
  'CALCULATED',
  'CLOUDWATCH_METRIC',
  'RECOVERY_CONTROL',
] as const;
const resettableElements = ['FullyQualifiedDomainName', 'Regions', 'ResourcePath', 'ChildHealthChecks'] as const;
/** HealthCheckConfig / UpdateHealthCheck elements the lab does not serve. */
const unsupportedConfigElements = [
  'FullyQualifiedDomainName',
  'SearchString',
  'HealthThreshold',
  'ChildHealthChecks',
  'Regions',
  'AlarmIdentifier',
  'InsufficientDataHealthStatus',
  'RoutingControlArn',
];

const routeDefaults = { requestIntervalSeconds: 30, failureThreshold: 3, httpPort: 80, resourcePath: '/' } as const;
const labRequestIntervalSeconds = { min: 1, max: 30 } as const;
const listDefaults = { maxItems: 100, cap: 1000 } as const;

/**
 * The lab has one health checker. Route 53 reports each checker's latest result with the
 * checker's region (one of its eight checker regions) and address.
 */
const labChecker = { region: 'us-east-1', ipAddress: '127.0.0.1' } as const;
const firewallHint =
  'See https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-router-firewall-rules.html';

interface CallerReferenceEntry {
  readonly id: string;
  /** The settings the check was created with, to tell a retry from a clash. */
  readonly settings: string;
  deleted: boolean;
}

export class HealthCheckApi {
  /** CreateHealthCheck idempotency: caller reference → check, kept after deletion as Route 53 does. */
  private readonly byCallerReference = new Map<string, CallerReferenceEntry>();
  private readonly callerReferenceOf = new Map<string, string>();

  constructor(private readonly lab: Lab) {}

  /**
   * POST /2013-04-01/healthcheck. The same CallerReference with the same settings returns
   * the existing check (a safe retry); with other settings, or after that check was
   * deleted, it is HealthCheckAlreadyExists.
   */
  create(body: Buffer): { id: string; xml: string } {
    const request = readRequestXml(body, 'CreateHealthCheckRequest');
    const callerReference = childText(request, 'CallerReference');
    if (callerReference === undefined || callerReference.length < 1 || callerReference.length > 64) {
      throw invalidInput(
        `CallerReference must be 1 to 64 characters, got ` +
          `${callerReference === undefined ? 'none' : `'${callerReference}'`}`,
      );
    }
    const configElement = childObject(request, 'HealthCheckConfig');
    if (configElement === undefined)
      throw invalidInput(missingElement('CreateHealthCheckRequest', 'HealthCheckConfig'));
    const settings = readCreateConfig(configElement);
    const fingerprint = JSON.stringify(settings);

    const known = this.byCallerReference.get(callerReference);
    if (known !== undefined) {
      if (known.deleted) {
        throw new Route53Error(
          'HealthCheckAlreadyExists',
          `The health check with caller reference ${callerReference} was deleted; a caller reference ` +
            `can't be used again.`,
        );
      }
      if (known.settings !== fingerprint) {
        throw new Route53Error(
          'HealthCheckAlreadyExists',
          `A health check with caller reference ${callerReference} already exists (${known.id}) with ` +
            `different settings.`,
        );
      }
      return {
        id: known.id,
        xml: xmlDocument('CreateHealthCheckResponse', [this.healthCheckElement(this.lab.healthChecks.get(known.id))]),
      };
    }
    if (this.lab.healthChecks.list().some((check) => this.callerReference(check.config.id) === callerReference)) {
      throw new Route53Error(
        'HealthCheckAlreadyExists',
        `A health check with caller reference ${callerReference} already exists.`,
      );
    }

    const id = randomUUID();
    const created = this.lab.healthChecks.add({ id, ...settings });
    this.byCallerReference.set(callerReference, { id, settings: fingerprint, deleted: false });
    this.callerReferenceOf.set(id, callerReference);
    return { id, xml: xmlDocument('CreateHealthCheckResponse', [this.healthCheckElement(created)]) };
  }

  /** GET /2013-04-01/healthcheck/{HealthCheckId} */
  get(id: string): string {
    return xmlDocument('GetHealthCheckResponse', [this.healthCheckElement(this.lab.healthChecks.get(id))]);
  }

  /** GET /2013-04-01/healthcheck, ordered by id; Marker is the id a page starts at. */
  list(query: URLSearchParams): string {
    const maxItems = maxItemsParam(query, listDefaults.maxItems, listDefaults.cap);
    const marker = query.get('marker') ?? undefined;
    const checks = this.lab.healthChecks
      .list()
      .sort((a, b) => (a.config.id < b.config.id ? -1 : a.config.id > b.config.id ? 1 : 0));
    const from = marker === undefined ? 0 : checks.findIndex((check) => check.config.id >= marker);
    const start = from < 0 ? checks.length : from;
    const page = checks.slice(start, start + maxItems);
    const next = checks[start + maxItems];
    return xmlDocument('ListHealthChecksResponse', [
      ['HealthChecks', page.map((check) => this.healthCheckElement(check))],
      ['Marker', marker],
      ['IsTruncated', next !== undefined],
      ['NextMarker', next?.config.id],
      ['MaxItems', maxItems],
    ]);
  }

  /**
   * POST /2013-04-01/healthcheck/{HealthCheckId}. With HealthCheckVersion, the update
   * applies only if nobody changed the check since (HealthCheckVersionMismatch, 409,
   * otherwise). Type and RequestInterval can't change, as in Route 53.
   */
  update(id: string, body: Buffer): string {
    const request = readRequestXml(body, 'UpdateHealthCheckRequest');
    refuseUnsupported(request, 'UpdateHealthCheck');
    const enableSni = childBoolean(request, 'EnableSNI');
    if (enableSni === true)
      throw invalidInput("The lab's Route 53 serves HTTP and TCP health checks; EnableSNI=true is not supported");
    const update: HealthCheckUpdate = {};
    const set = <K extends keyof HealthCheckUpdate>(key: K, value: HealthCheckUpdate[K] | undefined): void => {
      if (value !== undefined) update[key] = value;
    };
    set('healthCheckVersion', childInteger(request, 'HealthCheckVersion'));
    set('ipAddress', childText(request, 'IPAddress'));
    set('port', childInteger(request, 'Port'));
    set('resourcePath', childText(request, 'ResourcePath'));
    set('failureThreshold', childInteger(request, 'FailureThreshold'));
    set('inverted', childBoolean(request, 'Inverted'));
    set('disabled', childBoolean(request, 'Disabled'));
    for (const element of listTexts(request, 'ResetElements', 'ResettableElementName')) {
      if (!(resettableElements as readonly string[]).includes(element)) {
        throw invalidInput(
          `Invalid XML ; cvc-enumeration-valid: Value '${element}' is not facet-valid with respect ` +
            `to enumeration '[${resettableElements.join(', ')}]'.`,
        );
      }
      // The lab's checks have no domain name, regions or children to reset.
      if (element === 'ResourcePath') update.resourcePath = routeDefaults.resourcePath;
    }
    const updated = this.lab.healthChecks.update(id, update);
    return xmlDocument('UpdateHealthCheckResponse', [this.healthCheckElement(updated)]);
  }

  /**
   * DELETE /2013-04-01/healthcheck/{HealthCheckId}. The lab refuses to delete a check a
   * record set names (HealthCheckInUse), as Route 53 did originally; today's Route 53
   * deletes it anyway and warns that the records' routing then becomes unpredictable.
   * Refusing keeps the lab's failover records meaningful.
   */
  remove(id: string): string {
    this.lab.healthChecks.get(id);
    const users = this.lab.zone
      .recordSets()
      .filter((set) => (isFailoverRecordSet(set) || isMultiValueRecordSet(set)) && set.healthCheckId === id);
    if (users.length > 0) {
      const named = users
        .map(
          (set) => `${set.name} ${set.type}${setIdentifierOf(set) !== undefined ? ` (${setIdentifierOf(set)})` : ''}`,
        )
        .join(', ');
      throw new Route53Error(
        'HealthCheckInUse',
        `The health check ID for this health check is referenced in the HealthCheckId element in one ` +
          `of the resource record sets in one of the hosted zones that are owned by the current ` +
          `Amazon Web Services account: ${named}.`,
      );
    }
    this.lab.healthChecks.remove(id);
    const callerReference = this.callerReferenceOf.get(id);
    const entry = callerReference === undefined ? undefined : this.byCallerReference.get(callerReference);
    if (entry !== undefined) entry.deleted = true;
    this.callerReferenceOf.delete(id);
    // Route 53 answers 200 with an empty body.
    return '';
  }

  /**
   * GET /2013-04-01/healthcheck/{HealthCheckId}/status: what the checker saw at the
   * endpoint, before Inverted and Disabled are applied (as Route 53's per-checker reports
   * are); the status DNS acts on is the registry's. Empty before the first request.
   */
  status(id: string): string {
    const { config } = this.lab.healthChecks.get(id);
    const latest = this.lab.healthChecks.status(id).recentObservations.at(-1);
    const observations: XmlElement[][] = latest === undefined ? [] : [observationContent(config, latest)];
    return xmlDocument('GetHealthCheckStatusResponse', [
      ['HealthCheckObservations', xmlList('HealthCheckObservation', observations)],
    ]);
  }

  private callerReference(id: string): string {
    // The lab's own checks were not created through the API; their id stands in.
    return this.callerReferenceOf.get(id) ?? id;
  }

  private healthCheckElement({ config, healthCheckVersion }: HealthCheckDescription): XmlElement {
    return [
      'HealthCheck',
      [
        ['Id', config.id],
        ['CallerReference', this.callerReference(config.id)],
        ['HealthCheckConfig', configContent(config)],
        ['HealthCheckVersion', healthCheckVersion],
      ],
    ];
  }
}

/** HealthCheckConfig of CreateHealthCheck → the registry's input (without the id). */
function readCreateConfig(element: XmlObject): Omit<HealthCheckInput, 'id'> {
  const type = childEnum(element, 'Type', route53HealthCheckTypes);
  if (type === undefined) throw invalidInput(missingElement('HealthCheckConfig', 'Type'));
  if (type !== 'HTTP' && type !== 'TCP')
    throw invalidInput(`The lab's Route 53 serves HTTP and TCP health checks; Type ${type} is not supported`);
  refuseUnsupported(element, 'HealthCheckConfig');
  if (childBoolean(element, 'MeasureLatency') === true || childBoolean(element, 'EnableSNI') === true) {
    throw invalidInput("The lab's Route 53 does not support MeasureLatency=true or EnableSNI=true");
  }
  const ipAddress = childText(element, 'IPAddress');
  if (ipAddress === undefined)
    throw invalidInput(
      "The lab's Route 53 checks endpoints by IPAddress; give IPAddress (FullyQualifiedDomainName is not supported)",
    );
  const port = childInteger(element, 'Port') ?? (type === 'HTTP' ? routeDefaults.httpPort : undefined);
  if (port === undefined) throw invalidInput('Port is required for a TCP health check');
  const interval = childInteger(element, 'RequestInterval') ?? routeDefaults.requestIntervalSeconds;
  if (interval < labRequestIntervalSeconds.min || interval > labRequestIntervalSeconds.max) {
    throw invalidInput(
      `RequestInterval must be 10 or 30 seconds in Route 53 (the lab accepts ` +
        `${labRequestIntervalSeconds.min} to ${labRequestIntervalSeconds.max}), got ${interval}`,
    );
  }
  return {
    type,
    ipAddress,
    port,
    resourcePath: childText(element, 'ResourcePath') ?? routeDefaults.resourcePath,
    requestIntervalMs: interval * 1000,
    failureThreshold: childInteger(element, 'FailureThreshold') ?? routeDefaults.failureThreshold,
    inverted: childBoolean(element, 'Inverted') ?? false,
    disabled: childBoolean(element, 'Disabled') ?? false,
  };
}

function refuseUnsupported(element: XmlObject, where: string): void {
  const present = unsupportedConfigElements.filter((name) => element[name] !== undefined);
  if (present.length > 0) throw invalidInput(`The lab's Route 53 does not support ${present.join(', ')} in ${where}`);
}

/** HealthCheckConfig as Route 53 returns it: every default filled in. */
function configContent(config: HealthCheckConfig): XmlElement[] {
  const isHttp = config.type === 'HTTP';
  return [
    ['IPAddress', config.ipAddress],
    ['Port', config.port],
    ['Type', config.type],
    ['ResourcePath', isHttp ? config.resourcePath : undefined],
    ['RequestInterval', Math.max(1, Math.round(config.requestIntervalMs / 1000))],
    ['FailureThreshold', config.failureThreshold],
    ['MeasureLatency', false],
    ['Inverted', config.inverted],
    ['Disabled', config.disabled],
    ['EnableSNI', isHttp ? false : undefined],
  ];
}

function observationContent(config: HealthCheckConfig, observation: HealthObservation): XmlElement[] {
  return [
    ['Region', labChecker.region],
    ['IPAddress', labChecker.ipAddress],
    [
      'StatusReport',
      [
        ['Status', statusReportText(config, observation)],
        ['CheckedTime', xmlTimestamp(observation.at)],
      ],
    ],
  ];
}

/**
 * A checker's report worded as Route 53 words it: "Success: HTTP Status Code 200, OK",
 * "Failure: HTTP Status Code 503, Service Unavailable", "Failure: Connection timed out. …".
 * The reason phrase is the standard one for the code (the lab's probe keeps only the code).
 */
export function statusReportText(
  config: Pick<HealthCheckConfig, 'type'>,
  observation: Pick<HealthObservation, 'ok' | 'detail'>,
): string {
  const outcome = observation.ok ? 'Success' : 'Failure';
  const httpStatus = /^HTTP (\d{3})$/.exec(observation.detail);
  if (httpStatus) {
    const code = Number(httpStatus[1]);
    return `${outcome}: HTTP Status Code ${code}, ${http.STATUS_CODES[code] ?? 'Unknown'}`;
  }
  if (config.type === 'TCP' && observation.ok) return 'Success: TCP connection established';
  if (observation.detail.startsWith('timeout')) {
    return (
      `Failure: Connection timed out. The endpoint or the internet connection is down, or ` +
      `requests are being blocked by your firewall. ${firewallHint}`
    );
  }
  if (observation.detail === 'ECONNREFUSED') {
    return (
      `Failure: Connection refused. The endpoint or the internet connection is down, or ` +
      `requests are being blocked by your firewall. ${firewallHint}`
    );
  }
  return `${outcome}: ${observation.detail}`;
}
