/**
 * A toxic as callers see it: what a configured toxic is (Toxiproxy's JSON), and what they
 * write to add or change one. How each kind acts on traffic is in `toxics/`.
 */
import type { StreamDirection } from './stream-direction';
import type { ToxicType } from './toxics';
import type { ToxicAttributes } from './toxics/kind';

/** A toxic as configured on a proxy, in Toxiproxy's JSON shape, defaults applied. */
export interface Toxic {
  readonly name: string;
  readonly type: ToxicType;
  readonly stream: StreamDirection;
  /** Probability, decided once per connection, that the toxic applies to it. */
  readonly toxicity: number;
  readonly attributes: ToxicAttributes;
}

/** What a caller writes to add a toxic; everything but `type` has a default. */
export interface ToxicInput {
  /** Default `${type}_${stream}`, as in Toxiproxy. */
  readonly name?: string;
  readonly type: string;
  /** Default 'downstream', as in Toxiproxy. */
  readonly stream?: StreamDirection;
  /** Default 1. */
  readonly toxicity?: number;
  readonly attributes?: Readonly<Record<string, number>>;
}

/** What may change on an existing toxic: attributes merge into the current ones. */
export interface ToxicPatch {
  readonly toxicity?: number;
  readonly attributes?: Readonly<Record<string, number>>;
}
