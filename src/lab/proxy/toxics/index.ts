/**
 * The registry of toxic kinds: a plain map from Toxiproxy's type name to its kind.
 * Adding a toxic is one file under toxics/ and one line here.
 */
import type { ToxicAttributes, ToxicKind } from './kind';
import { bandwidth } from './bandwidth';
import { latency } from './latency';
import { resetPeer } from './reset-peer';
import { slicer } from './slicer';
import { timeout } from './timeout';

export const toxicKinds = {
  latency,
  timeout,
  reset_peer: resetPeer,
  bandwidth,
  slicer,
} as const;

export type ToxicType = keyof typeof toxicKinds;

export const toxicTypes = Object.keys(toxicKinds) as ToxicType[];

export function isToxicType(name: unknown): name is ToxicType {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(toxicKinds, name);
}

/** The kind with its attribute types erased, for code that handles any toxic by name. */
export function toxicKind(type: ToxicType): ToxicKind<ToxicAttributes> {
  return toxicKinds[type];
}
