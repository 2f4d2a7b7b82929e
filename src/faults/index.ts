import type { ResolvedFault } from '../experiment/validate';
import { execFault } from './exec';
import { dbStopFault } from './lab/db-stop';
import { healthCheckFailureFault } from './lab/health-check-failure';
import { latencyFault } from './lab/latency';
import { regionOutageFault } from './lab/region-outage';
import type { FaultKind } from './types';

/** Every fault kind, by its `kind`. The schema's discriminated union lists the same names. */
export const faultKinds = {
  exec: execFault,
  regionOutage: regionOutageFault,
  latency: latencyFault,
  dbStop: dbStopFault,
  healthCheckFailure: healthCheckFailureFault,
} satisfies Record<ResolvedFault['kind'], FaultKind<never>>;

export function faultKindOf<F extends ResolvedFault>(fault: F): FaultKind<F> {
  return faultKinds[fault.kind] as unknown as FaultKind<F>;
}
