/**
 * Probes: what a run measures while it observes — the open-model traffic (RTO), the write
 * ledger (RPO), periodic dns, sql and function checks, browser journeys, and a k6 script's load. One file
 * per kind, each the same shape (types.ts); this registry is the only list of them.
 */
import { z } from 'zod';
import { browserProbe, browserProbeSchema } from './browser';
import { consistencyProbe, consistencyProbeSchema } from './consistency';
import { dnsProbe, dnsProbeSchema } from './dns';
import { functionProbe, functionProbeSchema } from './function';
import { httpProbe, httpProbeSchema } from './http';
import { k6Probe, k6ProbeSchema } from './k6';
import { ledgerProbe, ledgerProbeSchema } from './ledger';
import { objectsProbe } from './objects';
import { objectsProbeSchema } from './objects-schema';
import { prometheusProbe, prometheusProbeSchema } from './prometheus';
import { readYourWritesProbe, readYourWritesProbeSchema } from './read-your-writes';
import { resourcesProbe, resourcesProbeSchema } from './resources';
import { sqlProbe, sqlProbeSchema } from './sql';
import type { ProbeKind, ProbeResult } from './types';

/** Every probe kind by its `kind`; the schema's union lists the same. Unknown kinds are refused with this list. */
export const probeKinds = {
  http: httpProbe,
  ledger: ledgerProbe,
  readYourWrites: readYourWritesProbe,
  resources: resourcesProbe,
  consistency: consistencyProbe,
  function: functionProbe,
  dns: dnsProbe,
  sql: sqlProbe,
  browser: browserProbe,
  k6: k6Probe,
  objects: objectsProbe,
  prometheus: prometheusProbe,
};

export const probeSchema = z.discriminatedUnion('kind', [
  httpProbeSchema,
  ledgerProbeSchema,
  readYourWritesProbeSchema,
  resourcesProbeSchema,
  consistencyProbeSchema,
  functionProbeSchema,
  dnsProbeSchema,
  sqlProbeSchema,
  browserProbeSchema,
  k6ProbeSchema,
  objectsProbeSchema,
  prometheusProbeSchema,
]);

export type ProbeConfig = z.input<typeof probeSchema>;
export type Probe = z.output<typeof probeSchema>;

/** The probe kind of a probe (or of a journaled probe.started), typed loosely for code that treats every kind alike. */
export function probeKindOf(probe: { kind: string }): ProbeKind<z.ZodType<Probe>, ProbeResult> | undefined {
  return (probeKinds as Record<string, unknown>)[probe.kind] as ProbeKind<z.ZodType<Probe>, ProbeResult> | undefined;
}

export { httpProbeSchema } from './http';
export type { HttpProbe, HttpProbeConfig } from './http';
export type { LedgerProbe, LedgerProbeConfig } from './ledger';
export type { ReadYourWritesProbe, ReadYourWritesProbeConfig } from './read-your-writes';
export type { ResourcesProbe, ResourcesProbeConfig } from './resources';
export type { ConsistencyProbe, ConsistencyProbeConfig } from './consistency';
export type { DnsProbe, DnsProbeConfig } from './dns';
export type { SqlProbe, SqlProbeConfig } from './sql';
export type { PrometheusProbe, PrometheusProbeConfig } from './prometheus';
export type { FunctionProbe, FunctionProbeConfig, ProbeFunction, ProbeFunctionContext } from './function';
export type { BrowserProbe, BrowserProbeConfig, BrowserJourney, BrowserJourneyContext } from './browser';
export type { K6Probe, K6ProbeConfig } from './k6';
export type { ObjectsProbe, ObjectsProbeConfig } from './objects';
export type { K6Details } from './k6-details';
export type {
  HttpOutcomes,
  JourneyFailure,
  JourneyNames,
  JourneyOutcomes,
  TrafficSample,
  RpoSummary,
  ObjectRpoSummary,
  StaleReadSummary,
  ConsistencySummary,
  ResourceSummary,
  ProbeAccumulator,
  ProbeHandle,
  ProbeKind,
  ProbeResult,
  ProbeSummary,
  OutcomeChange,
  ProbeCheckContext,
  ProbeStartContext,
  ProbeSummaryContext,
} from './types';

/** The probes whose requests have live windows (guards, latency SLOs) and outcomes like the traffic's. */
export function sendsRequests(probe: { kind: string }): boolean {
  return probe.kind === 'http' || probe.kind === 'k6';
}
export { Resolvers, CachingResolver } from './resolver';
export { TrafficRecorder } from './recorder';
