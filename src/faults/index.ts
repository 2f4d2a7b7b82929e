import type { ResolvedFault } from '../experiment/validate';
import { execFault } from './exec';
import { dbStopFault } from './lab/db-stop';
import { healthCheckFailureFault } from './lab/health-check-failure';
import { latencyFault } from './lab/latency';
import { regionOutageFault } from './lab/region-outage';
import type { FaultKind } from './types';
import { fisFault } from './aws/fis';
import { route53HealthCheckFailure } from './aws/health-check-failure';

/**
 * Every fault kind, by its `kind` and by the API that carries it out: `aws` (FIS and
 * Route 53 through the AWS SDK — a real account, or the lab serving the same APIs) or
 * `direct` (the lab's own control API). The schema's discriminated union lists the same kinds.
 */
export const faultKinds = {
  exec: { aws: execFault, direct: execFault },
  regionOutage: { aws: fisFault, direct: regionOutageFault },
  latency: { aws: fisFault, direct: latencyFault },
  dbStop: { aws: fisFault, direct: dbStopFault },
  healthCheckFailure: { aws: route53HealthCheckFailure, direct: healthCheckFailureFault },
} satisfies Record<ResolvedFault['kind'], { aws: FaultKind<never>; direct: FaultKind<never> }>;

export function faultKindOf<F extends ResolvedFault>(fault: F, api: 'aws' | 'direct' | null): FaultKind<F> {
  return faultKinds[fault.kind][api ?? 'direct'] as unknown as FaultKind<F>;
}
