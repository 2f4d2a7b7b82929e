import type { ResolvedFault } from '../experiment/validate';
import { execFault } from './exec';
import type { FaultKind } from './types';

/** Every fault kind, by its `kind`. The schema's discriminated union lists the same names. */
export const faultKinds = {
  exec: execFault,
} satisfies Record<ResolvedFault['kind'], FaultKind<never>>;

export function faultKindOf<F extends ResolvedFault>(fault: F): FaultKind<F> {
  return faultKinds[fault.kind] as unknown as FaultKind<F>;
}
