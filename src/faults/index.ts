/**
 * Faults: what a run injects. One file per kind, each with its schema and how each API
 * carries it out (FIS and Route 53 through the AWS SDK, or the lab's direct API); every one
 * is undone through its journaled rollback record (revert.ts). This registry is the only
 * list of them.
 */
import { z } from 'zod';
import { dbStopFault, dbStopFaultSchema } from './db-stop';
import { execFault, execFaultSchema } from './exec';
import { healthCheckFailureFault, healthCheckFailureFaultSchema } from './health-check-failure';
import { latencyFault, latencyFaultSchema } from './latency';
import { objectReplicationPauseFault, objectReplicationPauseFaultSchema } from './object-replication-pause';
import { regionOutageFault, regionOutageFaultSchema } from './region-outage';
import type { FaultImplementation, FaultKind } from './types';

/** Every fault kind by its `kind`; the schema's union lists the same. Unknown kinds are refused with this list. */
export const faultKinds = {
  exec: execFault,
  regionOutage: regionOutageFault,
  latency: latencyFault,
  dbStop: dbStopFault,
  healthCheckFailure: healthCheckFailureFault,
  objectReplicationPause: objectReplicationPauseFault,
};

export const faultSchema = z.discriminatedUnion('kind', [
  execFaultSchema,
  regionOutageFaultSchema,
  latencyFaultSchema,
  dbStopFaultSchema,
  healthCheckFailureFaultSchema,
  objectReplicationPauseFaultSchema,
]);

export type FaultConfig = z.input<typeof faultSchema>;
export type Fault = z.output<typeof faultSchema>;
/** A fault as the engine runs it: defaults applied, named. */
export type ResolvedFault = Fault & { name: string };

/** The fault kind of a fault. */
export function faultKindOf(fault: { kind: Fault['kind'] }): FaultKind<z.ZodType> {
  return faultKinds[fault.kind] as unknown as FaultKind<z.ZodType>;
}

/** How `api` carries out this fault (exec: the same shell commands through any). */
export function faultImplementationOf<F extends ResolvedFault>(
  fault: F,
  api: 'aws' | 'direct' | null,
): FaultImplementation<F> {
  return faultKindOf(fault).via[api ?? 'direct'] as unknown as FaultImplementation<F>;
}

export type { ExecFault, ExecFaultConfig } from './exec';
export type { RegionOutageFault } from './region-outage';
export type { LatencyFault } from './latency';
export type { DbStopFault } from './db-stop';
export type { HealthCheckFailureFault } from './health-check-failure';
export type { ObjectReplicationPauseFault } from './object-replication-pause';
export type { FaultContext, FaultPlan, PlanContext, PreparedFault, FaultCheckContext } from './types';
export { FaultError } from './types';
export { heldForMs } from './timing';
