/**
 * The small contract each kind of toxic implements in its own file beside this one.
 *
 * How a toxic acts on traffic: each direction of a connection is a `Link` that sends
 * its queued chunks in order, one piece at a time. Before each piece it asks every
 * toxic that applies whether the piece may go now (`admit`), and asks again whenever
 * anything changes (data arrives, a toxic is added, updated or removed). Because the
 * question is re-asked rather than answered once, toxics act on in-flight connections
 * and their removal releases whatever they were holding.
 */
import type { StreamDirection } from '../stream-direction';

export type ToxicAttributes = Readonly<Record<string, number>>;

/** Bytes read from a link's source, stamped with the monotonic time they arrived. */
export interface Chunk {
  bytes: Buffer;
  readonly arrivedAt: number;
}

/** The next piece a link wants to send: the head of `chunk`, `pieceBytes` long. */
export interface PendingPiece {
  readonly chunk: Chunk;
  readonly pieceBytes: number;
  readonly now: number;
}

export type Verdict =
  { readonly kind: 'pass' } | { readonly kind: 'wait'; readonly until: number } | { readonly kind: 'hold' };

export const pass: Verdict = Object.freeze({ kind: 'pass' });
/** Hold until something changes (a toxic update or removal), with no deadline of its own. */
export const hold: Verdict = Object.freeze({ kind: 'hold' });
export function waitUntil(until: number): Verdict {
  return { kind: 'wait', until };
}

/** One toxic's behaviour on one direction of one connection; its state lives in the closure. */
export interface LinkToxic {
  /** Most bytes that may leave in one write while this toxic applies (rate shaping, slicing). */
  maxPieceBytes?(): number;
  /**
   * Whether the piece may leave now. Called again for the same piece whenever anything
   * changes, so a toxic must remember any random draw it made for a piece or chunk.
   */
  admit?(piece: PendingPiece): Verdict;
  /** The piece left; for toxics that pace what follows. */
  sent?(byteCount: number, now: number): void;
}

/** What a toxic may do to its connection. Timers die with the toxic's attachment. */
export interface ToxicLink {
  readonly direction: StreamDirection;
  /** Runs `action` after `ms` unless the toxic is removed or updated, or the connection ends first. */
  after(ms: number, action: () => void): void;
  /** Closes both sides of the connection (FIN). */
  closeConnection(): void;
  /** Resets both sides of the connection (RST). */
  resetConnection(): void;
}

export interface AttributeSpec {
  readonly unit: string;
  readonly summary: string;
  /** Absent means the attribute is required. */
  readonly default?: number;
  readonly min: number;
  /** The value must be strictly greater than `min`. */
  readonly aboveMin?: boolean;
}

/** One kind of toxic: its attribute settings and its behaviour, registered in `toxics/index.ts`. */
export interface ToxicKind<Attributes extends ToxicAttributes> {
  readonly summary: string;
  readonly attributes: { readonly [Name in keyof Attributes]: AttributeSpec };
  /** Called each time the toxic starts applying to a link: connection opened, toxic added or updated. */
  attach(attributes: Attributes, link: ToxicLink): LinkToxic;
}
